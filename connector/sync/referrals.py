"""AWS referrals seen from Salesforce: what ACE last said about a record, and the partner's decision.

**What ACE last said.** The outbound flow copies ACE's view of each record into
Salesforce through the mapping: the review ``status``, the
``opportunityOwnership`` and the ``acceptBy`` deadline of an opportunity.
:class:`AceMirror` finds those fields in the mapping and reads them back as
ACE values, so the inbound flow knows without asking ACE whether a record can
take an update: never while ACE reviews it (``Submitted``/``In review``,
ACE-CONTRACT §11.9), never on an undecided or rejected referral (OU1).

**The decision.** The admin accepts or rejects an AWS referral by setting the
Salesforce field the mapping pairs with ACE's decision field
(``partnerAcceptanceStatus`` for opportunities, ``currentLeadStage`` for leads;
``ACE_Referral_Decision__c`` in the default mappings, with
``ACE_Rejection_Reason__c`` for ``rejectionReason``). The inbound flow sends it
once, as the minimal record of ACE-CONTRACT §8.3 / §9, nothing else mixed in::

    {"apnCrmUniqueIdentifier": "O123", "partnerAcceptanceStatus": "Accepted"}
    {"apnCrmUniqueIdentifier": "O123", "partnerAcceptanceStatus": "Rejected", "rejectionReason": "Other"}
    {"apnCrmUniqueIdentifier": "L123", "currentLeadStage": "Accepted"}

The same Salesforce field also receives ACE's value (the mapping copies it both
ways), so a decision is taken as already known to ACE when the record's content
hash equals the one last exchanged with ACE (ACE's copy holds it), or when Redis
remembers sending it. If Redis is lost, a decision may be sent once more; ACE
takes a repeated decision as a no-op update.

**Linking.** ACE takes no update of a referral, the partner key included,
before it is accepted (OU1). A record the outbound flow marked ``Pending`` (ACE
does not know its partner key yet) whose decision is known to ACE as
``Accepted`` is sent as a full update carrying both keys (ACE-CONTRACT §7): that links it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connector.ace.records import format_ace_datetime
from connector.sync.outbound_records import parse_sf_datetime
from connector.sync.state import content_hash

ACE_ID = "apnCrmUniqueIdentifier"
ACCEPTED, REJECTED = "Accepted", "Rejected"
DECISIONS = (ACCEPTED, REJECTED)
AWS_REFERRAL = "AWS Referral"
REJECTION_REASON = "rejectionReason"
#: Review states in which ACE refuses every update with "Record is not editable." (ACE-CONTRACT §8.2).
UNDER_REVIEW_STATUSES = frozenset({"Submitted", "In review"})
#: The ACE field holding the partner's decision, per entity.
DECISION_ACE_FIELDS = {"opportunity": "partnerAcceptanceStatus", "lead": "currentLeadStage"}
#: Decision fields never go into an ordinary update: a decision travels alone (ACE-CONTRACT §11.8).
DECISION_ONLY_FIELDS = {"opportunity": ("partnerAcceptanceStatus", REJECTION_REASON), "lead": ("currentLeadStage",)}
#: ACE fields the inbound flow reads back from Salesforce, per entity.
MIRRORED_ACE_FIELDS = {"opportunity": ("status", "opportunityOwnership", "acceptBy"), "lead": ()}
_DATETIME_FIELDS = frozenset({"acceptBy"})


@dataclass(frozen=True)
class _MirroredField:
    ace: str
    salesforce: str
    to_ace: Mapping[str, str]  # the rule's value map, Salesforce value -> ACE value (first pair wins)


def _rules(mapping: Any) -> tuple[Any, ...]:
    return tuple(getattr(getattr(mapping, "spec", None), "rules", ()))


def _plain_target(rule: Any, *, writes_ace: bool) -> bool:
    """True when the rule copies one plain Salesforce field (no parent path) in the given direction."""
    writes = rule.direction.writes_ace if writes_ace else rule.direction.writes_salesforce
    return writes and len(rule.salesforce) == 1 and "." not in rule.salesforce[0]


def salesforce_field_of(mapping: Any, ace_field: str, *, writes_ace: bool) -> str | None:
    """The plain Salesforce field a mapping rule pairs with ``ace_field`` in the given direction."""
    for rule in _rules(mapping):
        if rule.ace == ace_field and _plain_target(rule, writes_ace=writes_ace):
            return rule.salesforce[0]
    return None


class AceMirror:
    """Reads ACE's values back from the Salesforce fields the mapping copies them to."""

    def __init__(self, mapping: Any) -> None:
        self.entity: str = mapping.entity
        wanted = MIRRORED_ACE_FIELDS.get(self.entity, ())
        self._fields: dict[str, _MirroredField] = {}
        for rule in _rules(mapping):
            if rule.ace in wanted and rule.ace not in self._fields and _plain_target(rule, writes_ace=False):
                table: dict[str, str] = {}
                for pair in rule.values or ():
                    table.setdefault(pair.salesforce, pair.ace)
                self._fields[rule.ace] = _MirroredField(rule.ace, rule.salesforce[0], table)

    @property
    def soql_fields(self) -> list[str]:
        return [f.salesforce for f in self._fields.values()]

    def value(self, sf_record: Mapping[str, Any], ace_field: str) -> Any:
        """ACE's value of ``ace_field`` as last copied onto the record; None when unknown or empty."""
        mirrored = self._fields.get(ace_field)
        if mirrored is None:
            return None
        value = sf_record.get(mirrored.salesforce)
        if value in (None, ""):
            return None
        if ace_field in _DATETIME_FIELDS:
            moment = parse_sf_datetime(value)
            return format_ace_datetime(moment) if moment else None
        return mirrored.to_ace.get(value, value) if isinstance(value, str) else value


