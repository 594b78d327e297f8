"""Every rule id of the engine, failing and passing, plus ACE's exact wordings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from connector.ace.rules import (
    NO_CHANGE_MESSAGE,
    NOT_EDITABLE_MESSAGE,
    PartnerProfile,
    RuleContext,
    check_lead_update,
    check_opportunity_create,
    check_opportunity_update,
    rule_ids,
)

ABSENT = object()
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
PARTNER = PartnerProfile(
    user_emails=frozenset({"owner@partner.example"}), solution_ids=frozenset({"S-0001111", "S-0001112"}),
    product_codes=frozenset({"AmazonEC2", "AWSLambda"}), owned_opportunity_ids=frozenset({"O1000001", "O1000002"}),
    partner_keys=frozenset({"PK-EXISTING"}),
)
CTX = RuleContext.at(NOW, partner=PARTNER)
ISV = replace(CTX, partner=replace(PARTNER, partner_type="isv", isv_accelerate=True))
SPECIAL = replace(CTX, partner=replace(PARTNER, partner_type="isv", isv_accelerate=True, special_program=True))

VALID_CREATE = {
    "partnerCrmUniqueIdentifier": "PK-1", "useCase": "Database", "targetCloseDate": "2030-06-30",
    "projectDescription": "Move the order database to Aurora and retire the old cluster.",
    "partnerProjectTitle": "Aurora migration", "partnerPrimaryNeedFromAws": "Co-Sell - Deal Support",
    "industry": "Retail", "expectedMonthlyAwsRevenue": 2500.0, "deliveryModel": "Professional Services",
    "customerWebsite": "https://northwind.example", "customerCompanyName": "Northwind Traders",
    "country": "United States", "state": "Oregon", "postalCode": "97201", "IsOppFromMarketingActivity": "No",
    "salesActivities": "Conducted POC / Demo", "solutionOffered": ["S-0001111"],
}
STORED = {**VALID_CREATE, "apnCrmUniqueIdentifier": "O1000001", "opportunityOwnership": "Partner Referral",
          "status": "Approved", "stage": "Qualified", "awsAccountId": None, "closedLostReason": None}
REFERRAL = {**STORED, "opportunityOwnership": "AWS Referral", "partnerCrmUniqueIdentifier": None,
            "partnerAcceptanceStatus": None, "acceptBy": "2030-01-05T00:00:00.000Z"}
LEAD = {"apnCrmUniqueIdentifier": "L123456", "currentLeadStage": "Accepted", "status": "Open",
        "partnerCrmLeadId": None, "city": "Portland", "fullName": "Ada Lovelace"}


def create(ctx=CTX, **fields):
    record = {k: v for k, v in {**VALID_CREATE, **fields}.items() if v is not ABSENT}
    return check_opportunity_create(record, context=ctx)


def update(fields, stored=STORED, ctx=CTX):
    return check_opportunity_update({"apnCrmUniqueIdentifier": "O1000001", **fields}, stored=stored, context=ctx)


def lead(fields, stored=LEAD, ctx=CTX):
    return check_lead_update({"apnCrmUniqueIdentifier": "L123456", **fields}, stored=stored, context=ctx)


# (rule id, fails?, verdict): "fails" means an error from the rule, or for (I)-rules a field it dropped
CASES = [
    ("OC1", True, lambda: create(useCase=ABSENT)),
    ("OC1", True, lambda: create(salesActivities=None)),
    ("OC1", False, lambda: create()),
    ("OC1", False, lambda: create(country="Hong Kong", state=ABSENT, postalCode=ABSENT)),
    ("OC1", False, lambda: create(doesOppBelongToNatSec="Yes", industry="Government", customerWebsite=ABSENT,
                                  customerCompanyName=ABSENT, postalCode=ABSENT, state=ABSENT)),
    ("SHAPE", True, lambda: create(city=5)),
    ("SHAPE", True, lambda: create(nextStep="x" * 256)),
    ("SHAPE", False, lambda: create(city="Portland")),
    ("OC2", True, lambda: create(industry="Retial")),
    ("OC2", True, lambda: create(deliveryModel="Resell; Other")),
    ("OC2", True, lambda: create(stage="Won")),
    ("OC2", False, lambda: create(deliveryModel="Resell;Other")),
    ("OC3", True, lambda: create(country="Canada", postalCode="K1A 0B1", state="Oregon")),
    ("OC3", False, lambda: create()),
    ("OC4", True, lambda: create(awsAccountId="12345")),
    ("OC4", False, lambda: create(awsAccountId="123456789012")),
    ("OC5", True, lambda: create(customerDuns="12345678")),
    ("OC5", False, lambda: create(customerDuns="123456789")),
    ("OC6", True, lambda: create(expectedMonthlyAwsRevenue=0)),
    ("OC6", True, lambda: create(expectedMonthlyAwsRevenue=-5.5)),
    ("OC6", False, lambda: create(expectedMonthlyAwsRevenue=0.01)),
    ("OC7", True, lambda: create(projectDescription="Too short.")),
    ("OC7", False, lambda: create(projectDescription="Exactly twenty chars")),
    ("OC8", True, lambda: create(marketingActivityChannel="Email")),
    ("OC8", True, lambda: create(IsOppFromMarketingActivity="Yes")),
    ("OC8", False, lambda: create(IsOppFromMarketingActivity="Yes", isMarketingDevelopmentFunded="No")),
    ("OC9", True, lambda: create(partnerPrimaryNeedFromAws="Co-Sell - Deal Support;"
                                                           "Do Not Need Support from AWS Sales Rep")),
    ("OC9", False, lambda: create(partnerPrimaryNeedFromAws="Do Not Need Support from AWS Sales Rep")),
    ("OC10", True, lambda: create(doesOppBelongToNatSec="Yes")),
    ("OC10", False, lambda: create(doesOppBelongToNatSec="Yes", industry="Government")),
    ("OC11", True, lambda: create(industry="Other")),
    ("OC11", True, lambda: create(competitiveTracking="*Other")),
    ("OC11", False, lambda: create(industry="Other", industryOther="Shipbuilding")),
    ("OC12", True, lambda: create(solutionOffered=["Other"])),
    ("OC12", True, lambda: create(solutionOffered=["S-9999999"])),
    ("OC12", True, lambda: create(solutionOffered=["Other", "S-0001111"])),
    ("OC12", False, lambda: create(solutionOffered=["Other"], otherSolutionOffered="Custom data platform")),
    ("OC13", True, lambda: create(awsProducts=["AmazonEC2", "NotAProduct"])),
    ("OC13", False, lambda: create(awsProducts=["AmazonEC2"])),
    ("OC14", True, lambda: create(opportunityType="Flat Renewal")),
    ("OC14", True, lambda: create(opportunityType="Expansion", parentOppId="O999")),
    ("OC14", True, lambda: create(parentOppId="O1000002")),  # ignored for Net New Business
    ("OC14", False, lambda: create(opportunityType="Expansion", parentOppId="O1000002")),
    ("OC15", True, lambda: create(offers=["offer-abc"])),
    ("OC15", False, lambda: create(offers=None)),
    ("OC16", True, lambda: create(stage="Qualified")),
    ("OC16", True, lambda: create(partnerPrimaryNeedFromAws="Do Not Need Support from AWS Sales Rep", nextStep="x")),
    ("OC16", False, lambda: create(nextStep="Call the CTO")),
    ("OC17", True, lambda: create(targetCloseDate="2029-12-31")),
    ("OC17", False, lambda: create(targetCloseDate="2030-01-01")),
    ("OC17", False, lambda: create(replace(CTX, enforce_future_close_date=False), targetCloseDate="2020-06-30")),
    ("OC18", True, lambda: create(postalCode="ABCDE")),
    ("OC18", True, lambda: create(country="Hong Kong", state=ABSENT, postalCode="999077")),
    ("OC18", False, lambda: create(postalCode="97201-1234")),
    ("OC19", True, lambda: create(opportunityOwnerEmail="nobody@partner.example")),
    ("OC19", False, lambda: create(opportunityOwnerEmail="Owner@Partner.example")),
    ("OC20", True, lambda: create(partnerCrmUniqueIdentifier="PK-EXISTING")),
    ("OC20", False, lambda: create(partnerCrmUniqueIdentifier="PK-NEW")),
    ("OU1", True, lambda: update({"stage": "Committed"}, stored={**STORED, "status": "In review"})),
    ("OU1", True, lambda: update({"stage": "Committed"}, stored=REFERRAL)),
    ("OU1", True, lambda: update({"stage": "Committed"}, stored={**STORED, "apnCrmUniqueIdentifier": "O7"})),
    ("OU1", False, lambda: update({"stage": "Committed"})),
    ("OU2", True, lambda: update({"stage": None})),
    ("OU2", True, lambda: update({"salesActivities": None}, stored=None)),
    ("OU2", False, lambda: update({"stage": "Technical Validation"})),
    ("OU3", True, lambda: update({"deliveryModel": "Bogus"})),
    ("OU3", True, lambda: update({"customerDuns": "12"}, stored=None)),
    ("OU3", False, lambda: update({"deliveryModel": "Resell"})),
    ("OU4", True, lambda: update({"stage": "Launched"})),
    ("OU4", False, lambda: update({"stage": "Launched", "awsAccountId": "123456789012"})),
    ("OU4", False, lambda: update({"stage": "Launched"}, ctx=ISV)),
    ("OU5", True, lambda: update({"stage": "Closed Lost"})),
    ("OU5", False, lambda: update({"stage": "Closed Lost", "closedLostReason": "Lost to Competitor \u2013 Google"})),
    ("OU6", True, lambda: update({"stage": "Committed"}, stored={**STORED, "solutionOffered": ["Other"],
                                                                   "otherSolutionOffered": "Custom"})),
    ("OU6", False, lambda: update({"stage": "Committed"})),
    ("OU7", True, lambda: update({"IsOppFromMarketingActivity": "No"}, stored={
        **STORED, "IsOppFromMarketingActivity": "Yes", "isMarketingDevelopmentFunded": "No",
        "marketingActivityChannel": "Email"})),
    ("OU7", False, lambda: update({"IsOppFromMarketingActivity": "No", "isMarketingDevelopmentFunded": None,
                                   "marketingActivityChannel": None}, stored={
        **STORED, "IsOppFromMarketingActivity": "Yes", "isMarketingDevelopmentFunded": "No",
        "marketingActivityChannel": "Email"})),
    ("OU8", True, lambda: update({"partnerPrimaryNeedFromAws": "Do Not Need Support from AWS Sales Rep"})),
    ("OU8", False, lambda: update({"partnerPrimaryNeedFromAws": "Co-Sell - Pricing Assistance"})),
    ("OU9", True, lambda: update({"nextStep": "x", "city": "Bend"}, stored={**STORED, "status": "Action Required"})),
    ("OU9", False, lambda: update({"city": "Bend"}, stored={**STORED, "status": "Action Required"})),
    ("OU10", True, lambda: update({"industry": "Gaming"})),
    ("OU10", False, lambda: update({"nextStep": "Workshop on Friday"})),
    ("OU11", True, lambda: update({"nextStep": "x"}, stored={**STORED, "stage": "Launched"})),
    ("OU11", False, lambda: update({"deliveryModel": "Resell"}, stored={**STORED, "stage": "Launched"}, ctx=ISV)),
    ("OU12", True, lambda: update({"stage": "Launched", "awsAccountId": "123456789012"}, ctx=SPECIAL)),
    ("OU12", True, lambda: update({"stage": "Launched", "procurementType": "Contract", "customerSoftwareValue": 9.5,
                                   "customerSoftwareValueCurrency": "USD", "contractStartDate": "2030-06-01",
                                   "contractEndDate": "2030-01-01"}, ctx=SPECIAL)),
    ("OU12", False, lambda: update({"stage": "Launched", "procurementType": "Contract", "customerSoftwareValue": 9.5,
                                    "customerSoftwareValueCurrency": "USD", "contractStartDate": "2030-01-01",
                                    "contractEndDate": "2031-01-01"}, ctx=SPECIAL)),
    ("OU13", True, lambda: update({"stage": "Launched"}, ctx=replace(ISV, payload_version=1))),
    ("OU13", False, lambda: update({"stage": "Launched", "isNetNewBusinessForCompany": "Yes",
                                    "awsFieldEngagement": "No", "isThisForMarketplace": "No"},
                                   ctx=replace(ISV, payload_version=1))),
    ("OU14", True, lambda: update({"offers": ["offer-a", "offer-b"]})),
    ("OU14", True, lambda: update({"offers": ["offer-a"], "stage": "Closed Lost", "closedLostReason": "Price"})),
    ("OU14", False, lambda: update({"offers": ["offer-a"]})),
    ("OU15", True, lambda: update({"partnerAcceptanceStatus": "Rejected"}, stored=REFERRAL)),
    ("OU15", True, lambda: update({"partnerAcceptanceStatus": "Rejected", "rejectionReason": "Because"},
                                  stored=REFERRAL)),
    ("OU15", True, lambda: update({"partnerAcceptanceStatus": "Maybe"}, stored=None)),
    ("OU15", True, lambda: update({"partnerAcceptanceStatus": "Accepted"},
                                  stored={**REFERRAL, "acceptBy": "2029-12-31T23:59:59.000Z"})),
    ("OU15", True, lambda: update({"partnerAcceptanceStatus": "Rejected"},
                                  stored={**REFERRAL, "partnerAcceptanceStatus": "Accepted"})),
    ("OU15", False, lambda: update({"partnerAcceptanceStatus": "Accepted"}, stored=REFERRAL)),
    ("OU15", False, lambda: update({"partnerAcceptanceStatus": "Rejected", "rejectionReason": "Next steps unclear"},
                                   stored=REFERRAL)),
    ("OU16", True, lambda: update({"status": "Approved", "stage": "Committed"})),
    ("OU16", True, lambda: update({"madeUpField": 1}, stored=None)),
    ("OU16", False, lambda: update({"stage": "Committed"})),
    ("LU1", True, lambda: check_lead_update({"status": "Research"}, stored=None, context=CTX)),
    ("LU1", True, lambda: check_lead_update({"apnCrmUniqueIdentifier": "O123", "status": "Research"}, stored=None,
                                            context=CTX)),
    ("LU1", False, lambda: lead({"status": "Research"})),
    ("LU2", True, lambda: lead({"currentLeadStage": "Maybe"})),
    ("LU2", True, lambda: lead({"status": "Research"}, stored={**LEAD, "currentLeadStage": None})),
    ("LU2", True, lambda: lead({"currentLeadStage": "Rejected"})),
    ("LU2", False, lambda: lead({"currentLeadStage": "Accepted"}, stored={**LEAD, "currentLeadStage": None})),
    ("LU3", True, lambda: lead({"status": "Closed"})),
    ("LU3", True, lambda: lead({"useCaseWorkload": "Big Data;Quantum"})),
    ("LU3", False, lambda: lead({"status": "Qualified", "country": "Bonaire,Sint Eustatius and Saba"})),
    ("LU4", True, lambda: lead({"city": "x" * 41})),
    ("LU4", True, lambda: lead({"phone": 1234567})),
    ("LU4", False, lambda: lead({"city": "Bend"})),
    ("LU5", True, lambda: lead({"fullName": "Grace Hopper", "city": "Bend"})),
    ("LU5", False, lambda: lead({"city": "Bend"})),
    ("LU6", True, lambda: lead({"status": "Open", "city": "Portland"})),
    ("LU6", True, lambda: lead({"fullName": "Only read-only fields"})),
    ("LU6", False, lambda: lead({"status": "Research"})),
    ("LU7", True, lambda: lead({"status": "Research"}, ctx=replace(CTX, require_lead_mandatory_fields=True))),
    ("LU7", False, lambda: lead({"status": "Research", "partnerCrmLeadId": "00Q1"},
                                ctx=replace(CTX, require_lead_mandatory_fields=True))),
    ("LU8", True, lambda: lead({"leadOwnerEmail": "nobody@partner.example"})),
    ("LU8", False, lambda: lead({"leadOwnerEmail": "owner@partner.example"})),
]


def _rules_hit(verdict) -> set[str]:
    return {v.rule for v in verdict.errors} | set(verdict.ignored_by.values())


@pytest.mark.parametrize(("rule_id", "fails", "make"), CASES,
                         ids=[f"{r}-{'fail' if f else 'pass'}-{i}" for i, (r, f, _) in enumerate(CASES)])
def test_rule(rule_id, fails, make):
    verdict = make()
    assert (rule_id in _rules_hit(verdict)) is fails, verdict


def test_every_registered_rule_has_a_failing_and_a_passing_case():
    failing = {r for r, fails, _ in CASES if fails}
    passing = {r for r, fails, _ in CASES if not fails}
    ids = set(rule_ids())
    assert ids == failing == passing
    expected = {f"OC{n}" for n in range(1, 21)} | {f"OU{n}" for n in range(1, 17)} | {f"LU{n}" for n in range(1, 9)}
    assert ids == expected | {"SHAPE"}


def test_valid_create_has_no_errors_and_applies_every_field():
    verdict = create()
    assert verdict.ok and verdict.errors == () and verdict.ignored_fields == ()
    assert dict(verdict.changes) == VALID_CREATE


def test_required_message_is_acesverbatim_wording_in_order():
    known = ["useCase", "targetCloseDate", "projectDescription", "postalCode", "partnerProjectTitle", "industry",
             "expectedMonthlyAwsRevenue", "deliveryModel", "customerWebsite", "customerCompanyName", "country",
             "partnerPrimaryNeedFromAws", "salesActivities"]
    verdict = create(**{name: ABSENT for name in known}, state=ABSENT)
    assert verdict.error_texts() == [
        "Required: Use Case;Target Launch Date;Project Description/Business Need;Postal Code;Partner Project Title;"
        "Industry Vertical;Expected Monthly AWS Revenue;Delivery Model;Customer Website;Customer Company Name;"
        "Country;Partner Primary Need from AWS",
        "Please enter Pre-sales Activities",
    ]


def test_only_missing_labels_are_listed():
    assert create(targetCloseDate=None, country=ABSENT, state=ABSENT).error_texts()[0] == \
        "Required: Target Launch Date;Country"


def test_known_texts_verbatim():
    assert update({"stage": "Committed"}, stored={**STORED, "status": "Submitted"}).error_texts() == [
        NOT_EDITABLE_MESSAGE]
    assert NOT_EDITABLE_MESSAGE == "Record is not editable."
    assert create(opportunityOwnerEmail="xyz.abc@test.com").error_texts() == [
        "User not found for Opportunity Owner email:xyz.abc@test.com"]
    assert lead({"status": "Open"}).error_texts() == [NO_CHANGE_MESSAGE]
    assert NO_CHANGE_MESSAGE == "No new update identified for this record"
    assert create(postalCode="9720").error_texts() == [
        "The postal code is invalid for country United States, United States postal code must be in "
        "99999 OR 99999-9999 format."]


def test_messages_name_field_and_value():
    [message] = create(industry="Retial").error_texts()
    assert "industry" in message and "'Retial'" not in message and '"Retial"' in message
    [message] = create(expectedMonthlyAwsRevenue=0).error_texts()
    assert "expectedMonthlyAwsRevenue" in message and "greater than 0" in message
    [message] = create(country="Accept To View", state=ABSENT).error_texts()
    assert "masking placeholder" in message


def test_decision_applies_only_the_decision():
    verdict = update({"partnerAcceptanceStatus": "Accepted", "stage": "Committed"}, stored=REFERRAL)
    assert verdict.ok
    assert dict(verdict.changes) == {"partnerAcceptanceStatus": "Accepted"}
    assert verdict.ignored_by == {"stage": "OU15"}


def test_update_changes_leave_out_ignored_fields_and_the_key():
    verdict = update({"stage": "Committed", "industry": "Gaming", "status": "Approved"})
    assert verdict.ok
    assert dict(verdict.changes) == {"stage": "Committed"}
    assert set(verdict.ignored_fields) == {"industry", "status"}


def test_not_editable_is_the_only_answer():
    verdict = update({"stage": "Bogus", "city": 5}, stored={**STORED, "status": "In review"})
    assert verdict.error_texts() == [NOT_EDITABLE_MESSAGE] and dict(verdict.changes) == {}


def test_update_without_stored_record_checks_only_what_it_sends():
    verdict = update({"stage": "Launched"}, stored=None)
    assert verdict.ok  # awsAccountId may well be stored already
    assert not update({"stage": "Launched", "awsAccountId": None}, stored=None).ok


def test_absent_and_null_differ():
    assert update({}, stored=STORED).ok  # nothing sent: nothing cleared
    assert not update({"useCase": None}, stored=STORED).ok  # null clears a required field


def test_lead_accept_with_sample_shaped_record():
    verdict = lead({"currentLeadStage": "Accepted", "partnerCrmLeadId": "00Q5e00000AbCdE"},
                   stored={**LEAD, "currentLeadStage": None})
    assert verdict.ok and dict(verdict.changes) == {"currentLeadStage": "Accepted",
                                                    "partnerCrmLeadId": "00Q5e00000AbCdE"}
