"""Value checks shared by creates and updates (ACE-CONTRACT §10.1 OC2-OC9, OC11-OC14, OC18, OC19).

On a create they run as their own rules; on an update OU3 runs them over the
fields the update would apply, with the stored record filling in the rest. A
cross-field check runs only when one of its fields is part of the record, so an
update that leaves them alone is not failed for what is already stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from connector.ace import reference_data
from connector.ace.catalog import split_multi
from connector.ace.jsonio import quote_input
from connector.ace.rules.engine import Check, Ignored, Stage, Violation, rule
from connector.ace.rules.fields import field_name, invalid_picklist, is_blank, is_number, shape_violations

__all__ = ["CO_SELL_PREFIX", "MARKETING_DETAIL_FIELDS", "NO_SUPPORT_NEED", "VALUE_RULE_IDS", "is_co_sell",
           "is_for_visibility_only"]

NO_SUPPORT_NEED = "Do Not Need Support from AWS Sales Rep"
CO_SELL_PREFIX = "Co-Sell - "
UNITED_STATES = "United States"
OTHER_SOLUTION = "Other"
NET_NEW_BUSINESS = "Net New Business"
FLAT_RENEWAL = "Flat Renewal"
AWS_ACCOUNT_ID_DIGITS = 12
DUNS_DIGITS = 9
MIN_PROJECT_DESCRIPTION_CHARS = 20
MAX_PROJECT_DESCRIPTION_CHARS = 2000
MAX_OTHER_SOLUTION_CHARS = 255

#: Picklist fields whose values must be standard ones (OC2 / UAT 7.3).
PICKLIST_FIELDS = (
    "partnerPrimaryNeedFromAws", "competitiveTracking", "useCase", "industry", "IsOppFromMarketingActivity",
    "isMarketingDevelopmentFunded", "marketingActivityChannel", "marketingActivityUsecase", "deliveryModel",
    "campaignName", "country", "state", "opportunityType", "salesActivities", "doesOppBelongToNatSec", "stage",
    "closedLostReason", "partnerAcceptanceStatus", "rejectionReason", "procurementType",
    "customerSoftwareValueCurrency",
)
#: Must be empty when the deal is not from marketing activity (OC8, OU7).
MARKETING_DETAIL_FIELDS = ("isMarketingDevelopmentFunded", "marketingActivityChannel", "marketingActivityUsecase",
                           "awsSFCampaignName")
#: Lengths these rules check themselves, with a better message than the shape check's.
_OWN_LENGTH_CHECKS = frozenset({"customerDuns", "awsAccountId", "projectDescription"})

_SOLUTION_ID_RE = re.compile(r"S-[0-9]+")
_OPPORTUNITY_ID_RE = re.compile(r"O[0-9]{1,19}")

#: The checks OU3 repeats on updates, in rule order.
VALUE_RULE_IDS = ("SHAPE", "OC2", "OC3", "OC4", "OC5", "OC6", "OC7", "OC8", "OC9", "OC11", "OC12", "OC13",
                  "OC14", "OC18", "OC19")


def is_for_visibility_only(need: object) -> bool:
    """True when the need is exactly "no support": a For-Visibility-Only opportunity."""
    return isinstance(need, str) and split_multi(need) == [NO_SUPPORT_NEED]


def is_co_sell(need: object) -> bool:
    return isinstance(need, str) and any(p.startswith(CO_SELL_PREFIX) for p in split_multi(need))


def _digits_rule(check: Check, rule_id: str, name: str, digits: int) -> Iterator[Violation]:
    value = check.changes.get(name)
    if isinstance(value, str) and not (len(value) == digits and value.isascii() and value.isdigit()):
        yield Violation(rule_id, f"{field_name(check.catalog, name)} must be exactly {digits} digits, "
                                 f"got {quote_input(value)}", name)


@rule("SHAPE", Stage.CREATE)
def check_shapes(check: Check) -> Iterator[Violation]:
    """Every field has its JSON type, date format and maximum length."""
    yield from shape_violations(check, rule_id="SHAPE", skip_length=_OWN_LENGTH_CHECKS)


@rule("OC2", Stage.CREATE)
def check_standard_values(check: Check) -> Iterator[Violation]:
    """Picklist fields take standard values only; every part of a multi-select too."""
    # a create's values are checked as sent, even those it then ignores (stage, ...: UAT 7.3)
    source = check.record if check.stage is Stage.CREATE else check.changes
    for name in PICKLIST_FIELDS:
        value = source.get(name)
        if value is None:
            continue
        problem = invalid_picklist(check.catalog.fields[name], value)
        if problem:
            yield Violation("OC2", problem, name)


@rule("OC3", Stage.CREATE)
def check_state_only_in_united_states(check: Check) -> Iterator[Violation]:
    """``state`` is allowed only when ``country`` is United States."""
    state = check.value("state")
    if not check.touched("state", "country") or is_blank(state) or not check.known("country"):
        return
    country = check.value("country")
    if check.value("doesOppBelongToNatSec") == "Yes":
        return  # ACE sets the country to United States itself
    if country != UNITED_STATES:
        yield Violation("OC3", f"Invalid State (state): {quote_input(state)} is only allowed when country is "
                               f"{UNITED_STATES} (country is {quote_input(country)})", "state")


@rule("OC4", Stage.CREATE)
def check_aws_account_id(check: Check) -> Iterator[Violation]:
    """``awsAccountId``, when given, is exactly 12 digits."""
    yield from _digits_rule(check, "OC4", "awsAccountId", AWS_ACCOUNT_ID_DIGITS)


@rule("OC5", Stage.CREATE)
def check_duns(check: Check) -> Iterator[Violation]:
    """``customerDuns``, when given, is exactly 9 digits."""
    yield from _digits_rule(check, "OC5", "customerDuns", DUNS_DIGITS)


@rule("OC6", Stage.CREATE)
def check_revenue_positive(check: Check) -> Iterator[Violation]:
    """``expectedMonthlyAwsRevenue`` is above zero."""
    value = check.changes.get("expectedMonthlyAwsRevenue")
    if is_number(value) and value <= 0:
        yield Violation("OC6", f"{field_name(check.catalog, 'expectedMonthlyAwsRevenue')} must be greater than 0 "
                               f"(USD per month), got {value!r}", "expectedMonthlyAwsRevenue")


@rule("OC7", Stage.CREATE)
def check_description_length(check: Check) -> Iterator[Violation]:
    """``projectDescription`` has 20 to 2000 characters."""
    value = check.changes.get("projectDescription")
    if not isinstance(value, str):
        return
    length = len(value.strip())
    if length < MIN_PROJECT_DESCRIPTION_CHARS or len(value) > MAX_PROJECT_DESCRIPTION_CHARS:
        yield Violation("OC7", f"{field_name(check.catalog, 'projectDescription')} must have "
                               f"{MIN_PROJECT_DESCRIPTION_CHARS} to {MAX_PROJECT_DESCRIPTION_CHARS} characters, "
                               f"got {length}", "projectDescription")


@rule("OC8", Stage.CREATE)
def check_marketing_block(check: Check) -> Iterator[Violation]:
    """Marketing details: funding flag required when from marketing, all four empty when not."""
    if not check.touched("IsOppFromMarketingActivity", *MARKETING_DETAIL_FIELDS):
        return
    flag = check.value("IsOppFromMarketingActivity")
    if flag == "Yes" and check.known("isMarketingDevelopmentFunded") and is_blank(
            check.value("isMarketingDevelopmentFunded")):
        yield Violation("OC8", "Required: " + check.catalog.fields["isMarketingDevelopmentFunded"].label
                        + " (isMarketingDevelopmentFunded is required when IsOppFromMarketingActivity is Yes)",
                        "isMarketingDevelopmentFunded")
    if flag == "No":
        if check.stored_value("IsOppFromMarketingActivity") == "Yes" and check.sent("IsOppFromMarketingActivity"):
            return  # the switch from Yes to No is OU7's to report
        still_set = [n for n in MARKETING_DETAIL_FIELDS if check.known(n) and not is_blank(check.value(n))]
        if still_set:
            yield Violation("OC8", "IsOppFromMarketingActivity is No, so these fields must be null: "
                                   + ", ".join(still_set), still_set[0])


@rule("OC9", Stage.CREATE)
def check_need_not_mixed(check: Check) -> Iterator[Violation]:
    """The no-support need cannot be combined with co-sell needs."""
    need = check.changes.get("partnerPrimaryNeedFromAws")
    if isinstance(need, str) and NO_SUPPORT_NEED in split_multi(need) and is_co_sell(need):
        yield Violation("OC9", '"Do Not Need Support from AWS Sales Rep" and "Co-Sell" options cannot be selected '
                               "at the same time for primary need from AWS", "partnerPrimaryNeedFromAws")


@rule("OC11", Stage.CREATE)
def check_other_details(check: Check) -> Iterator[Violation]:
    """``industryOther`` when industry is Other; ``competitiveTrackingOther`` when tracking is *Other."""
    pairs = (("industry", "Other", "industryOther"), ("competitiveTracking", "*Other", "competitiveTrackingOther"))
    for name, other_value, detail in pairs:
        if check.touched(name, detail) and check.value(name) == other_value and check.known(detail) \
                and is_blank(check.value(detail)):
            yield Violation("OC11", f"Required: {check.catalog.fields[detail].label} ({detail} is required when "
                                    f"{name} is {other_value})", detail)


@rule("OC12", Stage.CREATE)
def check_solutions(check: Check) -> Iterator[Violation]:
    """``solutionOffered``: the partner's solution ids, or exactly ["Other"] with ``otherSolutionOffered``."""
    if not check.touched("solutionOffered", "otherSolutionOffered"):
        return
    solutions = check.value("solutionOffered")
    if not isinstance(solutions, list) or not solutions or not all(isinstance(s, str) for s in solutions):
        return  # blank: OC1/OU2; wrong type: SHAPE
    if OTHER_SOLUTION in solutions:
        if solutions != [OTHER_SOLUTION]:
            yield Violation("OC12", "Solution offered (solutionOffered): \"Other\" cannot be combined with solution "
                                    f"ids, got {quote_input(solutions)}", "solutionOffered")
        elif check.known("otherSolutionOffered") and is_blank(check.value("otherSolutionOffered")):
            yield Violation("OC12", "Required: Other Solution Offered (otherSolutionOffered is required when "
                                    'solutionOffered is ["Other"])', "otherSolutionOffered")
        return
    malformed = [s for s in solutions if not _SOLUTION_ID_RE.fullmatch(s)]
    known = check.partner.solution_ids
    unknown = [s for s in solutions if s not in malformed and known is not None and s not in known]
    if malformed:
        yield Violation("OC12", f"Solution offered (solutionOffered): {quote_input(malformed)} are not solution ids "
                                '(S- followed by digits, e.g. S-0001234) nor ["Other"]', "solutionOffered")
    if unknown:
        yield Violation("OC12", f"Solution offered (solutionOffered): {quote_input(unknown)} are not solutions of "
                                "this partner", "solutionOffered")


