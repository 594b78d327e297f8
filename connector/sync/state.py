"""What the sync layer keeps in Redis, behind one class.

Redis is an accelerator, not the record of truth. The truth is on the
Salesforce records (ACE id, ACE's last modified time, sync status and error,
content hash) and on the S3 objects (``partner_processed`` tags, results
files). Losing every key here must never lose data; at worst:

* watermarks gone → the inbound flow re-reads records it already sent, and
  the content hashes on the records (or here) keep it from sending them again;
* ledger gone → results are still correlated by the ``fileName`` inside each
  results file, and records still marked "Sent" are visible on the records;
* run history, recent errors gone → ``status`` has less to show;
* content hashes gone → a record may be sent once more; sending is idempotent.

So every write here is made *after* the durable write it summarises (the
watermark advances only after the files are in S3), and TTLs bound what is
only an optimisation. All keys live under ``{prefix}:state:``. All times are
timezone-aware UTC; naive datetimes are refused.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import redis

from connector.errors import SalesforceLimitExceeded

#: Recent errors kept for ``status``; older ones are in the logs.
MAX_RECENT_ERRORS = 200
#: An error message longer than this is cut: it is a summary, the log has the rest.
MAX_ERROR_MESSAGE_CHARS = 2000
#: A ledger entry older than this is dropped: ACE answers in minutes, never weeks.
LEDGER_MAX_AGE_SECONDS = 30 * 24 * 3600
#: Content hashes suppress echoes of recent exchanges; older ones cost a re-send at worst.
CONTENT_HASH_TTL_SECONDS = 30 * 24 * 3600


def _require_utc(value: datetime, *, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def content_hash(content: Mapping[str, Any]) -> str:
    """A stable hash of a record's ACE-relevant content (key order and JSON spacing do not matter)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Watermark:
    """How far the inbound flow has read an object: a whole second, and the ids seen at it.

    The flow queries ``SystemModstamp >= at`` (ties at whole seconds are
    common: a batch update stamps hundreds of records with one second), then
    skips what :meth:`is_seen` says was already handled::

        mark = state.watermark("Opportunity") or Watermark.initial()
        rows = [r for r in query(f"... WHERE SystemModstamp >= {mark.at:%Y-%m-%dT%H:%M:%SZ} "
                                 "ORDER BY SystemModstamp, Id") if not mark.is_seen(r.id, r.modstamp)]
        ...                                   # send, and only once the files are written:
        state.set_watermark("Opportunity", mark.advanced((r.id, r.modstamp) for r in rows))

    Page through the whole result rather than cutting it with LIMIT: a LIMIT
    smaller than the records sharing one second would never get past it.
    """

    at: datetime
    ids_at: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", _require_utc(self.at, what="a watermark").replace(microsecond=0))
        object.__setattr__(self, "ids_at", frozenset(self.ids_at))

    def is_seen(self, record_id: str, modified_at: datetime) -> bool:
        """True when the record was already handled at this modification time."""
        second = _require_utc(modified_at, what="a record's modification time").replace(microsecond=0)
        return second < self.at or (second == self.at and record_id in self.ids_at)

    def advanced(self, records: Iterable[tuple[str, datetime]]) -> Watermark:
        """The watermark after handling ``records`` (``(id, modified_at)`` pairs)."""
        latest, ids = self.at, set(self.ids_at)
        for record_id, modified_at in records:
            second = _require_utc(modified_at, what="a record's modification time").replace(microsecond=0)
            if second > latest:
                latest, ids = second, {record_id}
            elif second == latest:
                ids.add(record_id)
        return Watermark(at=latest, ids_at=frozenset(ids))

    @classmethod
    def initial(cls) -> Watermark:
        """The watermark of an object never read: everything is new."""
        return cls(at=datetime(1970, 1, 1, tzinfo=UTC))


@dataclass(frozen=True)
class SentFile:
    """An inbound file written to ACE and awaiting its results."""

    key: str
    entity: str
    partner_keys: tuple[str, ...]
    sent_at: datetime


