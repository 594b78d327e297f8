"""The outbound flow: ACE's outbound files into Salesforce (ACE-CONTRACT §7, §8.5, §11.2-4).

``run_outbound(ctx)`` takes every outbound file of both entities, oldest first
(S3 ``LastModified``, then key), and hands each to
``process_outbound_file(ctx, key)``, which any number of workers may call at
once: a Redis lock with a TTL gives each file to one worker, and the lock is
renewed before every write so a worker that lost it stops writing.

A file is read twice, as a stream: first checked whole (``scan_envelope``),
then its records are applied in batches (``OutboundBatch``). It is tagged
``partner_processed=true`` (or deleted, by ``ACE_AFTER_PROCESSING``) only when
every record is handled: written, skipped as older, or refused by Salesforce
for its data (the refusal is on the record and in the log). When a record
could not be written for a passing reason (a locked row, the API limit), the
file stays untagged and the next run reads it again; records already applied
are then skipped by the newer-data guard, so re-reading is harmless.

A file that cannot be read (bad JSON, wrong envelope, too large) is
quarantined: tagged with the reason, never deleted, reported, and left alone
by later runs until someone removes the tag.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from botocore.exceptions import BotoCoreError, ClientError

from connector.ace.bucket import translate_error
from connector.errors import (
    BucketError,
    LockNotHeld,
    MalformedFileError,
    ObjectNotFound,
    ObjectTooLarge,
    SalesforceRequestError,
    TransientSalesforceError,
)
from connector.logs import get_logger
from connector.sync import report as counters
from connector.sync.context import SyncContext
from connector.sync.files import is_settled, quarantine_file, settle_file
from connector.sync.outbound_batch import FLOW, OUTBOUND_BATCH_RECORDS, OutboundBatch
from connector.sync.outbound_reader import iter_records, scan_envelope
from connector.sync.outbound_records import IncomingRecord, RecordRefused, read_incoming
from connector.sync.report import FlowReport
from connector.worker import metrics
from connector.worker.locks import kept_alive

#: A file lock lives this long unless renewed: the holder renews it every third of this while it
#: works, so a killed worker frees its file within a minute.
FILE_LOCK_TTL_SECONDS = 60

#: Failures that stop one file but not the run: the file stays untagged and is read again later.
#: (An exhausted API limit, an auth failure or a configuration error stop the whole run.)
FILE_LEVEL_ERRORS = (BucketError, LockNotHeld, SalesforceRequestError, TransientSalesforceError)

log = get_logger(__name__)


@dataclass(frozen=True)
class OutboundFile:
    key: str
    entity: str
    last_modified: datetime
    size: int


def outbound_files(ctx: SyncContext) -> list[OutboundFile]:
    """Non-empty objects of both outbound folders, oldest first (tags are checked when processing)."""
    files = [OutboundFile(key=info.key, entity=layout.entity, last_modified=info.last_modified, size=info.size)
             for layout in ctx.layout.entities if layout.entity in ctx.mappings
             for info in ctx.bucket.list_objects(layout.outbound)]
    return sorted(files, key=lambda f: (f.last_modified, f.key))


def run_outbound(ctx: SyncContext) -> FlowReport:
    """Process every pending outbound file once. Raises only what stops the whole run."""
    report = ctx.new_report(FLOW)
    for file in outbound_files(ctx):
        try:
            report.merge(process_outbound_file(ctx, file.key, entity=file.entity))
        except FILE_LEVEL_ERRORS as exc:
            report.count(counters.FILES_DEFERRED)
            message = f"{file.key}: not finished, will be read again: {type(exc).__name__}: {exc}"
            report.add_error(message)
            log.warning("outbound.file_deferred", file=file.key, error=str(exc), error_type=type(exc).__name__)
            if not ctx.dry_run:
                ctx.state.record_error(flow=FLOW, message=message, file_key=file.key)
    log.info("outbound.run_done", dry_run=ctx.dry_run, **report.as_counts())
    return report


def process_outbound_file(ctx: SyncContext, key: str, *, entity: str | None = None) -> FlowReport:
    """Apply one outbound file, unless another worker holds it or it is already done.

    Safe to call for the same key from several workers and again after a crash.
    Transient failures propagate (the file stays untagged); a malformed file is quarantined.
    """
    entity = entity or _entity_of(ctx, key)
    report = ctx.new_report(FLOW)
    lock = ctx.lock(f"outbound-file:{key}", ttl_seconds=FILE_LOCK_TTL_SECONDS)
    if not lock.acquire():
        report.count(counters.FILES_LOCKED)
        return report
    with kept_alive(lock):
        try:
            tags = ctx.bucket.get_tags(key)
        except ObjectNotFound:
            return report  # deleted by the worker that finished it
        if is_settled(tags):
            return report
        report.count(counters.FILES_SEEN)
        try:
            _apply_file(ctx, key, entity=entity, report=report, ensure_lock=lock.ensure_held)
        except (MalformedFileError, ObjectTooLarge) as exc:
            quarantine_file(ctx, key, flow=FLOW, folder=ctx.layout.for_entity(entity).outbound,
                            reason=_reason(exc), report=report)
    return report


def _apply_file(ctx: SyncContext, key: str, *, entity: str, report: FlowReport, ensure_lock: Any) -> None:
    with _opened(ctx, key, max_bytes=ctx.settings.ace_max_object_bytes) as stream:
        envelope = scan_envelope(stream, entity=entity, key=key)
    if ctx.settings.ace_spms_id and envelope.spms_id and envelope.spms_id != ctx.settings.ace_spms_id:
        log.warning("outbound.spms_id_mismatch", file=key, file_spms_id=envelope.spms_id,
                    configured_spms_id=ctx.settings.ace_spms_id)
    batch = OutboundBatch(ctx, entity=entity, file_key=key, report=report, before_write=ensure_lock)
    with _opened(ctx, key) as stream:
        for records in _batches(ctx, key, entity=entity, report=report,
                                records=iter_records(stream, record_key=envelope.record_key, key=key)):
            batch.apply(records)
    if batch.retry_later:
        report.count(counters.FILES_DEFERRED)
        log.warning("outbound.file_deferred", file=key, reason="records could not be written now")
        return
    _finish(ctx, key, report=report, ensure_lock=ensure_lock)


def _batches(ctx: SyncContext, key: str, *, entity: str, report: FlowReport,
             records: Iterator[dict[str, Any]]) -> Iterator[list[IncomingRecord]]:
    pending: list[IncomingRecord] = []
    for index, data in enumerate(records):
        try:
            pending.append(read_incoming(index, data, entity=entity))
        except RecordRefused as exc:
            _refuse_unmatched(ctx, key, str(exc), report=report)
        if len(pending) >= OUTBOUND_BATCH_RECORDS:
            yield pending
            pending = []
    if pending:
        yield pending


def _refuse_unmatched(ctx: SyncContext, key: str, message: str, *, report: FlowReport) -> None:
    """A record that matches no Salesforce record can only be reported, not written."""
    report.count(counters.RECORDS_FAILED)
    report.add_error(f"{key}: {message}")
    log.warning("outbound.record_failed", file=key, error=message)
    if not ctx.dry_run:
        ctx.state.record_error(flow=FLOW, message=message, file_key=key)
        metrics.record_failed(FLOW)


def _finish(ctx: SyncContext, key: str, *, report: FlowReport, ensure_lock: Any) -> None:
    if not ctx.dry_run:
        ensure_lock()
    action = settle_file(ctx, key, report=report)
    log.info("outbound.file_done", file=key, after=action, dry_run=ctx.dry_run)


def _reason(exc: MalformedFileError | ObjectTooLarge) -> str:
    if isinstance(exc, MalformedFileError):
        return exc.reason
    return str(exc).split(" is ", 1)[-1] if " is " in str(exc) else str(exc)


def _entity_of(ctx: SyncContext, key: str) -> str:
    for layout in ctx.layout.entities:
        if key.startswith(layout.outbound):
            return layout.entity
    raise ValueError(f"{key!r} is in no outbound folder "
                     f"({', '.join(layout.outbound for layout in ctx.layout.entities)})")


class _opened:  # noqa: N801 - used as a context manager, like open()
    """A streamed object body whose read errors are the project's own."""

    def __init__(self, ctx: SyncContext, key: str, *, max_bytes: int | None = None) -> None:
        self._bucket = ctx.bucket
        self._key = key
        self._body: IO[bytes] = ctx.bucket.open(key, max_bytes=max_bytes)

    def read(self, size: int = -1) -> bytes:
        try:
            return self._body.read(size)
        except (BotoCoreError, ClientError) as exc:
            raise translate_error(exc, bucket=self._bucket.name, key=self._key, action="read") from exc

    def __enter__(self) -> _opened:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._body.close()