@rule("OC13", Stage.CREATE)
def check_products(check: Check) -> Iterator[Violation]:
    """``awsProducts`` are valid AWS product codes."""
    products = check.changes.get("awsProducts")
    codes = check.partner.product_codes
    if not isinstance(products, list) or codes is None:
        return
    unknown = [p for p in products if isinstance(p, str) and p not in codes]
    if unknown:
        yield Violation("OC13", f"AWS products (awsProducts): {quote_input(unknown)} are not valid AWS product codes",
                        "awsProducts")


@rule("OC14", Stage.CREATE, ignores=True)
def check_parent_opportunity(check: Check) -> Iterator[Violation | Ignored]:
    """``parentOppId``: an O-id of the partner; required for Flat Renewal, ignored for Net New Business."""
    if not check.touched("parentOppId", "opportunityType"):
        return
    kind = check.value("opportunityType") or NET_NEW_BUSINESS
    parent = check.value("parentOppId")
    if kind == NET_NEW_BUSINESS:
        if check.sent("parentOppId"):
            yield Ignored("OC14", "parentOppId")
        return
    if kind == FLAT_RENEWAL and check.known("parentOppId") and is_blank(parent):
        yield Violation("OC14", "Required: Parent Opportunity ID (parentOppId is required when opportunityType is "
                                f"{FLAT_RENEWAL})", "parentOppId")
        return
    if not check.sent("parentOppId") or not isinstance(parent, str) or is_blank(parent):
        return
    owned = check.partner.owned_opportunity_ids
    if not _OPPORTUNITY_ID_RE.fullmatch(parent) or (owned is not None and parent not in owned):
        yield Violation("OC14", f"Resource with Identifier {parent} does not exist or is not accessible "
                                "(parentOppId must be an opportunity id of this partner)", "parentOppId")


