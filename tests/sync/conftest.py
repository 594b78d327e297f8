"""The whole stack for the sync flows: moto S3, the ACE simulator, the org emulator and real Redis.

``stack`` gives each test a fresh bucket (in-process moto), a fresh simulator
state, a reset org and a private Redis prefix, plus a ready ``SyncContext``
(``stack.ctx``). ``stack.context(...)`` builds another context on the same
pieces: a second worker (its own Salesforce session and S3 client), a dry run,
another clock or other settings.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import moto.s3.models
import pytest
import redis
from moto import mock_aws
from simple_salesforce import Salesforce

from connector.ace.bucket import AceBucket, make_s3_client
from connector.ace.layout import AceLayout
from connector.ace.records import format_ace_datetime
from connector.salesforce import RetryPolicy, SalesforceClient, clear_describe_cache
from connector.sandbox.ace import Simulator
from connector.sandbox.salesforce import EmulatorServer
from connector.settings import Settings
from connector.sync.context import SyncContext
from connector.sync.state import SyncState

API_VERSION = "59.0"
SPMS_ID = "1234567"
REGION = "us-west-2"
#: One quick retry: tests of transient failures should not sit through real backoff.
QUICK_RETRIES = RetryPolicy(attempts=2, first_delay_seconds=0, max_delay_seconds=0)


@pytest.fixture(scope="session")
def sync_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(api_version=API_VERSION) as server:
        yield server


@pytest.fixture(scope="session")
def sync_mappings(repo_root: Path) -> Mapping[str, Any]:
    from connector.mapping import load_mappings

    return load_mappings(Path(repo_root) / "mappings")


@dataclass
class Stack:
    """One test's view of the stack."""

    settings: Settings
    ctx: SyncContext
    sim: Simulator
    bucket: AceBucket
    emulator: EmulatorServer
    redis: redis.Redis
    mappings: Mapping[str, Any]
    sf: Salesforce
    sf_admin: Salesforce

    # --- ACE's side --------------------------------------------------------------------------------

    def refer_opportunity(self, **fields: Any) -> dict[str, Any]:
        """A new AWS referral in the simulator; returns the record as ACE's next export shows it."""
        return self.sim.partner_view(self.sim.refer_opportunity(**fields))

    def refer_lead(self, **fields: Any) -> dict[str, Any]:
        return self.sim.partner_view(self.sim.refer_lead(**fields))

    # --- more contexts on the same pieces ---------------------------------------------------

    def context(self, *, dry_run: bool = False, clock: Any = None, **setting_changes: Any) -> SyncContext:
        """Another worker: its own S3 client and Salesforce session, same bucket, org and Redis."""
        settings = self.settings.model_copy(update=setting_changes) if setting_changes else self.settings
        bucket = AceBucket(settings.ace_bucket, make_s3_client(region=REGION))
        session = self.emulator.requests_session()
        salesforce = SalesforceClient(
            Salesforce(instance_url=self.emulator.instance_url, session_id=self.emulator.session_id,
                       session=session, version=API_VERSION),
            bulk_threshold_records=settings.sf_bulk_threshold_records, retry_policy=QUICK_RETRIES)
        ctx = SyncContext(settings=settings, bucket=bucket, layout=AceLayout.from_settings(settings),
                          salesforce=salesforce, mappings=self.mappings,
                          state=SyncState(self.redis, prefix=settings.redis_key_prefix), redis=self.redis,
                          dry_run=dry_run, **({"clock": clock} if clock is not None else {}))
        return ctx

    # --- the org -------------------------------------------------------------------------------

    def query(self, soql: str) -> list[dict[str, Any]]:
        """Every row of ``soql`` as the integration user (attributes dropped)."""
        rows = self.sf.query_all(soql)["records"]
        return [{k: v for k, v in row.items() if k != "attributes"} for row in rows]

    def stats(self) -> dict[str, Any]:
        """The emulator's request counters (``total``, ``api_usage``, ``by_kind``)."""
        return self._hook("GET", "stats")

    def faults(self, *faults: Mapping[str, Any]) -> Any:
        """Inject Salesforce faults (see the emulator's ``/_emulator/faults``); none = clear them."""
        return self._hook("POST", "faults", json={"faults": [dict(f) for f in faults]})

    def _hook(self, method: str, name: str, **kwargs: Any) -> Any:
        response = self.emulator.requests_session().request(
            method, f"{self.emulator.instance_url}/_emulator/{name}", **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    # --- the bucket --------------------------------------------------------------------------------

    def put_outbound(self, entity: str, records: Sequence[Mapping[str, Any]], *, name: str | None = None,
                     envelope: Mapping[str, Any] | None = None, body: bytes | None = None,
                     uploaded_at: datetime | None = None) -> str:
        """Write an outbound file as ACE would (or ``body`` as is); returns its key.

        ``uploaded_at`` sets the object's LastModified (S3 keeps whole seconds, so files
        written in one test would otherwise tie and be ordered by key).
        """
        layout = self.ctx.layout.for_entity(entity)
        key = layout.outbound + (name or f"{entity}_{uuid.uuid4().hex[:10]}.json")
        if body is None:
            document = {"version": "2.0", "spmsId": SPMS_ID, **(envelope or {}),
                        layout.record_array_key: [dict(r) for r in records]}
            body = json.dumps(document).encode()
        with patch.object(moto.s3.models, "utcnow", lambda: uploaded_at) if uploaded_at else nullcontext():
            self.bucket.client.put_object(Bucket=self.bucket.name, Key=key, Body=body)
        return key

    def keys(self, prefix: str) -> list[str]:
        return [o.key for o in self.bucket.iter_objects(prefix)]

    @staticmethod
    def ace_time(moment: datetime | None = None, **after: float) -> str:
        """ACE's datetime text for ``moment`` (default 2024-05-01 12:00 UTC) plus ``after`` (timedelta args)."""
        return format_ace_datetime((moment or datetime(2024, 5, 1, 12, 0, tzinfo=UTC)) + timedelta(**after))


@pytest.fixture
def stack(sync_emulator: EmulatorServer, sync_mappings: Mapping[str, Any], redis_url: str, redis_prefix: str,
          aws_test_credentials: None, tmp_path: Path) -> Iterator[Stack]:
    http = sync_emulator.requests_session()
    response = http.post(sync_emulator.instance_url + "/_emulator/reset")
    assert response.status_code == 200, response.text
    clear_describe_cache()
    bucket_name = f"ace-apn-{SPMS_ID}-test-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        ace_bucket=bucket_name, ace_spms_id=SPMS_ID, aws_region=REGION,
        ace_mappings_dir=tmp_path / "unused-mappings",  # the stack's contexts get the loaded mappings
        sf_instance_url=sync_emulator.instance_url, sf_session_id=sync_emulator.session_id,
        sf_ca_bundle=Path(sync_emulator.ca_bundle), sf_api_version=API_VERSION,
        redis_url=redis_url, redis_key_prefix=redis_prefix,
    )
    client = redis.Redis.from_url(redis_url)
    with mock_aws():
        bucket = AceBucket(bucket_name, make_s3_client(region=REGION))
        bucket.create_if_missing()
        sim = Simulator(AceBucket(bucket_name, make_s3_client(region=REGION)), state_dir=tmp_path / "sim-state")
        sim.configure(partner={"spms_id": SPMS_ID})
        sf = Salesforce(instance_url=sync_emulator.instance_url, session_id=sync_emulator.session_id,
                        session=sync_emulator.requests_session(), version=API_VERSION)
        sf_admin = Salesforce(instance_url=sync_emulator.instance_url, session_id=sync_emulator.admin_session_id,
                              session=sync_emulator.requests_session(), version=API_VERSION)
        stack = Stack(settings=settings, ctx=None, sim=sim, bucket=bucket,  # type: ignore[arg-type]
                      emulator=sync_emulator, redis=client, mappings=sync_mappings, sf=sf, sf_admin=sf_admin)
        stack.ctx = stack.context()
        stack.faults()  # no fault left over from another test
        yield stack
        stack.faults()
