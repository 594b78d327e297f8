"""Decide, for one Salesforce record, what the inbound flow sends ACE: nothing, an error, or a record.

Pure: nothing here talks to Salesforce, S3 or Redis (``inbound`` does). For each
record selected by the watermark query, :meth:`RecordPlanner.plan` answers one of

* :class:`Send` — a create (no ACE id), an update (both keys, which also links an
  accepted AWS referral) or a referral decision (the minimal record of ACE-CONTRACT §8.3);
* :class:`Fail` — ACE would refuse it (its own rules, run here first) or the
  mapping cannot express it: the message goes on the record instead;
* :class:`Hold` — an update of a record sent less than ``ACE_INBOUND_MIN_RESEND_SECONDS``
  ago: it waits (AWS asks for at most one a record an hour, SPEC §11.9);
* :class:`Skip` — nothing to send: unchanged since last sent or received
  (content hash), under ACE review, an undecided or rejected referral, a create
  still awaiting ACE's answer, or a lead ACE never shared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from connector.ace.catalog import Direction, catalog_for
from connector.ace.rules import RuleContext, check_lead_update, check_opportunity_create, check_opportunity_update
from connector.sync.inbound_files import OutgoingRecord
from connector.sync.outbound_records import PARTNER_KEY_KEYS, STATUS_ERROR, STATUS_PENDING, STATUS_SENT
from connector.sync.referrals import (
    ACE_ID,
    REJECTED,
    AceMirror,
    AceView,
    read_decision,
    without_decision_fields,
)

KIND_CREATE, KIND_UPDATE, KIND_DECISION = "create", "update", "decision"
#: Fields ACE takes from partners but never exports, per entity.
INBOUND_ONLY_FIELDS = {entity: frozenset(spec.name for spec in catalog_for(entity)
                                         if spec.direction is Direction.INBOUND_ONLY)
                       for entity in ("opportunity", "lead")}


@dataclass(frozen=True)
class Digest:
    """A record's content hash, split the way it can be compared with what ACE sends back.

    ``round_trip`` covers the fields ACE also exports: it is what the outbound
    flow stores for a received record, and what this flow stores once it sent
    one, so either side's hash compares with it. ``inbound_only`` covers the
    fields ACE takes but never exports (a lead's first and last name): only
    what this flow last sent can tell whether they changed (None: no such field).
    """

    round_trip: str
    inbound_only: str | None

    @classmethod
    def of(cls, mapping: Any, record: Mapping[str, Any], *, entity: str) -> Digest:
        hidden = INBOUND_ONLY_FIELDS[entity]
        if not hidden:
            return cls(mapping.content_hash(record), None)
        return cls(mapping.content_hash({k: v for k, v in record.items() if k not in hidden}),
                   mapping.content_hash({k: v for k, v in record.items() if k in hidden}))


@dataclass(frozen=True)
class Send:
    outgoing: OutgoingRecord


@dataclass(frozen=True)
class Fail:
    sf_id: str
    message: str
    #: the record already shows this very error: nothing to write
    already_recorded: bool = False


@dataclass(frozen=True)
class Skip:
    sf_id: str
    reason: str


@dataclass(frozen=True)
class Hold:
    """To send later: the record was sent too recently (``ACE_INBOUND_MIN_RESEND_SECONDS``).

    The watermark stops short of it, so it is read again, and sent once its time has come.
    """

    sf_id: str
    until: datetime


Plan = Send | Fail | Skip | Hold


@dataclass(frozen=True)
class RecordPlanner:
    """Plans the records of one entity.

    ``hashes``, ``inbound_only_hashes``, ``decision_hashes``, ``links`` and
    ``sent_at`` are what Redis remembers exchanging (round-trip content hashes,
    sent or received; the hashes of inbound-only fields sent; decision
    fingerprints; partner keys sent to referrals; send times), by Salesforce Id.
    Losing them costs a record sent once more (or sooner), never a record lost.
    """

    entity: str
    mapping: Any
    mirror: AceMirror
    rules: RuleContext
    hashes: Mapping[str, str]
    inbound_only_hashes: Mapping[str, str]
    decision_hashes: Mapping[str, str]
    links: Mapping[str, str]
    #: when each record was last sent (ISO text), and how long an update waits after that
    sent_at: Mapping[str, str] = field(default_factory=dict)
    min_resend_seconds: int = 0

    def _sync_value(self, row: Mapping[str, Any], name: str) -> Any:
        sf_field = self.mapping.sync_fields.get(name)
        return row.get(sf_field) if sf_field else None

    def plan(self, row: Mapping[str, Any]) -> Plan:
        sf_id = row["Id"]
        ace_id = row.get(self.mapping.ace_id_field) or None
        status = self._sync_value(row, "status")
        if ace_id is None:
            return self._plan_create(row, status=status)
        view = AceView.read(row, ace_id=ace_id, mirror=self.mirror, link_owed=status == STATUS_PENDING)
        mapped = self.mapping.to_ace(row)
        digest = Digest.of(self.mapping, mapped.record, entity=self.entity)
        link_owed = False
        if view.aws_referral:
            referral = self._plan_referral(row, view, mapped.record, digest=digest, status=status)
            if referral is not None:
                return referral
            # Accepted, as ACE knows: the partner key is owed until a full update carried it.
            link_owed = status == STATUS_PENDING or sf_id not in self.links
        if view.under_review:
            return Skip(sf_id, f"ACE is reviewing {ace_id} (status {view.review_status}): "
                               "updates wait until it is approved")
        if not link_owed and self._unchanged(row, digest):
            return Skip(sf_id, "unchanged since it was last sent or received")
        if mapped.problems:
            return self._fail(row, "; ".join(str(p) for p in mapped.problems))
        if not link_owed and (until := self._resend_time(sf_id)) is not None:
            return Hold(sf_id, until)
        return self._plan_update(row, mapped.record, ace_id=ace_id, digest=digest, links=view.aws_referral)

    # --- the three kinds of record -------------------------------------------------------------

    def _plan_create(self, row: Mapping[str, Any], *, status: Any) -> Plan:
        sf_id = row["Id"]
        if self.entity == "lead":
            if self.mapping.send_when is None:
                return Skip(sf_id, "a lead without an ACE id was never shared by AWS")
            return self._fail(row, "leads cannot be created in ACE: only leads AWS shared (with an "
                                   f"{self.mapping.ace_id_field}) can be accepted, rejected or updated")
        if status == STATUS_SENT:
            return Skip(sf_id, "its create was sent and ACE's answer (the new ACE id) has not arrived yet")
        mapped = self.mapping.to_ace(row)
        digest = Digest.of(self.mapping, mapped.record, entity=self.entity)
        if self._unchanged(row, digest):
            return Skip(sf_id, "unchanged since it was last sent")
        if mapped.problems:
            return self._fail(row, "; ".join(str(p) for p in mapped.problems))
        record = without_decision_fields(mapped.record, entity=self.entity)
        record.pop(ACE_ID, None)
        verdict = check_opportunity_create(record, context=self.rules)
        if not verdict.ok:
            return self._fail(row, "; ".join(verdict.error_texts()))
        return self._send(row, record, kind=KIND_CREATE, digest=digest)

    def _plan_referral(self, row: Mapping[str, Any], view: AceView, mapped: Mapping[str, Any], *,
                       digest: Digest, status: Any) -> Plan | None:
        """For a referral: the decision to send, a reason to wait, or None once ACE has it as Accepted."""
        sf_id = row["Id"]
        decision = read_decision(mapped, entity=self.entity, ace_id=view.ace_id or "")
        if decision is None:
            return Skip(sf_id, f"AWS referral {view.ace_id} awaits the partner's decision "
                               "(ACE takes no update of it before it is accepted)")
        # The decision is part of what ACE exports: the round-trip hash tells whether ACE has it.
        known_to_ace = self._exchanged(row, digest) or self.decision_hashes.get(sf_id) == decision.fingerprint
        if known_to_ace:
            if decision.value == REJECTED:
                return Skip(sf_id, f"AWS referral {view.ace_id} was rejected: ACE takes no more updates of it")
            if status == STATUS_SENT:
                return Skip(sf_id, f"ACE has not answered the last record sent for {view.ace_id} yet")
            return None
        if decision.problem:
            return self._fail(row, decision.problem)
        if self.entity == "opportunity":
            verdict = check_opportunity_update(decision.record, stored=view.stored_for_rules(), context=self.rules)
        else:
            verdict = check_lead_update(decision.record, stored=None, context=self.rules)
        if not verdict.ok:
            return self._fail(row, "; ".join(verdict.error_texts()))
        return self._send(row, decision.record, kind=KIND_DECISION, digest=digest,
                          fingerprint=decision.fingerprint)

    def _plan_update(self, row: Mapping[str, Any], mapped: Mapping[str, Any], *, ace_id: str,
                     digest: Digest, links: bool) -> Plan:
        record = without_decision_fields(mapped, entity=self.entity)
        record[ACE_ID] = ace_id
        if self.entity == "opportunity":
            verdict = check_opportunity_update(record, stored=None, context=self.rules)
        else:
            verdict = check_lead_update(record, stored=None, context=self.rules)
        if not verdict.ok:
            return self._fail(row, "; ".join(verdict.error_texts()))
        return self._send(row, record, kind=KIND_UPDATE, digest=digest, links=links)

    # --- helpers ---------------------------------------------------------------------------------

    def _resend_time(self, sf_id: str) -> datetime | None:
        """When an update of ``sf_id`` may go, if that is still to come (AWS: one a record an hour)."""
        last = self.sent_at.get(sf_id)
        if not self.min_resend_seconds or not last:
            return None
        until = datetime.fromisoformat(last) + timedelta(seconds=self.min_resend_seconds)
        return until if until > self.rules.now else None

    def _exchanged(self, row: Mapping[str, Any], digest: Digest) -> bool:
        """The round-trip content is what was last sent or received: on the record, or as Redis remembers it."""
        return digest.round_trip in (self._sync_value(row, "content_hash"), self.hashes.get(row["Id"]))

    def _unchanged(self, row: Mapping[str, Any], digest: Digest) -> bool:
        """Nothing ACE lacks: the round-trip content was exchanged and the inbound-only part was sent."""
        return self._exchanged(row, digest) and (
            digest.inbound_only is None or self.inbound_only_hashes.get(row["Id"]) == digest.inbound_only)

    def _send(self, row: Mapping[str, Any], record: dict[str, Any], *, kind: str, digest: Digest,
              fingerprint: str | None = None, links: bool = False) -> Send:
        partner_key = str(row.get(self.mapping.partner_key_field) or row["Id"])
        if kind != KIND_DECISION:  # a decision carries the ACE id alone (ACE-CONTRACT §8.3)
            record.setdefault(PARTNER_KEY_KEYS[self.entity], partner_key)
        return Send(OutgoingRecord(record=_identity_first(record), sf_id=row["Id"], partner_key=partner_key,
                                   kind=kind, content_hash=digest.round_trip,
                                   # a decision carries none of the inbound-only fields
                                   inbound_only_hash=None if kind == KIND_DECISION else digest.inbound_only,
                                   decision_fingerprint=fingerprint,
                                   links_referral=links))

    def _fail(self, row: Mapping[str, Any], message: str) -> Fail:
        shown = self._sync_value(row, "status") == STATUS_ERROR and self._sync_value(row, "error") == message
        return Fail(row["Id"], message, already_recorded=shown)


def _identity_first(record: Mapping[str, Any]) -> dict[str, Any]:
    """Identifiers first, the way ACE's own samples are written (easier to read in the bucket)."""
    keys = [k for k in (ACE_ID, "partnerCrmUniqueIdentifier", "partnerCrmLeadId") if k in record]
    return {**{k: record[k] for k in keys}, **{k: v for k, v in record.items() if k not in keys}}

