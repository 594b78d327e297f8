"""Rules only a create goes through (ACE-CONTRACT §10.1 OC1, OC10, OC15-OC17, OC20)."""

from __future__ import annotations

from collections.abc import Iterator

from connector.ace import reference_data
from connector.ace.catalog import Direction, OnCreate
from connector.ace.jsonio import quote_input
from connector.ace.rules.engine import Check, Ignored, Stage, Violation, rule
from connector.ace.rules.fields import as_date, field_name, is_blank, missing_message
from connector.ace.rules.values import NO_SUPPORT_NEED, UNITED_STATES, is_for_visibility_only

__all__ = ["CREATE_DEFAULTS", "PRE_SALES_MESSAGE", "REQUIRED_ON_CREATE"]

#: What ACE assumes for fields a create leaves out.
CREATE_DEFAULTS = {"opportunityType": "Net New Business", "doesOppBelongToNatSec": "No"}
#: The stage every new opportunity starts in, whatever the create says.
INITIAL_STAGE = "Prospect"

#: Mandatory create fields in the order ACE lists them in its ``Required:`` message; the last four
#: have no known ACE wording and follow, with their UI labels.
REQUIRED_ON_CREATE = (
    "useCase", "targetCloseDate", "projectDescription", "postalCode", "partnerProjectTitle", "industry",
    "expectedMonthlyAwsRevenue", "deliveryModel", "customerWebsite", "customerCompanyName", "country",
    "partnerPrimaryNeedFromAws", "state", "IsOppFromMarketingActivity", "solutionOffered",
    "partnerCrmUniqueIdentifier",
)
#: ACE reports a missing ``salesActivities`` on its own, in these words.
PRE_SALES_MESSAGE = "Please enter Pre-sales Activities"
_NATSEC_EXEMPT = frozenset({"customerWebsite", "customerCompanyName", "postalCode", "state"})


def _is_natsec(check: Check) -> bool:
    return check.value("doesOppBelongToNatSec") == "Yes"


def _required_now(check: Check, name: str) -> bool:
    natsec = _is_natsec(check)
    country = check.value("country")
    if natsec and name in _NATSEC_EXEMPT:
        return False
    if name == "postalCode":
        return not (isinstance(country, str) and not reference_data.has_postal_code(country))
    if name == "state":
        return country == UNITED_STATES
    if name == "solutionOffered":
        return check.context.require_solution_on_create
    return True


@rule("OC1", Stage.CREATE)
def check_mandatory_fields(check: Check) -> Iterator[Violation]:
    """Mandatory fields of a create, with ACE's ``Required: ...`` and pre-sales messages."""
    missing = [n for n in REQUIRED_ON_CREATE if _required_now(check, n) and is_blank(check.value(n))]
    if missing:
        yield Violation("OC1", missing_message(check.catalog, missing), missing[0] if len(missing) == 1 else None)
    if is_blank(check.value("salesActivities")):
        yield Violation("OC1", PRE_SALES_MESSAGE, "salesActivities")


@rule("OC10", Stage.CREATE)
def check_national_security(check: Check) -> Iterator[Violation]:
    """National-security deals are Government deals and always co-sell."""
    if not _is_natsec(check):
        return
    industry = check.value("industry")
    if not is_blank(industry) and industry != "Government":
        yield Violation("OC10", "doesOppBelongToNatSec can be Yes only when industry is Government "
                                f"(industry is {quote_input(industry)})", "doesOppBelongToNatSec")
    need = check.value("partnerPrimaryNeedFromAws")
    if isinstance(need, str) and NO_SUPPORT_NEED in need.split(";"):
        yield Violation("OC10", f'partnerPrimaryNeedFromAws cannot be "{NO_SUPPORT_NEED}" when '
                                "doesOppBelongToNatSec is Yes", "partnerPrimaryNeedFromAws")


@rule("OC15", Stage.CREATE)
def check_no_offers_on_create(check: Check) -> Iterator[Violation]:
    """Marketplace offers cannot be linked by a create."""
    if not is_blank(check.record.get("offers")):
        yield Violation("OC15", "Offer ID (offers) cannot be sent when creating an opportunity; link Marketplace "
                                "offers with a later update", "offers")


@rule("OC16", Stage.CREATE, ignores=True)
def ignore_fields_not_taken_on_create(check: Check) -> Iterator[Ignored]:
    """Fields a create does not take (outbound-only, update-only, unknown) are dropped."""
    version_one = check.context.payload_version == 1
    fvo = is_for_visibility_only(check.value("partnerPrimaryNeedFromAws"))
    for name in list(check.changes):
        spec = check.catalog.get(name)
        if spec is None or spec.direction is Direction.OUTBOUND_ONLY or spec.on_create is OnCreate.NOT_ACCEPTED:
            if not (spec is not None and spec.deprecated and version_one):
                yield Ignored("OC16", name)
        elif name == "nextStep" and (fvo or version_one):
            yield Ignored("OC16", name)


@rule("OC17", Stage.CREATE)
def check_close_date_not_past(check: Check) -> Iterator[Violation]:
    """``targetCloseDate`` is today or later (UTC)."""
    closing = as_date(check.changes.get("targetCloseDate"))
    if check.context.enforce_future_close_date and closing is not None and closing < check.context.today:
        yield Violation("OC17", "Invalid date selection. Please select a date within an acceptable range. "
                                f"({field_name(check.catalog, 'targetCloseDate')} {closing.isoformat()} is in the "
                                f"past; today is {check.context.today.isoformat()} UTC)", "targetCloseDate")


@rule("OC20", Stage.CREATE)
def check_partner_key_is_new(check: Check) -> Iterator[Violation]:
    """A create's partner key must not already exist (such a record is an update)."""
    key = check.record.get("partnerCrmUniqueIdentifier")
    existing = check.partner.partner_keys
    if isinstance(key, str) and existing is not None and key in existing:
        yield Violation("OC20", f"partnerCrmUniqueIdentifier {quote_input(key)} already exists for this partner: "
                                "the record is an update of that opportunity, not a create",
                        "partnerCrmUniqueIdentifier")
