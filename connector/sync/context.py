"""Everything a sync flow needs, built once and passed to each flow.

A flow is a plain function of a :class:`SyncContext` (``run_outbound(ctx)``,
``run_inbound(ctx)``, ``run_results(ctx)``). Tests build the context from the
real pieces pointed at stand-ins (moto, the org emulator, a private Redis
prefix); the worker builds it from settings with :meth:`SyncContext.from_settings`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import redis

from connector.ace.bucket import AceBucket
from connector.ace.layout import AceLayout
from connector.errors import ConfigurationError
from connector.salesforce import SalesforceClient
from connector.settings import Settings
from connector.sync.report import FlowReport, PlannedWrite
from connector.sync.state import SyncState
from connector.worker.locks import RedisLock

if TYPE_CHECKING:
    from connector.mapping import CompiledMapping

__all__ = ["FlowReport", "PlannedWrite", "SyncContext", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class SyncContext:
    """The connector's collaborators, plus the clock and the dry-run switch.

    With ``dry_run`` a flow reads as usual but writes nothing anywhere (no
    Salesforce write, no S3 write or tag, no Redis state change other than its
    locks): it records what it would have written in its report instead.
    """

    settings: Settings
    bucket: AceBucket
    layout: AceLayout
    salesforce: SalesforceClient
    mappings: Mapping[str, CompiledMapping]
    state: SyncState
    redis: redis.Redis
    clock: Callable[[], datetime] = field(default=utc_now)
    dry_run: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, *, dry_run: bool = False) -> SyncContext:
        """Connect to Redis, S3 and Salesforce and load the mappings, as configured."""
        # Imported here: the worker package imports the flows, and the mappings load YAML files.
        from connector.mapping import load_mappings
        from connector.worker.ratelimit import ApiRateLimiter

        client = redis.Redis.from_url(settings.redis_url)
        limiter = ApiRateLimiter.from_settings(client, settings)
        return cls(
            settings=settings,
            bucket=AceBucket.from_settings(settings),
            layout=AceLayout.from_settings(settings),
            salesforce=SalesforceClient.from_settings(settings, limiter=limiter),
            mappings=load_mappings(settings.ace_mappings_dir),
            state=SyncState(client, prefix=settings.redis_key_prefix),
            redis=client,
            dry_run=dry_run,
        )

    def with_dry_run(self, dry_run: bool = True) -> SyncContext:
        return replace(self, dry_run=dry_run)

    def now(self) -> datetime:
        """The context's clock, always timezone-aware UTC."""
        value = self.clock()
        if value.tzinfo is None:
            raise ValueError(f"the sync clock returned a naive datetime {value.isoformat()}")
        return value.astimezone(UTC)

    def mapping(self, entity: str) -> CompiledMapping:
        """The compiled mapping of ``entity`` ("opportunity" or "lead")."""
        try:
            return self.mappings[entity]
        except KeyError:
            loaded = ", ".join(sorted(self.mappings)) or "none"
            raise ConfigurationError(f"no mapping for ACE entity {entity!r} in "
                                     f"{self.settings.ace_mappings_dir} (loaded: {loaded})") from None

    def lock(self, name: str, *, ttl_seconds: float) -> RedisLock:
        """A Redis lock under the connector's key prefix (e.g. ``file:<key>``)."""
        return RedisLock(self.redis, name, prefix=self.settings.redis_key_prefix, ttl_seconds=ttl_seconds)

    def new_report(self, flow: str) -> FlowReport:
        return FlowReport(flow=flow, dry_run=self.dry_run)