@dataclass
class FlowRun:
    """One run of a flow, as ``status`` shows it."""

    flow: str
    started_at: datetime
    finished_at: datetime | None = None
    outcome: str = "running"  # running | ok | failed | limited (the API budget was spent)
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    def count(self, name: str, amount: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount


@dataclass(frozen=True)
class ErrorEntry:
    """One recent error: what failed, where, when."""

    at: datetime
    flow: str
    message: str
    file_key: str | None = None
    record_id: str | None = None


class SyncState:
    """Watermarks, the ledger of sent files, flow runs, recent errors and content hashes."""

    def __init__(self, client: redis.Redis, *, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._base = f"{prefix}:state"

    def _key(self, *parts: str) -> str:
        return ":".join((self._base, *parts))

    # --- watermarks --------------------------------------------------------------------------

    def watermark(self, object_name: str) -> Watermark | None:
        raw = self.client.get(self._key("watermark", object_name))
        if raw is None:
            return None
        data = json.loads(raw)
        return Watermark(at=datetime.fromisoformat(data["at"]), ids_at=frozenset(data["ids_at"]))

    def set_watermark(self, object_name: str, watermark: Watermark) -> None:
        """Store the watermark; call only after what it covers is durably written."""
        value = json.dumps({"at": watermark.at.isoformat(), "ids_at": sorted(watermark.ids_at)})
        self.client.set(self._key("watermark", object_name), value)

    def watermarks(self) -> dict[str, Watermark]:
        """Every object's watermark, for ``status``."""
        prefix = self._key("watermark", "")
        names = sorted(_text(key)[len(prefix):] for key in self.client.scan_iter(match=prefix + "*", count=500))
        found = {name: self.watermark(name) for name in names}
        return {name: mark for name, mark in found.items() if mark is not None}

    # --- the ledger of inbound files awaiting results -----------------------------------------------

    def record_sent_file(self, key: str, *, entity: str, partner_keys: Iterable[str],
                         sent_at: datetime | None = None) -> SentFile:
        """Remember an inbound file once it is in S3, until its results are processed."""
        sent = SentFile(key=key, entity=entity, partner_keys=tuple(partner_keys),
                        sent_at=_require_utc(sent_at or _now(), what="sent_at"))
        entry = json.dumps({"entity": sent.entity, "partner_keys": list(sent.partner_keys),
                            "sent_at": sent.sent_at.isoformat()})
        cutoff = time.time() - LEDGER_MAX_AGE_SECONDS
        expired = [_text(k) for k in self.client.zrangebyscore(self._key("ledger", "by-time"), "-inf", cutoff)]
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self._key("ledger"), key, entry)
            pipe.zadd(self._key("ledger", "by-time"), {key: sent.sent_at.timestamp()})
            if expired:
                pipe.hdel(self._key("ledger"), *expired)
                pipe.zrem(self._key("ledger", "by-time"), *expired)
            pipe.execute()
        return sent

    def sent_file(self, key: str) -> SentFile | None:
        raw = self.client.hget(self._key("ledger"), key)
        return None if raw is None else self._sent_file(key, raw)

    def resolve_sent_file(self, key: str) -> bool:
        """Forget a file whose results were processed. False when it was not in the ledger."""
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hdel(self._key("ledger"), key)
            pipe.zrem(self._key("ledger", "by-time"), key)
            removed, _ = pipe.execute()
        return bool(removed)

    def pending_files(self, *, older_than_seconds: float = 0) -> list[SentFile]:
        """Files still awaiting results, oldest first; those sent over ``older_than_seconds`` ago."""
        cutoff = time.time() - older_than_seconds
        keys = [_text(k) for k in self.client.zrangebyscore(self._key("ledger", "by-time"), "-inf", cutoff)]
        if not keys:
            return []
        raws = self.client.hmget(self._key("ledger"), keys)
        return [self._sent_file(key, raw) for key, raw in zip(keys, raws, strict=True) if raw is not None]

    @staticmethod
    def _sent_file(key: str, raw: bytes | str) -> SentFile:
        data = json.loads(raw)
        return SentFile(key=key, entity=data["entity"], partner_keys=tuple(data["partner_keys"]),
                        sent_at=datetime.fromisoformat(data["sent_at"]))

    # --- flow runs -------------------------------------------------------------------------

    def record_run(self, run: FlowRun) -> None:
        data = asdict(run)
        data["started_at"] = run.started_at.isoformat()
        data["finished_at"] = run.finished_at.isoformat() if run.finished_at else None
        self.client.hset(self._key("runs"), run.flow, json.dumps(data))

    def last_run(self, flow: str) -> FlowRun | None:
        raw = self.client.hget(self._key("runs"), flow)
        return None if raw is None else self._flow_run(raw)

    def last_runs(self) -> dict[str, FlowRun]:
        return {_text(flow): self._flow_run(raw)
                for flow, raw in sorted(self.client.hgetall(self._key("runs")).items())}

    @staticmethod
    def _flow_run(raw: bytes | str) -> FlowRun:
        data = json.loads(raw)
        finished = data["finished_at"]
        return replace(FlowRun(**data), started_at=datetime.fromisoformat(data["started_at"]),
                       finished_at=datetime.fromisoformat(finished) if finished else None)

    @contextmanager
    def track_run(self, flow: str) -> Iterator[FlowRun]:
        """Record a run: "running" at once, then "ok", "limited" or "failed" (with the error) at the end.

        The error is recorded and re-raised: the caller's retry policy decides what happens next.
        """
        run = FlowRun(flow=flow, started_at=_now())
        self.record_run(run)
        try:
            yield run
        except BaseException as exc:
            run.outcome = "limited" if isinstance(exc, SalesforceLimitExceeded) else "failed"
            run.error = _cut(f"{type(exc).__name__}: {exc}")
            raise
        else:
            run.outcome = "ok"
        finally:
            run.finished_at = _now()
            self.record_run(run)

    # --- recent errors -------------------------------------------------------------------------

    def record_error(self, *, flow: str, message: str, file_key: str | None = None,
                     record_id: str | None = None) -> ErrorEntry:
        """Keep an error for ``status`` (newest first, the last ``MAX_RECENT_ERRORS``)."""
        entry = ErrorEntry(at=_now(), flow=flow, message=_cut(message), file_key=file_key, record_id=record_id)
        data = asdict(entry) | {"at": entry.at.isoformat()}
        with self.client.pipeline(transaction=True) as pipe:
            pipe.lpush(self._key("errors"), json.dumps(data))
            pipe.ltrim(self._key("errors"), 0, MAX_RECENT_ERRORS - 1)
            pipe.execute()
        return entry

    def recent_errors(self, *, limit: int = 20) -> list[ErrorEntry]:
        if limit < 1:
            return []
        entries = []
        for raw in self.client.lrange(self._key("errors"), 0, limit - 1):
            data = json.loads(raw)
            entries.append(ErrorEntry(**(data | {"at": datetime.fromisoformat(data["at"])})))
        return entries

    # --- content hashes (echo suppression) ----------------------------------------------------------

    def content_hashes(self, entity: str, record_keys: Iterable[str]) -> dict[str, str]:
        """The hash last exchanged with ACE for each record that has one."""
        keys = list(record_keys)
        if not keys:
            return {}
        values = self.client.mget([self._key("hash", entity, key) for key in keys])
        return {key: _text(value) for key, value in zip(keys, values, strict=True) if value is not None}

    def set_content_hashes(self, entity: str, hashes: Mapping[str, str]) -> None:
        """Remember what was last sent to or received from ACE, per record key."""
        if not hashes:
            return
        with self.client.pipeline(transaction=False) as pipe:
            for key, digest in hashes.items():
                pipe.set(self._key("hash", entity, key), digest, ex=CONTENT_HASH_TTL_SECONDS)
            pipe.execute()


def _cut(message: str) -> str:
    return message if len(message) <= MAX_ERROR_MESSAGE_CHARS else message[: MAX_ERROR_MESSAGE_CHARS - 1] + "…"
