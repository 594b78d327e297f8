"""Inbound pickup: answer every file the partner put in an inbound folder (ACE-CONTRACT §5, §6, §16.2).

Per file, in order: duplicate name, extension, ACL, size, envelope and version,
then each record through ``inbound``. Every file gets exactly one answer (a
results file, or an error file for non-JSON uploads; a reused name may be
dropped silently by flag), is copied to the inbound archive and deleted.

The answer is first recorded in the state as *pending*, then written to S3;
if the simulator stops half-way the next pickup finishes the delivery instead
of processing the file a second time. A file that cannot be read never stops
the others: S3 failures leave it for the next pickup, anything else is answered
with a whole-file error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from connector.ace.bucket import AceBucket, ObjectInfo
from connector.ace.layout import AceLayout, EntityLayout, archive_of
from connector.errors import BucketError, ObjectNotFound, ObjectTooLarge
from connector.logs import get_logger
from connector.settings import ACE_INBOUND_MAX_BYTES
from connector.sandbox.ace.config import SimulatorConfig
from connector.sandbox.ace.envelope import FileRejected, check_size, read_envelope
from connector.sandbox.ace.inbound import process_lead, process_opportunity, rule_context
from connector.sandbox.ace.leads import LeadBook
from connector.sandbox.ace.opportunities import OpportunityBook
from connector.sandbox.ace.permissions import (
    REJECTED_FOLDER,
    SIMULATOR_METADATA,
    find_foreign_writes,
    foreign_write_error,
    has_owner_full_control,
    missing_acl_error,
)
from connector.sandbox.ace.results import (
    RecordOutcome,
    ace_timestamp,
    error_file_name,
    file_error_document,
    results_document,
    results_name,
)
from connector.sandbox.ace.state import SimulatorState

UNSUPPORTED_FILE_TYPE = "Unsupported file type: only .json files are processed"
DUPLICATES_FOLDER = "duplicates/"

log = get_logger(__name__)


@dataclass(frozen=True)
class FileReport:
    """How one inbound object was answered."""

    key: str
    #: the results or error file written (None: nothing written, e.g. a silent duplicate)
    answer_key: str | None
    #: the answer's `success` (ALL / NONE / PARTIAL), None when nothing was answered
    success: str | None
    #: the whole-file error, if the file was rejected as a whole or left for later
    reason: str | None = None


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S") + f"{moment.microsecond // 1000:03d}Z"


class Pickup:
    def __init__(self, *, bucket: AceBucket, layout: AceLayout, config: SimulatorConfig,
                 state: SimulatorState, clock: Callable[[], datetime], save: Callable[[], None]) -> None:
        self.bucket = bucket
        self.layout = layout
        self.config = config
        self.state = state
        self.clock = clock
        self.save = save
        self._owner_id: str | None = None

    def run(self) -> list[FileReport]:
        for key in list(self.state.pending):
            try:
                self._deliver(key)
            except BucketError as exc:
                log.warning("delivery of an answer failed again; retried at the next pickup", key=key,
                            error=str(exc))
        reports = self._reject_foreign_writes()
        for entity in self.layout.entities:
            for info in self.bucket.list_objects(entity.inbound, skip_empty=False):
                if info.key.endswith("/") and info.size == 0:
                    continue  # a folder marker, not a file
                reports.append(self._process_safely(entity, info))
        return reports

    # --- one file -------------------------------------------------------------------------------

    def _process_safely(self, entity: EntityLayout, info: ObjectInfo) -> FileReport:
        if info.key in self.state.pending:
            return FileReport(info.key, None, None, reason="delivery pending; retried at the next pickup")
        try:
            return self._process(entity, info)
        except BucketError as exc:
            # S3 trouble (the object vanished, throttling): leave it for the next pickup.
            log.warning("inbound file left for the next pickup", key=info.key, error=str(exc))
            return FileReport(info.key, None, None, reason=str(exc))
        except Exception as exc:  # noqa: BLE001 - one bad file must never stop the others
            if info.key in self.state.pending:  # answered, but the delivery broke off: finish it next time
                log.exception("delivery of an answer failed; retried at the next pickup", key=info.key)
                return FileReport(info.key, None, None, reason=f"delivery failed ({type(exc).__name__}); "
                                                               "retried at the next pickup")
            log.exception("inbound file failed unexpectedly", key=info.key)
            reason = f"The file could not be processed (internal error: {type(exc).__name__})"
            document = file_error_document(file_key=info.key, spms_id=None, errors=[reason],
                                           processed_at=self.clock(), results=[])
            return self._answer(entity, info, document=document,
                                answer_key=self._results_prefix(entity) + self._results_name(entity, info))

    def _process(self, entity: EntityLayout, info: ObjectInfo) -> FileReport:
        name = info.key[len(entity.inbound):]
        if name in self.state.processed[entity.entity]:
            return self._duplicate(entity, info, name)
        if not name.lower().endswith(".json"):
            return self._reject(entity, info, [UNSUPPORTED_FILE_TYPE], spms_id=None, results=None,
                                answer_key=self._results_prefix(entity) + error_file_name(name))
        answer_key = self._results_prefix(entity) + self._results_name(entity, info)
        if self.config.flags.check_inbound_acl and not self._acl_ok(info.key):
            return self._reject(entity, info, [missing_acl_error(info.key)], spms_id=None, results=[],
                                answer_key=answer_key)
        try:
            check_size(info.size)
            data = self.bucket.read_bytes(info.key, max_bytes=ACE_INBOUND_MAX_BYTES)
            envelope = read_envelope(data, array_key=entity.record_array_key, flags=self.config.flags,
                                     high_water=self.state.version_high_water)
        except ObjectTooLarge:  # it grew between the listing and the read
            return self._reject(entity, info, [f"The file is over {ACE_INBOUND_MAX_BYTES} bytes (1 MB) "
                                               "and was not processed"], spms_id=None, results=[],
                                answer_key=answer_key)
        except FileRejected as rejected:
            return self._reject(entity, info, rejected.errors, spms_id=rejected.spms_id, results=[],
                                answer_key=answer_key)
        self.state.version_high_water = max(self.state.version_high_water or 0, envelope.major_version)
        outcomes = [self._process_record(entity, record, payload_version=envelope.major_version)
                    for record in envelope.records]
        document = results_document(file_key=info.key, spms_id=envelope.spms_id, outcomes=outcomes,
                                    processed_at=self.clock())
        return self._answer(entity, info, document=document, answer_key=answer_key)

    def _process_record(self, entity: EntityLayout, record: Any, *, payload_version: int) -> RecordOutcome:
        now = self.clock()
        opportunities = OpportunityBook(self.state, self.config, now=now)
        context = rule_context(self.config, opportunities, now=now, payload_version=payload_version)
        try:
            if entity.entity == "opportunity":
                return process_opportunity(record, book=opportunities, context=context)
            return process_lead(record, book=LeadBook(self.state, self.config, now=now), context=context)
        except Exception as exc:  # noqa: BLE001 - one bad record must not sink the file
            log.exception("inbound record failed unexpectedly", entity=entity.entity)
            return RecordOutcome(errors=[f"The record could not be processed (internal error: "
                                         f"{type(exc).__name__})"])

    def _acl_ok(self, key: str) -> bool:
        if self._owner_id is None:
            self._owner_id = self.bucket.owner_id()
        return has_owner_full_control(self.bucket.get_object_acl(key), self._owner_id)

    def _results_prefix(self, entity: EntityLayout) -> str:
        return entity.results if self.config.flags.results_prefix_style == "processed" else entity.results_alternate

    def _results_name(self, entity: EntityLayout, info: ObjectInfo) -> str:
        return results_name(info.key[len(entity.inbound):], suffix=self.config.flags.results_suffix)

    # --- answers --------------------------------------------------------------------------------

    def _duplicate(self, entity: EntityLayout, info: ObjectInfo, name: str) -> FileReport:
        now = self.clock()
        archive_key = f"{entity.inbound_archive}{DUPLICATES_FOLDER}{_stamp(now)}/{name}"
        if self.config.flags.duplicate_name_behaviour == "silent":
            return self._answer(entity, info, document=None, answer_key=None, archive_key=archive_key)
        first = self.state.processed[entity.entity][name]
        reason = (f"Duplicate file name: {info.key} was already processed at {first}; "
                  "every inbound file needs a new, unique name")
        document = file_error_document(file_key=info.key, spms_id=None, errors=[reason], processed_at=now,
                                       results=[])
        # A unique answer name, so the first upload's results are never overwritten.
        base = results_name(name, suffix=self.config.flags.results_suffix)[: -len(".json")]
        answer_key = f"{self._results_prefix(entity)}{base}_duplicate_{_stamp(now)}.json"
        return self._answer(entity, info, document=document, answer_key=answer_key, archive_key=archive_key)

    def _reject(self, entity: EntityLayout, info: ObjectInfo, errors: list[str], *, spms_id: Any,
                results: list[Any] | None, answer_key: str) -> FileReport:
        document = file_error_document(file_key=info.key, spms_id=spms_id, errors=errors,
                                       processed_at=self.clock(), results=results)
        return self._answer(entity, info, document=document, answer_key=answer_key)

    def _answer(self, entity: EntityLayout, info: ObjectInfo, *, document: dict[str, Any] | None,
                answer_key: str | None, archive_key: str | None = None, remember: bool = True) -> FileReport:
        now = self.clock()
        name = info.key[len(entity.inbound):]
        if remember and name not in self.state.processed[entity.entity]:
            self.state.processed[entity.entity][name] = ace_timestamp(now)
        results_archive_key = None
        if answer_key is not None:
            results_prefix = self._results_prefix(entity)
            relative = answer_key[len(results_prefix):]
            results_archive_key = f"{archive_of(results_prefix)}{now:%Y/%m/%d}/{relative}"
        self.state.pending[info.key] = {
            "document": document, "answer_key": answer_key, "results_archive_key": results_archive_key,
            "archive_key": archive_key or entity.inbound_archive + name,
        }
        self.save()
        self._deliver(info.key)
        reason = "; ".join(document["apiErrors"]) if document and document.get("apiErrors") else None
        return FileReport(info.key, answer_key, document["success"] if document else None, reason=reason)

    def _deliver(self, key: str) -> None:
        """Write the answer, archive the file and delete it (idempotent: safe to repeat)."""
        pending = self.state.pending[key]
        if pending["answer_key"] is not None:
            body = json.dumps(pending["document"], indent=2, ensure_ascii=False).encode("utf-8")
            for answer_key in (pending["answer_key"], pending["results_archive_key"]):
                self.bucket.put_bytes(answer_key, body, acl=None, metadata=SIMULATOR_METADATA)
        try:
            self.bucket.copy(key, pending["archive_key"], metadata=SIMULATOR_METADATA)
        except ObjectNotFound:
            pass  # already archived and deleted by an earlier, interrupted delivery
        self.bucket.delete(key)
        del self.state.pending[key]
        self.save()

    # --- writes outside the inbound folders ----------------------------------------------------------

    def _reject_foreign_writes(self) -> list[FileReport]:
        # Compared with S3's LastModified, so wall-clock time, whatever the simulated clock says.
        started = datetime.now(timezone.utc)
        since = self.state.permission_checked_until
        found, checked = find_foreign_writes(self.bucket, self.layout,
                                             since=datetime.fromisoformat(since) if since else None,
                                             checked=self.state.permission_checked)
        reports = []
        for entity, info in found:
            flat_name = info.key.replace("/", "_")
            document = file_error_document(file_key=info.key, spms_id=None,
                                           errors=[foreign_write_error(info.key, self.layout)],
                                           processed_at=self.clock(), results=None)
            reports.append(self._answer(
                entity, info, document=document, remember=False,
                answer_key=self._results_prefix(entity) + error_file_name(flat_name),
                archive_key=f"{entity.inbound_archive}{REJECTED_FOLDER}{info.key}"))
        # Only now, with every breach found recorded as an answer owed: a crash before this point
        # finds them again rather than forgetting one.
        self.state.permission_checked = checked
        self.state.permission_checked_until = started.isoformat()
        return reports