@rule("OC18", Stage.CREATE)
def check_postal_code(check: Check) -> Iterator[Violation]:
    """``postalCode`` has the country's format; empty for countries without postal codes."""
    if not check.touched("postalCode", "country") or not check.known("postalCode"):
        return
    code, country = check.value("postalCode"), check.value("country")
    if not isinstance(code, str) or not isinstance(country, str) or check.value("doesOppBelongToNatSec") == "Yes":
        return
    if not reference_data.has_postal_code(country):
        if code.strip():
            yield Violation("OC18", f"Postal Code (postalCode) must be empty for {country}, which has no postal "
                                    f"codes; got {quote_input(code)}", "postalCode")
        return
    rule_for_country = reference_data.postal_code_rule(country)
    if code.strip() and rule_for_country is not None and not rule_for_country.matches(code):
        yield Violation("OC18", rule_for_country.message, "postalCode")


@rule("OC19", Stage.CREATE)
def check_owner_email(check: Check) -> Iterator[Violation]:
    """``opportunityOwnerEmail`` is a Partner Central user of this partner."""
    email = check.changes.get("opportunityOwnerEmail")
    if isinstance(email, str) and email.strip() and not check.partner.knows_user(email):
        yield Violation("OC19", f"User not found for Opportunity Owner email:{email}", "opportunityOwnerEmail")
