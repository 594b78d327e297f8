"""Apply one batch of an outbound file's records to Salesforce.

For each batch (at most ``OUTBOUND_BATCH_RECORDS`` records: a sObject Collections
call per 200 of them, and the guard's look-ups for all of them at once):

1. keep the newest copy of each ACE id;
2. read what the org holds: one query by ACE id (two when the ids do not fit
   one request URL), and one by partner key for
   records not found that way (a partner-created record whose new ACE id the
   results flow has not written yet must be updated, not duplicated);
3. skip records whose ACE ``lastModifiedDate`` is older than the one already
   applied (an older or re-read file never overwrites newer data), and those of
   the same second whose content the record already holds (ACE stamps whole
   seconds, so two versions may share a stamp);
4. map each record and write: upsert by ACE id (creating AWS referrals, with
   placeholders for required fields ACE masks), or update by Id when the
   record was found by its partner key;
5. write each refused record's error on the record (status Error), or create
   it with the error when it did not exist yet, so the admin sees it.

Records matched to Salesforce records that ACE does not yet know by their
partner key (new AWS referrals) are marked ``Pending``: the inbound flow owes
ACE the link (both keys), which ACE accepts once the referral is accepted.
Linked records are marked ``Synced``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connector.logs import get_logger
from connector.salesforce import WriteResult
from connector.salesforce.errors import LIMIT_ERROR_CODES, NOT_APPLIED_CODES
from connector.sync import report as counters
from connector.sync.context import SyncContext
from connector.sync.outbound_records import (
    STATUS_ERROR,
    STATUS_PENDING,
    STATUS_SYNCED,
    Age,
    IncomingRecord,
    StoredRecord,
    age_of,
    creation_placeholders,
    looks_like_salesforce_id,
    newest_per_ace_id,
    parse_sf_datetime,
    same_salesforce_value,
    sf_datetime,
)
from connector.sync.report import FlowReport
from connector.worker import metrics

#: Records per batch. The guard reads them with one look-up (a query per ~850 ACE ids, the
#: URL's limit) and the client writes them 200 a Collections call: with batches of 200 the
#: reads were as many as the writes, 100 calls for 10,000 records instead of about 70.
OUTBOUND_BATCH_RECORDS = 1000
#: Per-record codes that mean "not applied, try again later": the file stays pending.
RETRY_LATER_CODES = NOT_APPLIED_CODES | LIMIT_ERROR_CODES

FLOW = "outbound"

log = get_logger(__name__)


def sync_field(mapping: Any, name: str) -> str | None:
    """The Salesforce field the mapping uses for sync value ``name`` (status, error, ...), if any."""
    fields = mapping.sync_fields
    return fields.get(name) if isinstance(fields, Mapping) else getattr(fields, name, None)


def blocking_problems(problems: Any) -> list[Any]:
    """The mapping problems that stop a record (warnings, when the mapping has them, do not)."""
    return [p for p in problems or () if getattr(p, "severity", "error") == "error"]


@dataclass
class _Write:
    record: IncomingRecord
    stored: StoredRecord | None
    payload: dict[str, Any]
    content_hash: str | None = None


@dataclass
class _Plan:
    upserts: list[_Write] = field(default_factory=list)  # by ACE id
    updates: list[_Write] = field(default_factory=list)  # by Id (found by partner key)
    refused: list[tuple[IncomingRecord, StoredRecord | None, str]] = field(default_factory=list)


class OutboundBatch:
    """Applies batches of one file's records; ``retry_later`` turns True if any could not be written now."""

    def __init__(self, ctx: SyncContext, *, entity: str, file_key: str, report: FlowReport,
                 before_write: Callable[[], None]) -> None:
        self.ctx = ctx
        self.entity = entity
        self.mapping = ctx.mapping(entity)
        self.file_key = file_key
        self.report = report
        self.before_write = before_write
        self.retry_later = False
        self.object_name = self.mapping.salesforce_object
        self.ace_id_field = self.mapping.ace_id_field
        self.partner_key_field = self.mapping.partner_key_field or "Id"
        self.last_modified_field = sync_field(self.mapping, "ace_last_modified")
        self.hash_field = sync_field(self.mapping, "content_hash")
        #: Salesforce fields only ACE writes (AWS's view): the content hash covers the others
        self.received_only_fields = [name for rule in getattr(getattr(self.mapping, "spec", None), "rules", ())
                                     if not rule.direction.writes_ace for name in rule.salesforce]

    # --- reading ----------------------------------------------------------------------------

    def _stored(self, records: list[IncomingRecord]) -> tuple[dict[str, StoredRecord], dict[str, StoredRecord]]:
        # The mapping's own fields too: it keeps a value the admin chose when that value
        # already maps to what ACE sends (two Salesforce stages for one ACE stage, say).
        fields = ["Id", self.ace_id_field, self.partner_key_field, *self.mapping.soql_fields,
                  *self.received_only_fields]
        if self.last_modified_field:
            fields.append(self.last_modified_field)
        fields = list(dict.fromkeys(fields))
        by_ace_id = {row.ace_id: row for row in self._find(fields, self.ace_id_field,
                                                           [r.ace_id for r in records]) if row.ace_id}
        wanted = [r.partner_key for r in records if r.ace_id not in by_ace_id and r.partner_key
                  and (self.partner_key_field != "Id" or looks_like_salesforce_id(r.partner_key))]
        by_partner_key: dict[str, StoredRecord] = {}
        for row in self._find(fields, self.partner_key_field, wanted) if wanted else ():
            if row.partner_key:
                by_partner_key[row.partner_key] = by_partner_key[row.partner_key[:15]] = row
        return by_ace_id, by_partner_key

    def _find(self, fields: list[str], key_field: str, values: list[str]) -> list[StoredRecord]:
        rows = self.ctx.salesforce.find_by(self.object_name, fields, key_field=key_field, values=values)
        return [StoredRecord(id=row["Id"], ace_id=row.get(self.ace_id_field),
                             partner_key=row.get(self.partner_key_field),
                             ace_last_modified=parse_sf_datetime(row.get(self.last_modified_field))
                             if self.last_modified_field else None, row=row)
                for row in rows]

    # --- planning ----------------------------------------------------------------------------

    def apply(self, records: list[IncomingRecord]) -> None:
        """Apply one batch (at most OUTBOUND_BATCH_RECORDS records of one file)."""
        kept, duplicates = newest_per_ace_id(records)
        self.report.count(counters.RECORDS_SKIPPED, len(duplicates))
        by_ace_id, by_partner_key = self._stored(kept)
        plan = _Plan()
        for record in kept:
            self._plan_record(plan, record, by_ace_id.get(record.ace_id) or (
                by_partner_key.get(record.partner_key) or by_partner_key.get(record.partner_key[:15])
                if record.partner_key else None))
        if self.ctx.dry_run:
            self._plan_dry_run(plan)
            return
        self._write(plan)

    def _plan_record(self, plan: _Plan, record: IncomingRecord, stored: StoredRecord | None) -> None:
        if stored is None and record.partner_key is not None:
            # Both keys set, yet no such record: a go-live placeholder key (X0001...) or a
            # record deleted in Salesforce. Creating one would resurrect what the partner dropped.
            self._skip(record, f"its partner key {record.partner_key!r} matches no {self.object_name}; "
                               "not created")
            return
        if stored is not None and stored.ace_id and stored.ace_id != record.ace_id:
            plan.refused.append((record, stored, f"{self.object_name} {stored.id} is already linked to "
                                                 f"ACE id {stored.ace_id}, not {record.ace_id}"))
            return
        age = age_of(record, stored)
        if age is Age.OLDER:
            self.report.count(counters.RECORDS_SKIPPED)
            return
        mapped = self.mapping.to_salesforce(record.data, current=stored.row if stored else None)
        content_hash = self.mapping.content_hash(record.data)
        if age is Age.SAME_SECOND and self._holds(stored, mapped.values, content_hash=content_hash):
            self.report.count(counters.RECORDS_SKIPPED)
            return
        problems = blocking_problems(mapped.problems)
        if problems:
            plan.refused.append((record, stored, "; ".join(str(p) for p in problems)))
            return
        payload = {name: value for name, value in mapped.values.items() if name != "Id"}
        linked = stored is not None and record.partner_key is not None and _same_key(record.partner_key, stored)
        payload.update(self._sync_values(status=STATUS_SYNCED if linked else STATUS_PENDING, error=None))
        payload[self.ace_id_field] = record.ace_id
        if self.last_modified_field and record.last_modified is not None:
            payload[self.last_modified_field] = sf_datetime(record.last_modified)
        if self.hash_field is not None:
            payload[self.hash_field] = content_hash
        if stored is None:  # a create: the values kept for creates, then placeholders for the rest
            payload = {**mapped.insert_values, **payload}
            payload = {**creation_placeholders(self._describe(), record, values=payload,
                                               today=self.ctx.now().date()), **payload}
        write = _Write(record=record, stored=stored, payload=payload, content_hash=content_hash)
        if stored is not None and not stored.ace_id:
            write.payload["Id"] = stored.id
            plan.updates.append(write)
        else:
            plan.upserts.append(write)

    def _holds(self, stored: StoredRecord, values: dict[str, Any], *, content_hash: str) -> bool:
        """True when the record already holds this version: the same content hash (what goes both
        ways; a partner's edit not yet sent is then left alone) and the same values for AWS's view."""
        if self.hash_field is None or stored.row.get(self.hash_field) != content_hash:
            return False
        held = {name.lower(): value for name, value in stored.row.items()}
        new = {name.lower(): value for name, value in values.items()}
        return all(same_salesforce_value(new[name.lower()], held.get(name.lower()))
                   for name in self.received_only_fields if name.lower() in new)

    def _sync_values(self, *, status: str, error: str | None) -> dict[str, Any]:
        values = {sync_field(self.mapping, "status"): status, sync_field(self.mapping, "error"): error,
                  sync_field(self.mapping, "last_synced"): sf_datetime(self.ctx.now())}
        return {name: value for name, value in values.items() if name}

    def _describe(self) -> dict[str, Any]:
        return self.ctx.salesforce.describe(self.object_name)

    def _skip(self, record: IncomingRecord, reason: str) -> None:
        self.report.count(counters.RECORDS_SKIPPED)
        log.warning("outbound.record_skipped", file=self.file_key, record=record.where(), reason=reason)

    def _plan_dry_run(self, plan: _Plan) -> None:
        for action, writes in (("upsert", plan.upserts), ("update", plan.updates)):
            for write in writes:
                self.report.plan(action, self.object_name, key=write.record.ace_id, values=write.payload)
                self.report.count(counters.RECORDS_PLANNED)
        for record, stored, message in plan.refused:
            self.report.count(counters.RECORDS_FAILED)
            self.report.add_error(f"{self.file_key}: {record.where()}: {message}")
            self.report.plan("update" if stored else "upsert", self.object_name,
                             key=stored.id if stored else record.ace_id,
                             values=self._sync_values(status=STATUS_ERROR, error=message))

    # --- writing -------------------------------------------------------------------------------

    def _write(self, plan: _Plan) -> None:
        refused = list(plan.refused)
        hashes: dict[str, str] = {}
        written = 0
        for writes, send in ((plan.upserts, self._upsert), (plan.updates, self._update)):
            if not writes:
                continue
            self.before_write()
            for write, result in zip(writes, send([w.payload for w in writes]), strict=True):
                if result.success:
                    written += 1
                    if write.content_hash and result.id:
                        hashes[result.id] = write.content_hash
                elif self._retry_later(result):
                    self.retry_later = True
                else:
                    refused.append((write.record, write.stored, result.error_text))
        self.report.count(counters.RECORDS_OK, written)
        metrics.record_synced(FLOW, written)
        self.ctx.state.set_content_hashes(self.entity, hashes)
        if refused:
            self._record_refusals(refused)

    def _upsert(self, payloads: list[dict[str, Any]]) -> list[WriteResult]:
        return self.ctx.salesforce.upsert(self.object_name, payloads, external_id_field=self.ace_id_field)

    def _update(self, payloads: list[dict[str, Any]]) -> list[WriteResult]:
        return self.ctx.salesforce.update(self.object_name, payloads)

    def _retry_later(self, result: WriteResult) -> bool:
        return any(error.code in RETRY_LATER_CODES for error in result.errors)

    def _record_refusals(self, refused: list[tuple[IncomingRecord, StoredRecord | None, str]]) -> None:
        """Put each refusal where the admin looks: on the record (created for it if need be)."""
        updates, creates = [], []
        for record, stored, message in refused:
            self.report.count(counters.RECORDS_FAILED)
            self.report.add_error(f"{self.file_key}: {record.where()}: {message}")
            self.ctx.state.record_error(flow=FLOW, message=f"{record.where()}: {message}", file_key=self.file_key,
                                        record_id=stored.id if stored else record.ace_id)
            log.warning("outbound.record_failed", file=self.file_key, record=record.where(), error=message)
            error_values = self._sync_values(status=STATUS_ERROR, error=message)
            if stored is not None:
                updates.append({"Id": stored.id, **error_values})
            else:
                # Without the ACE data (it is what failed) and without ACE's modified time,
                # so the next copy of this record ACE sends is applied in full.
                creates.append({**creation_placeholders(self._describe(), record, values={},
                                                        today=self.ctx.now().date()),
                                **error_values, self.ace_id_field: record.ace_id})
        metrics.record_failed(FLOW, len(refused))
        self.before_write()
        for payloads, send in ((updates, self._update), (creates, self._upsert)):
            if not payloads:
                continue
            for payload, result in zip(payloads, send(payloads), strict=True):
                if result.success:
                    continue
                if self._retry_later(result):
                    self.retry_later = True
                log.error("outbound.error_not_recorded", file=self.file_key,
                          record=payload.get("Id") or payload.get(self.ace_id_field), error=result.error_text)


def _same_key(partner_key: str, stored: StoredRecord) -> bool:
    """ACE may hold the 15-character form of an 18-character Salesforce Id."""
    known = stored.partner_key or ""
    return partner_key == known or (len(partner_key) == 15 and known[:15] == partner_key)
