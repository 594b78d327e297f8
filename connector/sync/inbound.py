"""The inbound flow: Salesforce records changed since the last run, sent to ACE (ACE-CONTRACT §5, §7-§11).

``run_inbound(ctx)`` handles both entities; ``run_inbound_entity(ctx, entity)``
one of them, under a Redis lock (one worker per entity at a time). For each:

1. select the records the mapping's ``send_when`` picks (or whose referral
   decision is set) changed since the watermark: ``SystemModstamp >=`` the
   watermark's second, ``ORDER BY SystemModstamp, Id``, read page by page;
   records already handled at the watermark's own second are dropped (ties at
   a whole second are common);
2. plan each record (``inbound_records``): map it, skip it when ACE already has
   its content (the content hash on the record or in Redis, whether last sent
   or last received — so what the outbound flow just wrote is never echoed),
   when ACE reviews it or when it is a referral awaiting the partner's
   decision; hold an update of a record sent less than
   ``ACE_INBOUND_MIN_RESEND_SECONDS`` ago (the watermark stops short of it);
   send a decision alone; run ACE's own rules on the rest, and write the
   error on the record instead of sending what ACE would refuse;
3. pack what is to be sent into files (``ACE_INBOUND_RECORDS_PER_FILE`` records,
   under 1 MB, unique names), upload each with the ``bucket-owner-full-control``
   ACL and enter it in the ledger of files awaiting results;
4. remember what went (content hashes in Redis), mark the sent records
   ``Sent`` with their content hash, and the refused ones ``Error`` with the
   reason (an error already on the record is neither written nor reported
   again: a refused record read once more is no news);
5. only then advance the watermark — but never over the last
   ``MODSTAMP_SETTLE_SECONDS``: the org may still stamp changes with those
   seconds, so their records are read again next run (and skipped by hash).

Records are handled ``INBOUND_BATCH_RECORDS`` at a time, the watermark
advancing after each batch, so a long backlog is never held in memory and an
interrupted run resumes where it stopped: what it already sent is skipped by
its content hash. A dry run reads and plans as usual and reports the files it
would write (``put``) and the record updates, writing nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from connector.ace.rules import RuleContext
from connector.errors import BucketError, LockNotHeld, TransientSalesforceError
from connector.logs import get_logger
from connector.salesforce.soql import WATERMARK_FIELD, watermark_query
from connector.settings import ACE_INBOUND_MAX_BYTES
from connector.sync import report as counters
from connector.sync.context import SyncContext
from connector.sync.inbound_files import InboundFile, OutgoingRecord, PackedFiles, pack_files
from connector.sync.inbound_records import Fail, Hold, RecordPlanner, Send, Skip
from connector.sync.outbound_records import STATUS_ERROR, STATUS_SENT, parse_sf_datetime
from connector.sync.referrals import DECISION_ACE_FIELDS, AceMirror, salesforce_field_of
from connector.sync.report import FlowReport
from connector.sync.state import Watermark
from connector.worker import metrics
from connector.worker.locks import kept_alive

FLOW = "inbound"
#: Records planned, sent and marked per round; the watermark advances after each.
INBOUND_BATCH_RECORDS = 200
#: One worker per entity; the holder keeps the lock renewed while it works, so a
#: killed worker frees the entity within a minute.
INBOUND_LOCK_TTL_SECONDS = 60
#: Counted when another worker was already sending the entity's records.
ENTITY_BUSY = "entity_busy"
#: The sync error field is Long Text (32,768); a reason is never that long, but never cut a write short.
MAX_ERROR_TEXT_CHARS = 32_000
#: Hashes of inbound-only fields sent, decision fingerprints and partner keys sent to referrals
#: live beside the content hashes, each under its own name.
INBOUND_ONLY_SUFFIX, DECISION_SUFFIX, LINK_SUFFIX, SENT_AT_SUFFIX = "-inbound-only", "-decision", "-link", "-sent-at"
#: Counted for updates waiting for ACE_INBOUND_MIN_RESEND_SECONDS to pass.
RECORDS_HELD = "records_held"
#: Records changed this recently are read but not yet passed by the watermark: the org may still
#: stamp more changes with that second (a record edited again within it would otherwise be lost).
MODSTAMP_SETTLE_SECONDS = 2
#: Failures that stop one entity's run but not the other's: the next run starts from the same watermark.
ENTITY_LEVEL_ERRORS = (BucketError, TransientSalesforceError, LockNotHeld)

log = get_logger(__name__)


def run_inbound(ctx: SyncContext) -> FlowReport:
    """Send every changed record of both entities. Raises only what stops the whole run."""
    report = ctx.new_report(FLOW)
    for entity in DECISION_ACE_FIELDS:
        if entity in ctx.mappings:
            report.merge(run_inbound_entity(ctx, entity))
    log.info("inbound.run_done", dry_run=ctx.dry_run, **report.as_counts())
    return report


def run_inbound_entity(ctx: SyncContext, entity: str) -> FlowReport:
    """Send the changed records of one entity, unless another worker is already doing it.

    A passing failure (S3, a transient Salesforce error, the lock lost) ends the
    entity's run with an error in the report: what was sent is remembered, and
    the next run starts again from the same watermark. Anything else propagates.
    """
    report = ctx.new_report(FLOW)
    lock = ctx.lock(f"inbound:{entity}", ttl_seconds=INBOUND_LOCK_TTL_SECONDS)
    if not lock.acquire():
        report.count(ENTITY_BUSY)
        return report
    with kept_alive(lock):
        try:
            _EntityRun(ctx, entity=entity, report=report, ensure_lock=lock.ensure_held).run()
        except ENTITY_LEVEL_ERRORS as exc:
            message = f"{entity}: not finished, resumed next run: {type(exc).__name__}: {exc}"
            report.add_error(message)
            log.warning("inbound.entity_deferred", entity=entity, error=str(exc), error_type=type(exc).__name__)
            if not ctx.dry_run:
                ctx.state.record_error(flow=FLOW, message=message)
    return report


def selection_filter(mapping: Any) -> str | None:
    """The mapping's ``send_when``, widened to records whose referral decision is set.

    A referral the outbound flow created may not match ``send_when`` (it was not
    the partner's to share), yet its decision, and later its link, must go.
    """
    decision_field = salesforce_field_of(mapping, DECISION_ACE_FIELDS[mapping.entity], writes_ace=True)
    send_when = (mapping.send_when or "").strip() or None
    if send_when is None or decision_field is None:
        return send_when
    return f"({send_when}) OR ({decision_field} != null)"


@dataclass(frozen=True)
class _Row:
    id: str
    data: Mapping[str, Any]
    modified: datetime  # SystemModstamp


class _EntityRun:
    def __init__(self, ctx: SyncContext, *, entity: str, report: FlowReport, ensure_lock: Any) -> None:
        self.ctx = ctx
        self.entity = entity
        self.report = report
        self.ensure_lock = ensure_lock
        self.mapping = ctx.mapping(entity)
        self.mirror = AceMirror(self.mapping)
        self.object_name = self.mapping.salesforce_object
        self.layout = ctx.layout.for_entity(entity)
        self.rules = RuleContext.at(ctx.now())
        self.sync_fields: Mapping[str, str] = self.mapping.sync_fields

    # --- reading --------------------------------------------------------------------------------

    def run(self) -> None:
        # The org's clock stamps SystemModstamp: compare with the wall clock, not the flow's clock.
        self.settled_before = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=MODSTAMP_SETTLE_SECONDS)
        mark = self.ctx.state.watermark(self.object_name)
        soql = watermark_query(self.object_name, [*self.mapping.soql_fields, *self.mirror.soql_fields],
                               since=mark.at if mark else None, extra_where=selection_filter(self.mapping))
        mark = mark or Watermark.initial()
        for rows in self._batches(self.ctx.salesforce.query(soql), mark):
            mark = self._handle(rows, mark)

    def _batches(self, records: Iterable[Mapping[str, Any]], mark: Watermark) -> Iterator[list[_Row]]:
        batch: list[_Row] = []
        for record in records:
            modified = parse_sf_datetime(record.get(WATERMARK_FIELD))
            if modified is None:
                log.warning("inbound.record_without_modstamp", object=self.object_name, record=record.get("Id"))
                continue
            if mark.is_seen(record["Id"], modified):
                continue
            batch.append(_Row(record["Id"], {k: v for k, v in record.items() if k != "attributes"}, modified))
            if len(batch) >= INBOUND_BATCH_RECORDS:
                yield batch
                batch = []
        if batch:
            yield batch

    # --- one batch ------------------------------------------------------------------------------

    def _handle(self, rows: list[_Row], mark: Watermark) -> Watermark:
        ids = [row.id for row in rows]
        planner = RecordPlanner(entity=self.entity, mapping=self.mapping, mirror=self.mirror, rules=self.rules,
                                hashes=self.ctx.state.content_hashes(self.entity, ids),
                                inbound_only_hashes=self.ctx.state.content_hashes(self._key(INBOUND_ONLY_SUFFIX), ids),
                                decision_hashes=self.ctx.state.content_hashes(self._key(DECISION_SUFFIX), ids),
                                links=self.ctx.state.content_hashes(self._key(LINK_SUFFIX), ids),
                                sent_at=self.ctx.state.content_hashes(self._key(SENT_AT_SUFFIX), ids),
                                min_resend_seconds=self.ctx.settings.ace_inbound_min_resend_seconds)
        plans = [planner.plan(row.data) for row in rows]
        for skip in (p for p in plans if isinstance(p, Skip)):
            self.report.count(counters.RECORDS_SKIPPED)
            log.debug("inbound.record_skipped", object=self.object_name, record=skip.sf_id, reason=skip.reason)
        held = {p.sf_id for p in plans if isinstance(p, Hold)}
        self.report.count(RECORDS_HELD, len(held))
        packed = pack_files((p.outgoing for p in plans if isinstance(p, Send)), entity=self.entity,
                            prefix=self.layout.inbound, spms_id=self.ctx.settings.ace_spms_id, now=self.ctx.now(),
                            records_per_file=self.ctx.settings.ace_inbound_records_per_file)
        failures = [p for p in plans if isinstance(p, Fail)] + [_too_large(r, size) for r, size in packed.too_large]
        # A refusal already on the record was reported when it was written: nothing new happened.
        self.report.count(counters.RECORDS_SKIPPED, sum(f.already_recorded for f in failures))
        failures = [f for f in failures if not f.already_recorded]
        if self.ctx.dry_run:
            self._plan_dry_run(packed, failures)
            return mark
        sent: list[OutgoingRecord] = []
        try:
            for file in packed.files:
                self._upload(file)
                sent.extend(file.records)
        finally:
            self._mark_sent(sent)  # whatever went out is remembered, even if a later upload failed
        self._record_failures(failures)
        advanced = mark.advanced((row.id, row.modified) for row in _passable(rows, held=held,
                                                                               before=self.settled_before))
        self.ctx.state.set_watermark(self.object_name, advanced)
        return advanced

    def _key(self, suffix: str) -> str:
        return self.entity + suffix

    def _upload(self, file: InboundFile) -> None:
        self.ensure_lock()
        self.ctx.bucket.put_bytes(file.key, file.body)
        self.ctx.state.record_sent_file(file.key, entity=self.entity, partner_keys=file.partner_keys,
                                        sent_at=self.ctx.now())
        self.report.count(counters.FILES_SENT)
        self.report.count(counters.RECORDS_OK, len(file.records))
        log.info("inbound.file_sent", file=file.key, records=len(file.records), bytes=file.size_bytes,
                 kinds=sorted({r.kind for r in file.records}))

    def _mark_sent(self, sent: list[OutgoingRecord]) -> None:
        if not sent:
            return
        self.ctx.state.set_content_hashes(self.entity, {r.sf_id: r.content_hash for r in sent if r.content_hash})
        self.ctx.state.set_content_hashes(self._key(INBOUND_ONLY_SUFFIX), {r.sf_id: r.inbound_only_hash for r in sent
                                                                          if r.inbound_only_hash})
        self.ctx.state.set_content_hashes(self._key(DECISION_SUFFIX), {r.sf_id: r.decision_fingerprint for r in sent
                                                                       if r.decision_fingerprint})
        self.ctx.state.set_content_hashes(self._key(LINK_SUFFIX), {r.sf_id: r.partner_key for r in sent
                                                                   if r.links_referral})
        sent_at = self.ctx.now().isoformat()
        self.ctx.state.set_content_hashes(self._key(SENT_AT_SUFFIX), {r.sf_id: sent_at for r in sent})
        metrics.record_synced(FLOW, len(sent))
        self._write([{"Id": r.sf_id, **self._sync_values(STATUS_SENT, error=None, content_hash=r.content_hash)}
                     for r in sent])

    def _record_failures(self, failures: list[Fail]) -> None:
        if not failures:
            return
        self.report.count(counters.RECORDS_FAILED, len(failures))
        metrics.record_failed(FLOW, len(failures))
        for failure in failures:
            self.report.add_error(f"{self.object_name} {failure.sf_id}: {failure.message}")
            self.ctx.state.record_error(flow=FLOW, message=failure.message, record_id=failure.sf_id)
            log.warning("inbound.record_refused", object=self.object_name, record=failure.sf_id,
                        error=failure.message)
        self._write([{"Id": f.sf_id, **self._sync_values(STATUS_ERROR, error=f.message)} for f in failures])

    def _sync_values(self, status: str, *, error: str | None, content_hash: str | None = None) -> dict[str, Any]:
        values = {self.sync_fields.get("status"): status,
                  self.sync_fields.get("error"): error[:MAX_ERROR_TEXT_CHARS] if error else None}
        if content_hash is not None:
            values[self.sync_fields.get("content_hash")] = content_hash
        return {name: value for name, value in values.items() if name}

    def _write(self, payloads: list[dict[str, Any]]) -> None:
        if not payloads:
            return
        self.ensure_lock()
        for payload, result in zip(payloads, self.ctx.salesforce.update(self.object_name, payloads), strict=True):
            if not result.success:
                message = f"could not record the sync outcome on {self.object_name} {payload['Id']}: " \
                          f"{result.error_text}"
                self.report.add_error(message)
                self.ctx.state.record_error(flow=FLOW, message=message, record_id=payload["Id"])
                log.error("inbound.outcome_not_recorded", object=self.object_name, record=payload["Id"],
                          error=result.error_text)

    # --- dry run ---------------------------------------------------------------------------------

    def _plan_dry_run(self, packed: PackedFiles, failures: list[Fail]) -> None:
        for file in packed.files:
            self.report.plan("put", file.key, values={"records": len(file.records), "bytes": file.size_bytes,
                                                      "partner_keys": file.partner_keys,
                                                      "kinds": [r.kind for r in file.records]})
            self.report.count(counters.RECORDS_PLANNED, len(file.records))
            for record in file.records:
                self.report.plan("update", self.object_name, key=record.sf_id,
                                 values=self._sync_values(STATUS_SENT, error=None, content_hash=record.content_hash))
        for failure in failures:
            self.report.count(counters.RECORDS_FAILED)
            self.report.add_error(f"{self.object_name} {failure.sf_id}: {failure.message}")
            self.report.plan("update", self.object_name, key=failure.sf_id,
                             values=self._sync_values(STATUS_ERROR, error=failure.message))


def _passable(rows: list[_Row], *, held: set[str], before: datetime) -> list[_Row]:
    """The rows the watermark may pass: changed before ``before``, and not after a held record's second.

    A held record must be read again, so the watermark stops at its second
    (other records of that second are still marked seen); rows past it are
    read again too and skipped by their content hash.
    """
    seconds = [row.modified.replace(microsecond=0) for row in rows if row.id in held]
    stop = min(seconds) if seconds else None
    return [row for row in rows if row.modified < before and row.id not in held
            and (stop is None or row.modified.replace(microsecond=0) <= stop)]


def _too_large(record: OutgoingRecord, size_bytes: int) -> Fail:
    return Fail(record.sf_id, f"the record takes {size_bytes} bytes as an ACE file; ACE takes files of at most "
                              f"{ACE_INBOUND_MAX_BYTES} bytes (1 MB): shorten its longest texts")
