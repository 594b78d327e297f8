"""What ``ace-connector status`` shows: backlog, watermarks, runs, errors, dead letters, API usage.

Everything is read, nothing written. Each part is read on its own: when S3
or the broker cannot be reached the rest is still shown, and the failure is
listed under ``problems``. Nothing here holds a secret: errors are the
connector's own messages, which never carry credentials.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import redis

from connector.ace.bucket import PROCESSED_TAG_KEY, PROCESSED_TAG_VALUE, QUARANTINE_TAG_KEY, AceBucket
from connector.ace.layout import AceLayout
from connector.errors import ObjectNotFound
from connector.settings import Settings
from connector.sync.state import ErrorEntry, FlowRun, SyncState, Watermark
from connector.worker.broker import DeadLetter, dead_letters, make_broker
from connector.worker.ratelimit import ApiBudget, ApiRateLimiter

#: Outbound files whose tags are read to tell pending from processed; past this the count is a floor.
MAX_TAG_CHECKS_PER_FOLDER = 500
DEFAULT_RECENT_ERRORS = 10
DEFAULT_DEAD_LETTERS = 10

T = TypeVar("T")


@dataclass(frozen=True)
class FolderBacklog:
    """The objects in one folder of the bucket."""

    entity: str
    role: str  # outbound | inbound | results
    prefix: str
    objects: int
    oldest: datetime | None
    #: Outbound only: files neither processed nor quarantined (None for other folders).
    pending: int | None = None
    quarantined: int | None = None
    #: True when the folder held more files than were checked for tags.
    pending_is_floor: bool = False


@dataclass
class Status:
    """One reading of everything ``status`` reports."""

    generated_at: datetime
    backlog: list[FolderBacklog] = field(default_factory=list)
    watermarks: dict[str, Watermark] = field(default_factory=dict)
    last_runs: dict[str, FlowRun] = field(default_factory=dict)
    awaiting_results: int = 0
    unanswered: int = 0
    recent_errors: list[ErrorEntry] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    api: ApiBudget | None = None
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types (times as ISO text), for ``status --json``."""
        data = asdict(self)
        data["watermarks"] = {name: {"at": mark.at, "ids_at": sorted(mark.ids_at)}
                              for name, mark in self.watermarks.items()}
        return _jsonable(data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return value


def read_status(settings: Settings, *, client: redis.Redis | None = None, bucket: AceBucket | None = None,
                errors: int = DEFAULT_RECENT_ERRORS, letters: int = DEFAULT_DEAD_LETTERS) -> Status:
    """Read the status of the deployment ``settings`` describe."""
    client = client or redis.Redis.from_url(settings.redis_url)
    state = SyncState(client, prefix=settings.redis_key_prefix)
    status = Status(generated_at=datetime.now(UTC))

    def attempt(what: str, read: Callable[[], T], default: T) -> T:
        try:
            return read()
        except Exception as exc:  # noqa: BLE001 - one unreachable part must not hide the others
            status.problems.append(f"{what}: {type(exc).__name__}: {exc}")
            return default

    status.watermarks = attempt("watermarks", state.watermarks, {})
    status.last_runs = attempt("last runs", state.last_runs, {})
    status.awaiting_results = len(attempt("ledger", state.pending_files, []))
    status.unanswered = len(attempt("ledger", lambda: state.pending_files(
        older_than_seconds=settings.ace_results_timeout_seconds), []))
    status.recent_errors = attempt("recent errors", lambda: state.recent_errors(limit=errors), [])
    status.dead_letters = attempt(
        "dead letters", lambda: dead_letters(make_broker(settings, client=client), limit=letters), [])
    status.api = attempt("API usage", lambda: ApiRateLimiter.from_settings(client, settings).budget(), None)
    status.backlog = attempt("bucket", lambda: folder_backlog(
        bucket or AceBucket.from_settings(settings), AceLayout.from_settings(settings)), [])
    return status


def folder_backlog(bucket: AceBucket, layout: AceLayout) -> list[FolderBacklog]:
    """Object counts of every folder the connector reads or writes, per entity."""
    rows = []
    for entity in layout.entities:
        folders = [("outbound", entity.outbound), ("inbound", entity.inbound),
                   *(("results", prefix) for prefix in entity.results_scan_prefixes)]
        for role, prefix in folders:
            objects = bucket.list_objects(prefix)
            oldest = objects[0].last_modified if objects else None
            if role != "outbound":
                rows.append(FolderBacklog(entity=entity.entity, role=role, prefix=prefix, objects=len(objects),
                                          oldest=oldest))
                continue
            pending = quarantined = 0
            for info in objects[:MAX_TAG_CHECKS_PER_FOLDER]:
                try:
                    tags = bucket.get_tags(info.key)
                except ObjectNotFound:
                    continue  # deleted by a worker that finished it since the listing
                if tags.get(QUARANTINE_TAG_KEY) == "true":
                    quarantined += 1
                elif tags.get(PROCESSED_TAG_KEY) != PROCESSED_TAG_VALUE:
                    pending += 1
            rows.append(FolderBacklog(entity=entity.entity, role=role, prefix=prefix, objects=len(objects),
                                      oldest=oldest, pending=pending, quarantined=quarantined,
                                      pending_is_floor=len(objects) > MAX_TAG_CHECKS_PER_FOLDER))
    return rows
