"""Single-record REST calls through simple-salesforce, including the org's validation errors."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import (
    SalesforceGeneralError, SalesforceMalformedRequest, SalesforceResourceNotFound)

from connector.sandbox.salesforce.ids import make_id, to_id18


def error_of(excinfo: pytest.ExceptionInfo) -> dict:
    return excinfo.value.content[0]


def test_create_then_get_returns_every_field_with_audit_stamps(sf, make, org_facts):
    account = sf.Account.create({"Name": "Acme Ltd"})
    assert account["success"] is True and account["errors"] == []
    created = sf.Opportunity.create(make.opportunity(AccountId=account["id"], Amount=125000))
    record = sf.Opportunity.get(created["id"])
    assert record["attributes"] == {"type": "Opportunity",
                                    "url": f"/services/data/v59.0/sobjects/Opportunity/{created['id']}"}
    assert len(record["Id"]) == 18 and record["Id"].startswith(org_facts.prefixes["Opportunity"])
    assert to_id18(record["Id"][:15]) == record["Id"]
    assert record["Amount"] == 125000.0 and record["CloseDate"] == "2024-09-30"
    assert record["Description"] is None  # nulls are emitted, not omitted
    assert record["IsWon"] is False and record["Probability"] == 10.0
    assert record["OwnerId"] == record["CreatedById"] == org_facts.integration_user_id
    assert record["SystemModstamp"].endswith(".000+0000")
    assert record["CreatedDate"] == record["LastModifiedDate"] == record["SystemModstamp"]


def test_update_by_a_second_user_moves_last_modified_by(sf, sf_admin, make, org_facts, hooks):
    hooks("POST", "clock", json={"freeze": "2024-06-03T09:12:44Z"})
    created = sf.Lead.create(make.lead())
    hooks("POST", "clock", json={"shift_seconds": 5})
    assert sf_admin.Lead.update(created["id"], {"Title": "CTO"}) == 204
    record = sf.Lead.get(created["id"])
    assert record["LastModifiedById"] == org_facts.admin_user_id
    assert record["CreatedById"] == org_facts.integration_user_id
    assert record["CreatedDate"] == "2024-06-03T09:12:44.000+0000"
    assert record["SystemModstamp"] == record["LastModifiedDate"] == "2024-06-03T09:12:49.000+0000"
    assert record["Name"] == "Ng" and record["Status"] == org_facts.lead_status_default


def test_fifteen_character_ids_and_case_insensitive_names_are_accepted(sf, make):
    created = sf.Lead.create({"lastname": "Ng", "COMPANY": "Acme"})
    record = sf.lead.get(created["id"][:15])
    assert record["Id"] == created["id"] and record["LastName"] == "Ng"
    assert record["attributes"]["type"] == "Lead"


def test_get_with_fields_limits_the_output(sf, make):
    created = sf.Lead.create(make.lead(Email="ng@example.com"))
    record = sf.Lead.get(created["id"], params={"fields": "Email,lastname"})
    assert list(record) == ["attributes", "Email", "LastName"]


def test_required_fields_are_listed_together(sf):
    with pytest.raises(SalesforceMalformedRequest) as excinfo:
        sf.Opportunity.create({"Name": "No stage"})
    assert error_of(excinfo) == {"errorCode": "REQUIRED_FIELD_MISSING",
                                 "message": "Required fields are missing: [StageName, CloseDate]",
                                 "fields": ["StageName", "CloseDate"]}


def test_nulling_a_required_field_on_update_fails(sf, make):
    created = sf.Lead.create(make.lead())
    with pytest.raises(SalesforceMalformedRequest) as excinfo:
        sf.Lead.update(created["id"], {"Company": None})
    assert error_of(excinfo)["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert sf.Lead.get(created["id"])["Company"] == "Acme"


@pytest.mark.parametrize(("body", "code", "fields"), [
    ({"StageName": "Dreaming"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", ["StageName"]),
    ({"Name": "x" * 121}, "STRING_TOO_LONG", ["Name"]),
    ({"Amount": "lots"}, "JSON_PARSER_ERROR", ["Amount"]),
    ({"CloseDate": "30/09/2024"}, "JSON_PARSER_ERROR", ["CloseDate"]),
    ({"ACE_Last_Modified__c": "2024-06-03"}, "JSON_PARSER_ERROR", ["ACE_Last_Modified__c"]),
    ({"Amount": 1e17}, "NUMBER_OUTSIDE_VALID_RANGE", ["Amount"]),
    ({"Bogus__c": 1}, "INVALID_FIELD", ["Bogus__c"]),
    ({"IsWon": True}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["IsWon"]),
    ({"Id": make_id("006", 1)}, "INVALID_FIELD", ["Id"]),
    ({"AccountId": "not-an-id"}, "MALFORMED_ID", ["AccountId"]),
    ({"AccountId": make_id("00Q", 9)}, "FIELD_INTEGRITY_EXCEPTION", ["AccountId"]),
    ({"AccountId": make_id("001", 999)}, "INVALID_CROSS_REFERENCE_KEY", ["AccountId"]),
    ({"ACE_Sync_Status__c": "synced"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", ["ACE_Sync_Status__c"]),
])
def test_bad_values_get_the_org_error_code(sf, make, body, code, fields):
    with pytest.raises(SalesforceMalformedRequest) as excinfo:
        sf.Opportunity.create(make.opportunity(**body))
    assert error_of(excinfo)["errorCode"] == code
    assert error_of(excinfo)["fields"] == fields


def test_email_fields_need_a_plausible_address(sf, make):
    with pytest.raises(SalesforceMalformedRequest) as excinfo:
        sf.Lead.create(make.lead(Email="not an address"))
    assert error_of(excinfo)["errorCode"] == "INVALID_EMAIL_ADDRESS"


def test_unrestricted_picklists_and_numeric_strings_are_accepted(sf, make):
    created = sf.Lead.create(make.lead(LeadSource="AWS Marketplace", NumberOfEmployees="250",
                                       ACE_Share__c="true"))
    record = sf.Lead.get(created["id"])
    assert record["LeadSource"] == "AWS Marketplace"
    assert record["NumberOfEmployees"] == 250 and record["ACE_Share__c"] is True


def test_decimals_beyond_scale_are_rounded_and_datetimes_normalised_to_utc(sf, make):
    created = sf.Opportunity.create(make.opportunity(Amount=10.005,
                                                     ACE_Last_Modified__c="2024-06-03T11:12:44.789+02:00"))
    record = sf.Opportunity.get(created["id"])
    assert record["Amount"] == 10.01
    assert record["ACE_Last_Modified__c"] == "2024-06-03T09:12:44.000+0000"


def test_unique_external_id_rejects_a_second_record_case_insensitively(sf, make):
    first = sf.Opportunity.create(make.opportunity(ACE_Opportunity_Id__c="O123"))
    with pytest.raises(SalesforceMalformedRequest) as excinfo:
        sf.Opportunity.create(make.opportunity(ACE_Opportunity_Id__c="o123"))
    assert error_of(excinfo)["errorCode"] == "DUPLICATE_VALUE"
    assert first["id"] in error_of(excinfo)["message"]


def test_closing_an_opportunity_derives_won_and_forecast(sf, make, org_facts):
    created = sf.Opportunity.create(make.opportunity(Amount=1000))
    sf.Opportunity.update(created["id"], {"StageName": org_facts.closed_won_stage})
    record = sf.Opportunity.get(created["id"])
    assert (record["IsClosed"], record["IsWon"], record["ForecastCategoryName"]) == (True, True, "Closed")
    assert record["ExpectedRevenue"] == 1000.0


def test_delete_is_soft_and_a_second_delete_says_entity_is_deleted(sf, make):
    created = sf.Lead.create(make.lead())
    assert sf.Lead.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound) as excinfo:
        sf.Lead.get(created["id"])
    assert error_of(excinfo)["errorCode"] == "ENTITY_IS_DELETED"
    with pytest.raises(SalesforceResourceNotFound) as excinfo:
        sf.Lead.delete(created["id"])
    assert error_of(excinfo)["errorCode"] == "ENTITY_IS_DELETED"


@pytest.mark.parametrize("record_id", [make_id("00Q", 999), make_id("006", 1), "nonsense"])
def test_unknown_or_foreign_ids_are_not_found(sf, record_id):
    with pytest.raises(SalesforceResourceNotFound) as excinfo:
        sf.Lead.get(record_id)
    assert error_of(excinfo)["errorCode"] == "NOT_FOUND"


def test_unknown_object_is_not_found(sf):
    with pytest.raises(SalesforceResourceNotFound):
        sf.Widget__c.create({"Name": "x"})


def test_writing_a_read_only_object_is_refused(sf):
    with pytest.raises(SalesforceMalformedRequest) as excinfo:
        sf.User.create({"LastName": "x"})
    assert error_of(excinfo)["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"


def test_malformed_json_and_wrong_methods(sf, emulator, http):
    url = f"{emulator.instance_url}/services/data/v59.0/sobjects/Lead/"
    headers = {"Authorization": f"Bearer {emulator.session_id}", "Content-Type": "application/json"}
    response = http.post(url, data="{not json", headers=headers)
    assert response.status_code == 400 and response.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    with pytest.raises(SalesforceGeneralError) as excinfo:
        sf.restful("limits/", method="DELETE")
    assert excinfo.value.status == 405
    assert error_of(excinfo)["errorCode"] == "METHOD_NOT_ALLOWED"
