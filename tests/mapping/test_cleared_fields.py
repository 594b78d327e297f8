"""Emptying a field in Salesforce empties it in ACE, where ACE allows that (the shipped opportunity mapping)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.ace.catalog import catalog_for
from connector.ace.rules import RuleContext, check_opportunity_update
from connector.mapping import load_mappings
from connector.mapping.checks import NEVER_EMPTY_ACE_FIELDS
from tests.mapping.helpers import compile_text, mapping_text, only_error, position

OPPORTUNITY = catalog_for("opportunity")
MARKETING_DETAILS = ("isMarketingDevelopmentFunded", "marketingActivityChannel", "marketingActivityUsecase",
                     "awsSFCampaignName")
#: Empty in ACE's exports of an undecided AWS referral although ACE holds a value (ACE-CONTRACT §8.3).
HIDDEN_ON_REFERRALS = ("country", "customerFirstName", "customerLastName", "customerEmail", "customerPhone",
                       "customerTitle", "otherSolutionOffered")
DECISION_FIELDS = ("partnerAcceptanceStatus", "rejectionReason")
NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def mapping(repo_root):
    return load_mappings(repo_root / "mappings")["opportunity"]


def _first(name: str) -> str:
    return OPPORTUNITY.values_of(name)[0]


def marketing_opportunity() -> dict:
    """A Salesforce Opportunity from marketing, as the shipped mapping reads it."""
    return {
        "Id": "006000000000001AAA", "ACE_Opportunity_Id__c": "O1000001", "Name": "Data platform",
        "Description": "Moving the data platform to AWS.", "StageName": "Qualification", "CloseDate": "2030-06-30",
        "ACE_Expected_Monthly_Revenue__c": 1000.0, "ACE_Use_Case__c": _first("useCase"),
        "ACE_Delivery_Model__c": _first("deliveryModel"),
        "ACE_Primary_Need_From_AWS__c": "Co-Sell - Architectural Validation",
        "ACE_Sales_Activities__c": _first("salesActivities"), "ACE_Solutions_Offered__c": "S-0001111",
        "ACE_Customer_Company_Name__c": "Example Corp", "ACE_Customer_Website__c": "https://example.com",
        "ACE_Industry__c": _first("industry"), "ACE_Country__c": "United States", "ACE_State__c": "Texas",
        "ACE_Postal_Code__c": "75001", "ACE_From_Marketing_Activity__c": True,
        "ACE_Marketing_Development_Funded__c": "No", "ACE_Marketing_Channel__c": _first("marketingActivityChannel"),
        "ACE_Marketing_Use_Case__c": _first("marketingActivityUsecase"), "ACE_AWS_Campaign_Name__c": "CMP-1",
    }


def test_leaving_marketing_sends_the_four_details_as_null(mapping) -> None:
    before = marketing_opportunity()
    stored = {**mapping.to_ace(before).record, "status": "Approved", "stage": "Qualified"}
    after = {**before, "ACE_From_Marketing_Activity__c": False, "ACE_Marketing_Development_Funded__c": None,
             "ACE_Marketing_Channel__c": None, "ACE_Marketing_Use_Case__c": None, "ACE_AWS_Campaign_Name__c": ""}

    sent = mapping.to_ace(after)

    assert sent.problems == []
    assert sent.record["IsOppFromMarketingActivity"] == "No"
    assert {name: sent.record[name] for name in MARKETING_DETAILS} == dict.fromkeys(MARKETING_DETAILS)
    verdict = check_opportunity_update(sent.record, stored=stored, context=RuleContext.at(NOW))
    assert verdict.ok, verdict.error_texts()
    assert {name: verdict.changes[name] for name in MARKETING_DETAILS} == dict.fromkeys(MARKETING_DETAILS)


def test_an_empty_record_sends_no_null_ace_would_refuse_or_misread(mapping) -> None:
    sent = mapping.to_ace({"Id": "006000000000001AAA", "ACE_Opportunity_Id__c": "O1000001"}).record
    nulls = {name for name, value in sent.items() if value is None}

    assert set(MARKETING_DETAILS) | {"nextStep", "state", "postalCode", "closedLostReason"} <= nulls
    assert nulls & NEVER_EMPTY_ACE_FIELDS["opportunity"] == set()
    assert nulls & {*HIDDEN_ON_REFERRALS, *DECISION_FIELDS, "awsAccountId"} == set()  # Launched needs the id
    assert sent["opportunityType"] == "Net New Business"  # its default, not a null


def test_an_empty_ace_value_never_empties_the_salesforce_field(mapping) -> None:
    written = mapping.to_salesforce({"apnCrmUniqueIdentifier": "O1000001", "nextStep": None,
                                     "marketingActivityChannel": "", "otherSolutionOffered": None})

    assert written.values == {"ACE_Opportunity_Id__c": "O1000001"}


def test_a_rule_may_clear_one_side_only() -> None:
    compiled = compile_text(mapping_text("  - ace: nextStep\n    salesforce: Next__c\n    direction: both\n"
                                         "    nulls: {ace: clear}\n"
                                         "  - ace: city\n    salesforce: City__c\n    direction: both\n"
                                         "    nulls: {salesforce: clear}\n"))

    assert compiled.to_ace({"Next__c": None, "City__c": None}).record == {"nextStep": None}
    assert compiled.to_salesforce({"nextStep": None, "city": None}).values == {"City__c": None}


@pytest.mark.parametrize("ace", sorted(NEVER_EMPTY_ACE_FIELDS["opportunity"]))
@pytest.mark.parametrize("direction,nulls", [("to_ace", "clear"), ("both", "{ace: clear}"), ("both", "clear")])
def test_validate_refuses_clearing_a_field_every_update_needs(ace: str, direction: str, nulls: str) -> None:
    text = mapping_text(f"  - ace: {ace}\n    salesforce: X__c\n    direction: {direction}\n    nulls: {nulls}\n")

    error = only_error(text)

    assert f"nulls: clear would send an empty {ace} to ACE as null" in error.message
    assert (error.line, error.column) == position(text, nulls)


@pytest.mark.parametrize("direction,nulls", [("to_salesforce", "clear"), ("both", "{salesforce: clear}")])
def test_validate_lets_ace_empty_such_a_field_in_salesforce(direction: str, nulls: str) -> None:
    compiled = compile_text(mapping_text(f"  - ace: stage\n    salesforce: X__c\n    direction: {direction}\n"
                                         f"    nulls: {nulls}\n"))

    assert compiled.to_salesforce({"stage": None}).values == {"X__c": None}


@pytest.mark.parametrize("direction,nulls,words", [
    ("to_ace", "{salesforce: clear}", "nulls for Salesforce needs a rule that goes to_salesforce or both"),
    ("to_salesforce", "{ace: clear}", "nulls for ACE needs a rule that goes to_ace or both"),
    ("both", "{ace: wipe}", "nulls.ace 'wipe' is not one of keep, clear, default"),
    ("both", "{sf: clear}", "unknown key 'sf' in nulls"),
    ("both", "{ace: default}", "nulls: default needs an ACE default"),
])
def test_validate_explains_a_wrong_per_side_nulls(direction: str, nulls: str, words: str) -> None:
    text = mapping_text(f"  - ace: city\n    salesforce: X__c\n    direction: {direction}\n    nulls: {nulls}\n")

    error = only_error(text)

    assert words in error.message, error.message
