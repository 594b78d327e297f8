"""What compiled mappings do with records: masked values, nulls, value maps, parent paths, hashes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .helpers import compile_text, mapping_text

STAGE_MAP = """\
  - ace: stage
    salesforce: StageName
    direction: both
    values:
      - {salesforce: Prospecting, ace: Prospect}
      - {salesforce: Qualification, ace: Qualified}
      - {salesforce: Needs Analysis, ace: Technical Validation}
      - {salesforce: Value Proposition, ace: Business Validation}
      - {salesforce: Proposal/Price Quote, ace: Committed}
      - {salesforce: Closed Won, ace: Launched}
      - {salesforce: Closed Lost, ace: Closed Lost}
      - {salesforce: Negotiation/Review, ace: Committed}
"""


def rule(ace: str, sf: str, direction: str = "both", extra: str = "") -> str:
    return f"  - ace: {ace}\n    salesforce: {sf}\n    direction: {direction}\n{extra}"


@given(st.sampled_from(["Accept To View", "Accept to View", "accept to view", " Accept  To View ",
                        "ACCEPT TO VIEW"]))
def test_masked_values_never_overwrite_salesforce_data(placeholder) -> None:
    mapping = compile_text(mapping_text(rule("customerFirstName", "First__c")
                                        + rule("customerPhone", "Phone__c", extra="    nulls: clear\n")))
    result = mapping.to_salesforce({"customerFirstName": placeholder, "customerPhone": placeholder})
    assert result.values == {} and result.problems == [] and result.insert_values == {}


def test_masked_default_only_fills_records_the_connector_creates() -> None:
    mapping = compile_text(mapping_text(rule("fullName", "[FirstName, LastName]", "to_salesforce",
                                             "    transform: full_name\n    masked: default\n"
                                             "    default: Pending Acceptance\n"), entity="lead"))
    masked = mapping.to_salesforce({"fullName": "Accept To View"})
    assert masked.values == {} and masked.insert_values == {"FirstName": "Pending", "LastName": "Acceptance"}
    real = mapping.to_salesforce({"fullName": "Ana Maria Silva"})
    assert real.values == {"FirstName": "Ana Maria", "LastName": "Silva"}


def test_nulls_keep_clear_and_default() -> None:
    mapping = compile_text(mapping_text(
        rule("city", "City__c") + rule("postalCode", "Zip__c", extra="    nulls: clear\n")
        + rule("opportunityType", "Type__c", "to_salesforce", "    default: New Customer\n")))
    result = mapping.to_salesforce({"city": None, "postalCode": None, "opportunityType": None})
    assert result.values == {"Zip__c": None, "Type__c": "New Customer"}
    assert mapping.to_salesforce({}).values == {}  # absent fields say nothing


def test_empty_salesforce_values_are_left_out_of_ace_records_unless_told() -> None:
    mapping = compile_text(mapping_text(
        rule("city", "City__c") + rule("postalCode", "Zip__c", extra="    nulls: clear\n")
        + rule("IsOppFromMarketingActivity", "Mkt__c", "to_ace", "    default: 'No'\n")))
    assert mapping.to_ace({"City__c": None, "Zip__c": "", "Mkt__c": None}).record == {
        "postalCode": None, "IsOppFromMarketingActivity": "No"}


def test_value_map_round_trip_and_unmapped_policies() -> None:
    mapping = compile_text(mapping_text(STAGE_MAP))
    for ace in ("Prospect", "Qualified", "Technical Validation", "Business Validation", "Committed",
                "Launched", "Closed Lost"):
        salesforce = mapping.to_salesforce({"stage": ace}).values["StageName"]
        assert mapping.to_ace({"StageName": salesforce}).record == {"stage": ace}
    unknown = mapping.to_ace({"StageName": "Perception Analysis"})
    assert unknown.record == {}
    [problem] = unknown.problems
    assert (problem.field, problem.salesforce_field, problem.value) == ("stage", "StageName", "Perception Analysis")
    skipping = compile_text(mapping_text(STAGE_MAP + "    unmapped: skip\n"))
    assert skipping.to_ace({"StageName": "Perception Analysis"}) .problems == []
    defaulting = compile_text(mapping_text(STAGE_MAP + "    unmapped: default\n"
                                           "    default: {ace: Qualified, salesforce: Qualification}\n"))
    assert defaulting.to_ace({"StageName": "Perception Analysis"}).record == {"stage": "Qualified"}


def test_current_value_that_already_means_the_ace_value_is_kept() -> None:
    mapping = compile_text(mapping_text(STAGE_MAP))
    kept = mapping.to_salesforce({"stage": "Committed"}, current={"StageName": "Negotiation/Review"})
    assert "StageName" not in kept.values
    changed = mapping.to_salesforce({"stage": "Launched"}, current={"StageName": "Negotiation/Review"})
    assert changed.values["StageName"] == "Closed Won"


def test_multi_select_value_maps_apply_to_each_value() -> None:
    mapping = compile_text(mapping_text(rule("deliveryModel", "Model__c", extra=(
        "    unmapped: skip\n    values:\n      - {salesforce: SaaS, ace: SaaS or PaaS}\n"
        "      - {salesforce: Services, ace: Professional Services}\n"))))
    assert mapping.to_salesforce({"deliveryModel": "SaaS or PaaS;Resell;Professional Services"}).values == {
        "Model__c": "SaaS;Services"}
    assert mapping.to_ace({"Model__c": "Services;SaaS"}).record == {
        "deliveryModel": "Professional Services;SaaS or PaaS"}


def test_parent_paths_are_read_and_selected() -> None:
    mapping = compile_text(mapping_text(rule("customerCompanyName", "Account.Name", "to_ace")))
    assert "Account.Name" in mapping.soql_fields
    assert mapping.to_ace({"Account": {"Name": "Acme"}}).record == {"customerCompanyName": "Acme"}
    assert mapping.to_ace({"Account": None}).record == {}


def test_identity_and_last_modified_are_mapped() -> None:
    mapping = compile_text(mapping_text())
    result = mapping.to_salesforce({"apnCrmUniqueIdentifier": "O123", "lastModifiedDate": "2024-05-01T10:00:00Z"})
    assert result.values == {"ACE_Opportunity_Id__c": "O123", "ACE_Last_Modified__c": "2024-05-01T10:00:00.000Z"}
    record = mapping.to_ace({"Id": "006000000000001AAA", "ACE_Opportunity_Id__c": "O123"}).record
    assert record == {"apnCrmUniqueIdentifier": "O123", "partnerCrmUniqueIdentifier": "006000000000001AAA"}
    assert mapping.soql_fields[:3] == ["Id", "ACE_Opportunity_Id__c", "ACE_Sync_Status__c"]


def test_bad_values_become_field_problems_and_the_rest_is_mapped() -> None:
    mapping = compile_text(mapping_text(rule("targetCloseDate", "CloseDate") + rule("city", "City__c")))
    result = mapping.to_salesforce({"targetCloseDate": "2024-13-01", "city": "Lyon"})
    assert result.values == {"City__c": "Lyon"}
    [problem] = result.problems
    assert problem.field == "targetCloseDate" and "not a real calendar date" in str(problem)


def test_constants_go_one_way_without_reading_a_source() -> None:
    mapping = compile_text(mapping_text(
        "  - ace: opportunityType\n    direction: to_ace\n    transform: {name: constant, value: Expansion}\n"
        "  - salesforce: LeadSource\n    direction: to_salesforce\n"
        "    transform: {name: constant, value: Partner Referral}\n"))
    assert mapping.to_ace({}).record == {"opportunityType": "Expansion"}
    assert mapping.to_salesforce({}).values == {"LeadSource": "Partner Referral"}


def test_content_hash_ignores_order_number_spelling_identity_and_masks() -> None:
    mapping = compile_text(mapping_text(rule("deliveryModel", "Model__c") + rule("expectedMonthlyAwsRevenue", "Rev__c")
                                        + rule("awsProducts", "Products__c") + rule("customerEmail", "Email__c")))
    one = {"apnCrmUniqueIdentifier": "O1", "deliveryModel": "Resell;SaaS or PaaS", "expectedMonthlyAwsRevenue": 100,
           "awsProducts": ["AmazonEC2", "AmazonS3"], "customerEmail": "Accept To View"}
    two = {"deliveryModel": "SaaS or PaaS;Resell", "expectedMonthlyAwsRevenue": 100.0,
           "awsProducts": ["AmazonS3", "AmazonEC2"]}
    assert mapping.content_hash(one) == mapping.content_hash(two)
    assert len(mapping.content_hash(one)) == 64
    assert mapping.content_hash({**two, "expectedMonthlyAwsRevenue": 101}) != mapping.content_hash(two)


@pytest.mark.parametrize("record", [{"customerEmail": "a@b.example"}, {"deliveryModel": "Resell"}])
def test_content_hash_changes_with_content(record) -> None:
    mapping = compile_text(mapping_text(rule("deliveryModel", "Model__c") + rule("customerEmail", "Email__c")))
    assert mapping.content_hash(record) != mapping.content_hash({})
