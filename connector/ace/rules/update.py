"""Opportunity update rules (ACE-CONTRACT §10.2 OU1-OU16), accept/reject of AWS referrals included.

``stored`` is ACE's full record when the caller knows it (the simulator does);
with ``stored=None`` (a pre-flight check that does not know ACE's state) only
what the record itself shows is checked: nothing is assumed about status,
stage or stored values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from connector.ace.catalog import Direction
from connector.ace.jsonio import quote_input
from connector.ace.records import parse_ace_datetime
from connector.ace.rules.create import PRE_SALES_MESSAGE
from connector.ace.rules.engine import Check, Ignored, Stage, Violation, get_rule, rule
from connector.ace.rules.fields import as_date, field_name, invalid_picklist, is_blank, missing_message
from connector.ace.rules.values import (
    AWS_ACCOUNT_ID_DIGITS,
    MARKETING_DETAIL_FIELDS,
    NO_SUPPORT_NEED,
    OTHER_SOLUTION,
    VALUE_RULE_IDS,
    is_co_sell,
)

__all__ = ["DECISION_FIELDS", "NOT_EDITABLE_MESSAGE", "REQUIRED_ON_UPDATE", "is_aws_referral", "is_decision",
           "record_not_editable", "record_not_found"]

NOT_EDITABLE_MESSAGE = "Record is not editable."
AWS_REFERRAL = "AWS Referral"
ACCEPTED, REJECTED = "Accepted", "Rejected"
LAUNCHED, CLOSED_LOST = "Launched", "Closed Lost"
#: review states in which a partner referral takes updates
EDITABLE_STATUSES = frozenset({"Approved", "Action Required"})
ACTION_REQUIRED = "Action Required"
#: stages after which only the "Launched" column's fields change; Closed Lost is treated alike [INF]
FROZEN_STAGES = frozenset({LAUNCHED, CLOSED_LOST})
SOLUTION_REQUIRED_STAGES = frozenset({"Committed", LAUNCHED})
#: the merged record must still hold these after an update (OU2)
REQUIRED_ON_UPDATE = ("useCase", "targetCloseDate", "stage", "partnerPrimaryNeedFromAws", "expectedMonthlyAwsRevenue",
                      "deliveryModel", "IsOppFromMarketingActivity", "solutionOffered")
SPECIAL_PROGRAM_FIELDS = ("procurementType", "customerSoftwareValue", "customerSoftwareValueCurrency",
                          "contractStartDate", "contractEndDate")
VERSION_ONE_ISV_FIELDS = ("isNetNewBusinessForCompany", "awsFieldEngagement", "isThisForMarketplace")
MAX_OFFERS = 1
KEY = "apnCrmUniqueIdentifier"


#: what an accept/reject record carries (ACE-CONTRACT §8.3); anything else is left out of it
DECISION_FIELDS = frozenset({KEY, "partnerCrmUniqueIdentifier", "partnerAcceptanceStatus", "rejectionReason"})


def is_decision(record: Mapping[str, object], stored: Mapping[str, object] | None) -> bool:
    """True when ``record`` accepts or rejects an AWS referral that is still undecided.

    Without the stored record, a record is taken for a decision when it carries
    ``partnerAcceptanceStatus`` and nothing beyond the decision fields.
    """
    if "partnerAcceptanceStatus" not in record:
        return False
    if stored is None:
        return set(record) <= DECISION_FIELDS
    return is_aws_referral(stored) and stored.get("partnerAcceptanceStatus") is None


def record_not_found(identifier: str) -> Violation:
    """For the caller that looked the record up and found nothing visible to the partner."""
    return Violation("OU1", f"Record not found for apnCrmUniqueIdentifier:{identifier}", KEY)


def record_not_editable() -> Violation:
    return Violation("OU1", NOT_EDITABLE_MESSAGE)


def is_aws_referral(stored: object) -> bool:
    return isinstance(stored, Mapping) and stored.get("opportunityOwnership") == AWS_REFERRAL


def _partner_fields(check: Check) -> Iterator[str]:
    """Sent fields the partner may write at all (the rest are OU16's)."""
    for name in list(check.changes):
        spec = check.catalog.get(name)
        if name != KEY and spec is not None and spec.partner_writable:
            yield name


@rule("OU1", Stage.UPDATE, Stage.DECISION, gate=True)
def check_editable(check: Check) -> Iterator[Violation]:
    """The record is visible and in a state that takes updates."""
    stored = check.stored
    if stored is None:
        return
    owned = check.partner.owned_opportunity_ids
    if owned is not None and stored.get(KEY) not in owned:
        yield record_not_found(str(check.record.get(KEY) or stored.get(KEY)))
    elif check.stage is Stage.UPDATE and is_aws_referral(stored):
        if stored.get("partnerAcceptanceStatus") != ACCEPTED:
            yield record_not_editable()
    elif check.stage is Stage.UPDATE and stored.get("status") is not None \
            and stored.get("status") not in EDITABLE_STATUSES:
        yield record_not_editable()


@rule("OU2", Stage.UPDATE)
def check_still_complete(check: Check) -> Iterator[Violation]:
    """The record after the update still has every field an opportunity needs."""
    missing = [n for n in REQUIRED_ON_UPDATE if check.known(n) and is_blank(check.value(n))]
    if missing:
        yield Violation("OU2", missing_message(check.catalog, missing), missing[0] if len(missing) == 1 else None)
    if check.known("salesActivities") and is_blank(check.value("salesActivities")):
        yield Violation("OU2", PRE_SALES_MESSAGE, "salesActivities")


@rule("OU3", Stage.UPDATE)
def check_values(check: Check) -> Iterator[Violation | Ignored]:
    """The create's value checks, on the fields the update sends."""
    for rule_id in VALUE_RULE_IDS:
        for outcome in get_rule(rule_id).function(check):
            if isinstance(outcome, Violation):
                yield Violation("OU3", outcome.message, outcome.field)
            else:
                yield Ignored("OU3", outcome.field)


@rule("OU4", Stage.UPDATE)
def check_launch_needs_account(check: Check) -> Iterator[Violation]:
    """Launched needs the customer's 12-digit AWS account id (not asked of ISV partners)."""
    if check.partner.partner_type == "isv" or not check.touched("stage", "awsAccountId"):
        return
    if check.value("stage") != LAUNCHED or not check.known("awsAccountId"):
        return
    account = check.value("awsAccountId")
    if not (isinstance(account, str) and len(account) == AWS_ACCOUNT_ID_DIGITS and account.isdigit()):
        yield Violation("OU4", "Stage cannot be Launched without Customer AWS Account ID (awsAccountId), "
                               f"the customer's {AWS_ACCOUNT_ID_DIGITS}-digit AWS account id", "awsAccountId")


@rule("OU5", Stage.UPDATE)
def check_closed_lost_reason(check: Check) -> Iterator[Violation]:
    """Closed Lost needs ``closedLostReason``."""
    if check.touched("stage", "closedLostReason") and check.value("stage") == CLOSED_LOST \
            and check.known("closedLostReason") and is_blank(check.value("closedLostReason")):
        yield Violation("OU5", "Required: Closed Reason (closedLostReason is required when stage is Closed Lost)",
                        "closedLostReason")


@rule("OU6", Stage.UPDATE)
def check_real_solution_when_committed(check: Check) -> Iterator[Violation]:
    """From Committed on, ``solutionOffered`` holds a real solution, not Other."""
    if check.touched("stage", "solutionOffered") and check.value("stage") in SOLUTION_REQUIRED_STAGES \
            and check.known("solutionOffered") and check.value("solutionOffered") == [OTHER_SOLUTION]:
        yield Violation("OU6", "Solution offered cannot be 'Other' when Opportunity stage is Committed or Launched",
                        "solutionOffered")


@rule("OU7", Stage.UPDATE)
def check_marketing_switch_off(check: Check) -> Iterator[Violation]:
    """Switching IsOppFromMarketingActivity from Yes to No nulls the marketing details too."""
    if check.stored_value("IsOppFromMarketingActivity") != "Yes" or check.changes.get(
            "IsOppFromMarketingActivity") != "No":
        return
    still_set = [n for n in MARKETING_DETAIL_FIELDS if not is_blank(check.value(n))]
    if still_set:
        yield Violation("OU7", "IsOppFromMarketingActivity changes from Yes to No: send null in the same record for "
                               + ", ".join(still_set), still_set[0])


@rule("OU8", Stage.UPDATE)
def check_no_return_to_visibility_only(check: Check) -> Iterator[Violation]:
    """A co-sell opportunity cannot become For Visibility Only."""
    need = check.changes.get("partnerPrimaryNeedFromAws")
    if isinstance(need, str) and NO_SUPPORT_NEED in need.split(";") and is_co_sell(
            check.stored_value("partnerPrimaryNeedFromAws")):
        yield Violation("OU8", f'partnerPrimaryNeedFromAws cannot change from co-sell to "{NO_SUPPORT_NEED}"',
                        "partnerPrimaryNeedFromAws")


@rule("OU9", Stage.UPDATE, ignores=True)
def ignore_outside_action_required(check: Check) -> Iterator[Ignored]:
    """While Action Required only the fields marked AR change."""
    if check.stored_value("status") == ACTION_REQUIRED and not is_aws_referral(check.stored):
        for name in _partner_fields(check):
            if not check.catalog.fields[name].updatable_action_required:
                yield Ignored("OU9", name)


@rule("OU10", Stage.UPDATE, ignores=True)
def ignore_frozen_after_approval(check: Check) -> Iterator[Ignored]:
    """After approval (or acceptance) the fields marked Appr=N are frozen."""
    if check.stored is None or check.stored_value("stage") in FROZEN_STAGES:
        return
    if check.stored_value("status") == ACTION_REQUIRED and not is_aws_referral(check.stored):
        return  # OU9's
    for name in _partner_fields(check):
        if not check.catalog.fields[name].updatable_approved:
            yield Ignored("OU10", name)


@rule("OU11", Stage.UPDATE, ignores=True)
def ignore_frozen_after_launch(check: Check) -> Iterator[Ignored]:
    """After Launched (or Closed Lost) only the partner's program fields change."""
    if check.stored_value("stage") not in FROZEN_STAGES:
        return
    kinds = check.partner.launched_kinds
    for name in _partner_fields(check):
        if not (check.catalog.fields[name].updatable_launched & kinds):
            yield Ignored("OU11", name)


@rule("OU12", Stage.UPDATE)
def check_special_program_launch(check: Check) -> Iterator[Violation]:
    """Special-program partners give procurement and contract details at Launched."""
    if not check.partner.special_program or check.value("stage") != LAUNCHED:
        return
    if not check.touched("stage", *SPECIAL_PROGRAM_FIELDS):
        return
    missing = [n for n in SPECIAL_PROGRAM_FIELDS if check.known(n) and is_blank(check.value(n))]
    if missing:
        yield Violation("OU12", "Required at Launched for special programs: " + ", ".join(missing), missing[0])
    start, end = as_date(check.value("contractStartDate")), as_date(check.value("contractEndDate"))
    if start is not None and end is not None and start > end:
        yield Violation("OU12", f"contractStartDate {start.isoformat()} is after contractEndDate {end.isoformat()}",
                        "contractStartDate")


@rule("OU13", Stage.UPDATE)
def check_version_one_isv_fields(check: Check) -> Iterator[Violation]:
    """Payload version 1, ISV Accelerate: three program answers are needed before Launched."""
    if check.context.payload_version != 1 or not check.partner.isv_accelerate:
        return
    if check.touched("stage") and check.value("stage") == LAUNCHED:
        missing = [n for n in VERSION_ONE_ISV_FIELDS if check.known(n) and is_blank(check.value(n))]
        if missing:
            yield Violation("OU13", "Required before Launched for ISV Accelerate: " + ", ".join(missing), missing[0])


@rule("OU14", Stage.UPDATE)
def check_offers(check: Check) -> Iterator[Violation]:
    """At most one Marketplace offer, and none on a Closed Lost opportunity."""
    offers = check.changes.get("offers")
    if not isinstance(offers, list) or not offers:
        return
    if len(offers) > MAX_OFFERS:
        yield Violation("OU14", f"Offer ID (offers): one offer per opportunity, got {len(offers)}: "
                                f"{quote_input(offers)}", "offers")
    if check.value("stage") == CLOSED_LOST:
        yield Violation("OU14", "Offer ID (offers): an offer cannot be linked to a Closed Lost opportunity",
                        "offers")


def _decision_problems(check: Check) -> Iterator[Violation]:
    decision = check.record.get("partnerAcceptanceStatus")
    spec = check.catalog.fields["partnerAcceptanceStatus"]
    if decision not in (ACCEPTED, REJECTED):
        yield Violation("OU15", invalid_picklist(spec, decision) if isinstance(decision, str) else
                        f"{field_name(check.catalog, 'partnerAcceptanceStatus')} must be Accepted or Rejected, "
                        f"got {quote_input(decision)}", "partnerAcceptanceStatus")
        return
    reason = check.record.get("rejectionReason")
    if decision == REJECTED and is_blank(reason):
        yield Violation("OU15", "Required: Rejection reason (rejectionReason is required when rejecting a referral)",
                        "rejectionReason")
    elif decision == REJECTED:
        problem = invalid_picklist(check.catalog.fields["rejectionReason"], reason) if isinstance(reason, str) \
            else f"Rejection reason (rejectionReason) must be a string, got {quote_input(reason)}"
        if problem:
            yield Violation("OU15", problem, "rejectionReason")
    deadline = check.stored_value("acceptBy")
    if deadline:
        try:
            passed = parse_ace_datetime(deadline) < check.context.now
        except ValueError:
            passed = False
        if passed:
            yield Violation("OU15", f"The referral can no longer be {decision.lower()}: its acceptBy deadline "
                                    f"{deadline} has passed", "partnerAcceptanceStatus")


@rule("OU15", Stage.UPDATE, Stage.DECISION, ignores=True)
def check_referral_decision(check: Check) -> Iterator[Violation | Ignored]:
    """Accept or reject an AWS referral: a standard decision, a reason to reject, before acceptBy, once."""
    if check.stage is Stage.DECISION:
        yield from _decision_problems(check)
        keep = {KEY, "partnerAcceptanceStatus"}
        if check.record.get("partnerAcceptanceStatus") == REJECTED:
            keep.add("rejectionReason")
        yield from (Ignored("OU15", n) for n in list(check.changes) if n not in keep)
        return
    sent = check.record.get("partnerAcceptanceStatus")  # OU10 may already have dropped it
    decided = check.stored_value("partnerAcceptanceStatus")
    if is_aws_referral(check.stored) and sent is not None and decided is not None and sent != decided:
        yield Violation("OU15", f"This referral was already {decided}; the decision cannot be changed",
                        "partnerAcceptanceStatus")


@rule("OU16", Stage.UPDATE, Stage.DECISION, ignores=True)
def ignore_not_updatable(check: Check) -> Iterator[Ignored]:
    """Unknown, outbound-only and retired fields are dropped."""
    version_one = check.context.payload_version == 1
    for name in list(check.changes):
        spec = check.catalog.get(name)
        if name == KEY:
            continue
        if spec is None or spec.direction is Direction.OUTBOUND_ONLY or (spec.deprecated and not version_one):
            yield Ignored("OU16", name)
