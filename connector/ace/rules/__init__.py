"""ACE's validation rules (ACE-CONTRACT §10) as one engine, shared by the simulator and the pre-flight check.

Every rule is a small function registered under its docs/ACE-CONTRACT.md id (``OC1``-``OC20``,
``OU1``-``OU16``, ``LU1``-``LU8``, plus ``SHAPE`` for JSON types and lengths).
The three entry points take a raw record (a dict decoded from JSON, so absent
and ``null`` differ) and return a ``Verdict``: the errors to put in a results
file, the fields ACE would silently drop, and the changes it would apply.

The simulator knows the stored record and passes it; the connector's pre-flight
check usually does not (``stored=None``) and then gets the checks that need no
knowledge of ACE's state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector.ace.catalog import LEAD, OPPORTUNITY
from connector.ace.rules import create, lead, update, values  # noqa: F401  (registers the rules)
from connector.ace.rules.create import CREATE_DEFAULTS, INITIAL_STAGE, PRE_SALES_MESSAGE
from connector.ace.rules.engine import (
    Check,
    PartnerProfile,
    RuleContext,
    Stage,
    Verdict,
    Violation,
    rule_ids,
    run_rules,
)
from connector.ace.rules.lead import NO_CHANGE_MESSAGE, lead_not_found
from connector.ace.rules.update import (
    NOT_EDITABLE_MESSAGE,
    is_aws_referral,
    is_decision,
    record_not_editable,
    record_not_found,
)

__all__ = [
    "CREATE_DEFAULTS",
    "INITIAL_STAGE",
    "NOT_EDITABLE_MESSAGE",
    "NO_CHANGE_MESSAGE",
    "PRE_SALES_MESSAGE",
    "PartnerProfile",
    "RuleContext",
    "Verdict",
    "Violation",
    "check_lead_update",
    "check_opportunity_create",
    "check_opportunity_update",
    "is_aws_referral",
    "is_decision",
    "lead_not_found",
    "record_not_editable",
    "record_not_found",
    "rule_ids",
]

_KEY = "apnCrmUniqueIdentifier"


def check_opportunity_create(record: Mapping[str, Any], *, context: RuleContext) -> Verdict:
    """Validate a create (no AWS id, a new partner key)."""
    check = Check(record=record, changes=dict(record), stored=None, context=context, catalog=OPPORTUNITY,
                  stage=Stage.CREATE, defaults=CREATE_DEFAULTS)
    return run_rules(check)


def check_opportunity_update(record: Mapping[str, Any], *, stored: Mapping[str, Any] | None,
                             context: RuleContext) -> Verdict:
    """Validate an update, or the accept/reject of an AWS referral, against ``stored`` when known.

    ``changes`` leaves out ``apnCrmUniqueIdentifier``: it names the record, it does not change it.
    """
    stage = Stage.DECISION if is_decision(record, stored) else Stage.UPDATE
    check = Check(record=record, changes=dict(record), stored=stored, context=context, catalog=OPPORTUNITY,
                  stage=stage)
    return run_rules(check, keys=(_KEY,))


def check_lead_update(record: Mapping[str, Any], *, stored: Mapping[str, Any] | None,
                      context: RuleContext) -> Verdict:
    """Validate a lead accept/reject/update against ``stored`` when known."""
    check = Check(record=record, changes=dict(record), stored=stored, context=context, catalog=LEAD,
                  stage=Stage.LEAD)
    return run_rules(check, keys=(_KEY,))
