"""Lead inbound rules (ACE-CONTRACT §10.3 LU1-LU8): leads are only accepted, rejected and updated."""

from __future__ import annotations

import re
from collections.abc import Iterator

from connector.ace.jsonio import quote_input
from connector.ace.rules.engine import Check, Ignored, Stage, Violation, rule
from connector.ace.rules.fields import invalid_picklist, is_blank, missing_message, shape_violations

__all__ = ["NO_CHANGE_MESSAGE", "lead_not_found"]

NO_CHANGE_MESSAGE = "No new update identified for this record"
ACCEPTED = "Accepted"
DECISIONS = ("Accepted", "Rejected")
KEY = "apnCrmUniqueIdentifier"
LEAD_PICKLISTS = ("status", "industry", "country", "state", "useCaseWorkload")
#: the lead sheet's "Mandatory" fields, checked only when the context asks (LU7)
SHEET_MANDATORY = ("status", "currentLeadStage", "partnerCrmLeadId")
_LEAD_ID_RE = re.compile(r"L[0-9]+")


def lead_not_found(identifier: str) -> Violation:
    """For the caller that looked the lead up and found none shared with the partner."""
    return Violation("LU1", f"Record not found for apnCrmUniqueIdentifier:{identifier}", KEY)


@rule("LU1", Stage.LEAD, gate=True)
def check_lead_id(check: Check) -> Iterator[Violation]:
    """Every lead record names an AWS lead id (L...): partners cannot create leads."""
    lead_id = check.record.get(KEY)
    if is_blank(lead_id):
        yield Violation("LU1", "Required: Lead ID (apnCrmUniqueIdentifier); leads cannot be created through the "
                               "integration, only AWS's leads (L...) accepted, rejected or updated", KEY)
    elif not isinstance(lead_id, str) or not _LEAD_ID_RE.fullmatch(lead_id):
        yield Violation("LU1", f"apnCrmUniqueIdentifier {quote_input(lead_id)} is not a lead id "
                               "(L followed by digits)", KEY)


@rule("LU2", Stage.LEAD)
def check_lead_stage(check: Check) -> Iterator[Violation]:
    """``currentLeadStage`` is Accepted or Rejected, decided once; other updates need an accepted lead."""
    decision = check.changes.get("currentLeadStage")
    if decision is not None and decision not in DECISIONS:
        yield Violation("LU2", f"Invalid Current Lead Stage (currentLeadStage): {quote_input(decision)}; allowed: "
                               + "; ".join(DECISIONS), "currentLeadStage")
        return
    decided = check.stored_value("currentLeadStage")
    if decision is not None and decided is not None and decision != decided:
        yield Violation("LU2", f"This lead was already {decided}; the decision cannot be changed",
                        "currentLeadStage")
        return
    others = [n for n in check.changes if n not in ("currentLeadStage", KEY)]
    if others and check.known("currentLeadStage") and check.value("currentLeadStage") != ACCEPTED:
        yield Violation("LU2", f"The lead is not accepted (currentLeadStage is {quote_input(check.value('currentLeadStage'))})"
                               f": accept it before updating {', '.join(others)}", others[0])


@rule("LU3", Stage.LEAD)
def check_lead_picklists(check: Check) -> Iterator[Violation]:
    """Lead picklists take the lead's own standard values."""
    for name in LEAD_PICKLISTS:
        value = check.changes.get(name)
        if value is not None:
            problem = invalid_picklist(check.catalog.fields[name], value)
            if problem:
                yield Violation("LU3", problem, name)


@rule("LU4", Stage.LEAD)
def check_lead_shapes(check: Check) -> Iterator[Violation]:
    """Lead fields have their JSON type and fit their maximum length."""
    yield from shape_violations(check, rule_id="LU4")


@rule("LU5", Stage.LEAD, ignores=True)
def ignore_read_only_lead_fields(check: Check) -> Iterator[Ignored]:
    """Read-only, outbound-only and unknown lead fields are dropped."""
    for name in list(check.changes):
        spec = check.catalog.get(name)
        if name != KEY and (spec is None or not spec.updatable_approved):
            yield Ignored("LU5", name)


@rule("LU6", Stage.LEAD)
def check_something_changes(check: Check) -> Iterator[Violation]:
    """An update must change something."""
    changes = {k: v for k, v in check.changes.items() if k != KEY}
    stored = check.stored
    if not changes or (stored is not None and all(stored.get(k) == v for k, v in changes.items())):
        yield Violation("LU6", NO_CHANGE_MESSAGE)


@rule("LU7", Stage.LEAD)
def check_sheet_mandatory(check: Check) -> Iterator[Violation]:
    """Optionally, the lead keeps status, currentLeadStage and partnerCrmLeadId."""
    if not check.context.require_lead_mandatory_fields:
        return
    missing = [n for n in SHEET_MANDATORY if check.known(n) and is_blank(check.value(n))]
    if missing:
        yield Violation("LU7", missing_message(check.catalog, missing), missing[0])


@rule("LU8", Stage.LEAD)
def check_lead_owner(check: Check) -> Iterator[Violation]:
    """``leadOwnerEmail`` is a Partner Central user of this partner."""
    email = check.changes.get("leadOwnerEmail")
    if isinstance(email, str) and email.strip() and not check.partner.knows_user(email):
        yield Violation("LU8", f"User not found for Lead Owner email:{email}", "leadOwnerEmail")

