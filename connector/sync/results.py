"""The results flow: ACE's answers to our inbound files, written onto the records (ACE-CONTRACT §6, §11.7, §11.10).

Every results or error file in both results-folder spellings is read and
correlated by the ``fileName`` inside it (the key it answers; the file's own
name, ``_result`` or ``_results``, is only a fallback). Each per-record result
is matched to its Salesforce record by partner key (``partnerCrmUniqueIdentifier``,
which lead results use for ``partnerCrmLeadId`` too), or by ACE id when the
record sent none (an accept or reject). Then, in batches:

* success: status ``Synced``, error cleared, time; a created record also gets
  its new ACE id;
* failure: status ``Error`` with ACE's messages, and the time.

A whole-file rejection (``isApiError``, API errors, an error file) marks every
record of the file we sent (from the ledger) as Error and raises an alert: an
error-level log line, the ``inbound_files_rejected_total`` metric and a recent
error for ``status``. Only then is the results file deleted or tagged (by
``ACE_AFTER_PROCESSING``) and the ledger entry resolved. A malformed results
file is quarantined. Files in the ledger with no answer after
``ACE_RESULTS_TIMEOUT_SECONDS`` are alerted, once per file.

Several results files are handled together (``RESULTS_FILES_PER_BATCH``): with
one record per inbound file (ACE's advice) that turns hundreds of answers into
one query and one Collections call per 200 records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connector.ace.models import ResultsFile
from connector.ace.results import inbound_base_name
from connector.errors import MalformedFileError, ObjectNotFound, ObjectTooLarge
from connector.logs import get_logger
from connector.sync import report as counters
from connector.sync.context import SyncContext
from connector.sync.files import is_settled, quarantine_file, settle_file
from connector.sync.outbound import FILE_LEVEL_ERRORS
from connector.sync.outbound_batch import RETRY_LATER_CODES, sync_field
from connector.sync.outbound_records import STATUS_ERROR, STATUS_SYNCED, sf_datetime
from connector.sync.report import FlowReport
from connector.sync.results_match import RecordIndex, find_records
from connector.worker import metrics
from connector.worker.locks import RedisLock

FLOW = "results"
#: Results files read, matched and written together.
RESULTS_FILES_PER_BATCH = 100
#: A worker holds a results file this long without renewing.
RESULTS_LOCK_TTL_SECONDS = 120
#: An unanswered file is alerted once; the marker outlives any sane results delay.
UNANSWERED_ALERT_TTL_SECONDS = 30 * 24 * 3600

log = get_logger(__name__)


@dataclass
class _Job:
    """One results file being handled."""

    key: str
    entity: str
    lock: RedisLock
    results: ResultsFile
    answers: str  # the inbound key it answers
    retry_later: bool = False
    writes: list[dict[str, Any]] = field(default_factory=list)


def results_files(ctx: SyncContext) -> list[tuple[str, str]]:
    """``(key, entity)`` of every non-empty object in the results folders, oldest first."""
    found = []
    for layout in ctx.layout.entities:
        if layout.entity not in ctx.mappings:
            continue
        for prefix in layout.results_scan_prefixes:
            found.extend((info.last_modified, info.key, layout.entity) for info in ctx.bucket.list_objects(prefix))
    return [(key, entity) for _, key, entity in sorted(found)]


def run_results(ctx: SyncContext) -> FlowReport:
    """Handle every results file once, then alert on unanswered inbound files."""
    report = ctx.new_report(FLOW)
    files = results_files(ctx)
    for entity in sorted({entity for _, entity in files}):
        keys = [key for key, of in files if of == entity]
        for start in range(0, len(keys), RESULTS_FILES_PER_BATCH):
            _process(ctx, keys[start:start + RESULTS_FILES_PER_BATCH], entity=entity, report=report)
    alert_unanswered(ctx, report=report)
    log.info("results.run_done", dry_run=ctx.dry_run, **report.as_counts())
    return report


def process_results_file(ctx: SyncContext, key: str, *, entity: str | None = None) -> FlowReport:
    """Handle one results file (safe to call concurrently and repeatedly)."""
    report = ctx.new_report(FLOW)
    _process(ctx, [key], entity=entity or _entity_of(ctx, key), report=report)
    return report


def _entity_of(ctx: SyncContext, key: str) -> str:
    for layout in ctx.layout.entities:
        if any(key.startswith(prefix) for prefix in layout.results_scan_prefixes):
            return layout.entity
    raise ValueError(f"{key!r} is in no results folder")


def _process(ctx: SyncContext, keys: list[str], *, entity: str, report: FlowReport) -> None:
    jobs = [job for key in keys if (job := _open(ctx, key, entity=entity, report=report)) is not None]
    try:
        if jobs:
            _apply(ctx, jobs, entity=entity, report=report)
    except FILE_LEVEL_ERRORS as exc:
        report.count(counters.FILES_DEFERRED, len(jobs))
        message = f"{len(jobs)} results file(s) not finished, will be read again: {type(exc).__name__}: {exc}"
        report.add_error(message)
        log.warning("results.files_deferred", files=[j.key for j in jobs], error=str(exc))
        if not ctx.dry_run:
            ctx.state.record_error(flow=FLOW, message=message, file_key=jobs[0].key)
    finally:
        for job in jobs:
            job.lock.release()


def _open(ctx: SyncContext, key: str, *, entity: str, report: FlowReport) -> _Job | None:
    """Lock, check and parse one results file; None when it is not ours to handle now."""
    lock = ctx.lock(f"results-file:{key}", ttl_seconds=RESULTS_LOCK_TTL_SECONDS)
    if not lock.acquire():
        report.count(counters.FILES_LOCKED)
        return None
    try:
        tags = ctx.bucket.get_tags(key)
        if is_settled(tags):
            lock.release()
            return None
        report.count(counters.FILES_SEEN)
        results = ResultsFile.parse(ctx.bucket.read_bytes(key, max_bytes=ctx.settings.ace_max_object_bytes),
                                    key=key)
    except ObjectNotFound:
        lock.release()
        return None
    except (MalformedFileError, ObjectTooLarge) as exc:
        quarantine_file(ctx, key, flow=FLOW, folder=ctx.layout.for_entity(entity).results,
                        reason=getattr(exc, "reason", None) or str(exc), report=report)
        lock.release()
        return None
    except BaseException:
        lock.release()
        raise
    return _Job(key=key, entity=entity, lock=lock, results=results, answers=_answered_key(ctx, key, results, entity))


def _answered_key(ctx: SyncContext, key: str, results: ResultsFile, entity: str) -> str:
    """The inbound key a results file answers: its ``fileName``, else what its own name says."""
    if results.fileName:
        return results.fileName
    base = inbound_base_name(key) or key.rsplit("/", 1)[-1]
    inbound = ctx.layout.for_entity(entity).inbound
    candidates = [inbound + base + ".json", inbound + base]
    return next((c for c in candidates if ctx.state.sent_file(c) is not None), candidates[0])


def _apply(ctx: SyncContext, jobs: list[_Job], *, entity: str, report: FlowReport) -> None:
    mapping = ctx.mapping(entity)
    index = find_records(ctx, mapping, _wanted_keys(ctx, jobs))
    for job in jobs:
        _plan_job(ctx, mapping, job, index, report=report)
    payloads = _merged(jobs)
    if ctx.dry_run:
        for payload in payloads:
            report.plan("update", mapping.salesforce_object, key=payload["Id"], values=payload)
        for job in jobs:
            settle_file(ctx, job.key, report=report)
        return
    for job in jobs:
        job.lock.ensure_held()
    if payloads:
        results = ctx.salesforce.update(mapping.salesforce_object, payloads)
        for payload, result in zip(payloads, results, strict=True):
            if result.success:
                continue
            owners = [job for job in jobs if any(w["Id"] == payload["Id"] for w in job.writes)]
            if any(error.code in RETRY_LATER_CODES for error in result.errors):
                for job in owners:
                    job.retry_later = True
            else:  # deleted record, validation rule...: the outcome cannot be shown; say so
                log.error("results.outcome_not_recorded", record=payload["Id"], error=result.error_text,
                          files=[job.key for job in owners])
                ctx.state.record_error(flow=FLOW, message=f"outcome not written on {payload['Id']}: "
                                       f"{result.error_text}", record_id=payload["Id"])
    for job in jobs:
        if job.retry_later:
            report.count(counters.FILES_DEFERRED)
        else:
            _finish(ctx, job, report=report)


def _wanted_keys(ctx: SyncContext, jobs: list[_Job]) -> list[tuple[str | None, str | None]]:
    """``(partner_key, ace_id)`` of every record the jobs speak of (the ledger's for rejected files)."""
    pairs: list[tuple[str | None, str | None]] = []
    for job in jobs:
        pairs.extend((r.partnerCrmUniqueIdentifier, r.apnCrmUniqueIdentifier) for r in job.results.records)
        if job.results.is_file_error and (sent := ctx.state.sent_file(job.answers)) is not None:
            pairs.extend((key, None) for key in sent.partner_keys)
    return pairs


def _plan_job(ctx: SyncContext, mapping: Any, job: _Job, index: RecordIndex, *, report: FlowReport) -> None:
    when = sf_datetime(job.results.fileApnProcessedDT or ctx.now())
    status_field, error_field = sync_field(mapping, "status"), sync_field(mapping, "error")
    time_field = sync_field(mapping, "last_synced")

    def outcome(record_id: str, *, ok: bool, error: str | None, **extra: Any) -> None:
        values = {"Id": record_id, status_field: STATUS_SYNCED if ok else STATUS_ERROR,
                  error_field: None if ok else error, time_field: when, **extra}
        job.writes.append({name: value for name, value in values.items() if name})
        report.count(counters.RECORDS_OK if ok else counters.RECORDS_FAILED)

    if job.results.is_file_error:
        _reject_file(ctx, job, index, outcome, report=report)
        return
    for position, result in enumerate(job.results.records):
        stored = index.match(partner_key=result.partnerCrmUniqueIdentifier, ace_id=result.apnCrmUniqueIdentifier)
        if stored is None:
            log.warning("results.record_unmatched", file=job.key, position=position,
                        partner_key=result.partnerCrmUniqueIdentifier, ace_id=result.apnCrmUniqueIdentifier)
            report.count(counters.RECORDS_SKIPPED)
            continue
        if result.isSuccess:
            extra = {}
            if result.apnCrmUniqueIdentifier and not stored.ace_id:
                extra[mapping.ace_id_field] = result.apnCrmUniqueIdentifier  # a created record's new id
            outcome(stored.id, ok=True, error=None, **extra)
        else:
            message = "; ".join(result.errors or ()) or "ACE reported a failure without a message"
            outcome(stored.id, ok=False, error=message)
            report.add_error(f"{job.answers}: {stored.id}: {message}")
            log.warning("results.record_failed", file=job.answers, record=stored.id, error=message)
    if not ctx.dry_run:
        metrics.record_synced(FLOW, sum(1 for r in job.results.records if r.isSuccess))
        metrics.record_failed(FLOW, sum(1 for r in job.results.records if not r.isSuccess))


def _reject_file(ctx: SyncContext, job: _Job, index: RecordIndex, outcome: Any, *, report: FlowReport) -> None:
    """ACE applied nothing of the file: every record it carried is in error, and someone is told."""
    reasons = "; ".join(job.results.apiErrors or ()) or "ACE rejected the whole file"
    message = f"ACE rejected {job.answers}: {reasons}"
    sent = ctx.state.sent_file(job.answers)
    keys = list(sent.partner_keys) if sent else [r.partnerCrmUniqueIdentifier for r in job.results.records
                                                 if r.partnerCrmUniqueIdentifier]
    for key in dict.fromkeys(keys):
        stored = index.match(partner_key=key, ace_id=None)
        if stored is not None:
            outcome(stored.id, ok=False, error=message)
    report.count(counters.FILES_REJECTED)
    report.add_error(message)
    log.error("results.file_rejected", file=job.answers, results_file=job.key, reasons=reasons,
              records=len(keys), in_ledger=sent is not None)
    if not ctx.dry_run:
        metrics.record_file_rejected(job.entity)
        ctx.state.record_error(flow=FLOW, message=message, file_key=job.answers)


def _merged(jobs: list[_Job]) -> list[dict[str, Any]]:
    """One payload per record: a later file's outcome wins, an ACE id learnt earlier is kept."""
    by_id: dict[str, dict[str, Any]] = {}
    for job in jobs:
        for write in job.writes:
            by_id.setdefault(write["Id"], {}).update(write)
    return list(by_id.values())


def _finish(ctx: SyncContext, job: _Job, *, report: FlowReport) -> None:
    action = settle_file(ctx, job.key, report=report)
    ctx.state.resolve_sent_file(job.answers)
    log.info("results.file_done", file=job.key, answers=job.answers, after=action,
             records=len(job.results.records))


def alert_unanswered(ctx: SyncContext, *, report: FlowReport) -> list[str]:
    """Alert (once each) on inbound files ACE has not answered in ACE_RESULTS_TIMEOUT_SECONDS."""
    overdue = ctx.state.pending_files(older_than_seconds=ctx.settings.ace_results_timeout_seconds)
    if ctx.dry_run:
        report.count(counters.FILES_UNANSWERED, len(overdue))
        return [sent.key for sent in overdue]
    metrics.set_unanswered_files(len(overdue))
    alerted = []
    for sent in overdue:
        marker = f"{ctx.settings.redis_key_prefix}:results:unanswered-alerted:{sent.key}"
        if not ctx.redis.set(marker, "1", nx=True, ex=UNANSWERED_ALERT_TTL_SECONDS):
            continue
        age_seconds = int((ctx.now() - sent.sent_at).total_seconds())
        message = (f"no results from ACE for {sent.key} after {age_seconds} s "
                   f"({len(sent.partner_keys)} record(s)); ACE raises no alert of its own")
        log.error("results.file_unanswered", file=sent.key, age_seconds=age_seconds,
                  records=len(sent.partner_keys))
        ctx.state.record_error(flow=FLOW, message=message, file_key=sent.key)
        report.count(counters.FILES_UNANSWERED)
        report.add_error(message)
        alerted.append(sent.key)
    return alerted