@dataclass(frozen=True)
class AceView:
    """What a Salesforce record says about ACE's copy of it."""

    entity: str
    ace_id: str | None
    review_status: str | None = None
    aws_referral: bool = False
    accept_by: str | None = None

    @classmethod
    def read(cls, sf_record: Mapping[str, Any], *, ace_id: str | None, mirror: AceMirror,
             link_owed: bool) -> AceView:
        """``link_owed``: the outbound flow marked the record as unknown to ACE by its partner key.

        Only AWS referrals can be in that state, so it marks a referral even when
        the mapping does not copy ``opportunityOwnership``. Every lead is AWS's.
        """
        ownership = mirror.value(sf_record, "opportunityOwnership")
        return cls(entity=mirror.entity, ace_id=ace_id, review_status=mirror.value(sf_record, "status"),
                   aws_referral=mirror.entity == "lead" or ownership == AWS_REFERRAL
                   or (ownership is None and link_owed),
                   accept_by=mirror.value(sf_record, "acceptBy"))

    @property
    def under_review(self) -> bool:
        return self.review_status in UNDER_REVIEW_STATUSES

    def stored_for_rules(self) -> dict[str, Any] | None:
        """What ACE's record is known to hold, for the rule engine's decision check (None: nothing)."""
        if self.entity != "opportunity" or not self.aws_referral:
            return None
        return {ACE_ID: self.ace_id, "opportunityOwnership": AWS_REFERRAL, "partnerAcceptanceStatus": None,
                "acceptBy": self.accept_by}


@dataclass(frozen=True)
class Decision:
    """The partner's decision on a referral, as the minimal record ACE expects."""

    value: Any
    record: dict[str, Any]
    #: fingerprint of the decision, remembered once sent so that it goes only once
    fingerprint: str
    problem: str | None = None  # why it cannot be sent as it stands


def read_decision(ace_record: Mapping[str, Any], *, entity: str, ace_id: str) -> Decision | None:
    """The decision in a mapped record (``to_ace`` output), or None when the partner has not decided."""
    field = DECISION_ACE_FIELDS[entity]
    value = ace_record.get(field)
    if value in (None, ""):
        return None
    record: dict[str, Any] = {ACE_ID: ace_id, field: value}
    problem = None
    if value not in DECISIONS:
        problem = f"{field} is {value!r}; a decision must be Accepted or Rejected"
    elif entity == "opportunity" and value == REJECTED:
        reason = ace_record.get(REJECTION_REASON)
        record[REJECTION_REASON] = reason
        if reason in (None, ""):
            problem = (f"rejecting AWS referral {ace_id} needs a rejection reason "
                       f"({REJECTION_REASON}); ACE refuses a rejection without one")
    return Decision(value=value, record=record, fingerprint=content_hash(record), problem=problem)


def without_decision_fields(record: Mapping[str, Any], *, entity: str) -> dict[str, Any]:
    """An ordinary update never carries the decision fields: a decision travels alone."""
    dropped = DECISION_ONLY_FIELDS[entity]
    return {name: value for name, value in record.items() if name not in dropped}
