"""sObject Collections through ``sf.restful``."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest


def leads(*bodies: dict) -> list[dict]:
    return [{"attributes": {"type": "Lead"}, **body} for body in bodies]


def test_create_reports_per_record_results_in_order(sf, make):
    results = sf.restful("composite/sobjects", method="POST", json={
        "allOrNone": False, "records": leads(make.lead(), {"LastName": "NoCompany"}, make.lead())})
    assert [result["success"] for result in results] == [True, False, True]
    assert "id" not in results[1]
    assert results[1]["errors"] == [{"statusCode": "REQUIRED_FIELD_MISSING",
                                     "message": "Required fields are missing: [Company]",
                                     "fields": ["Company"]}]
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 2


def test_all_or_none_rolls_everything_back(sf, make):
    results = sf.restful("composite/sobjects", method="POST", json={
        "allOrNone": True, "records": leads(make.lead(), {"LastName": "NoCompany"})})
    assert [result["success"] for result in results] == [False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 0


def test_mixed_types_and_missing_type(sf, make):
    results = sf.restful("composite/sobjects", method="POST", json={"records": [
        {"attributes": {"type": "Account"}, "Name": "Acme"},
        {"attributes": {"type": "Opportunity"}, **make.opportunity()},
        {"Name": "typeless"}]})
    assert results[0]["id"].startswith("001") and results[1]["id"].startswith("006")
    assert results[2]["errors"][0]["statusCode"] == "INVALID_TYPE"


def test_update_needs_an_id_per_record(sf, make):
    created = sf.Lead.create(make.lead())
    results = sf.restful("composite/sobjects", method="PATCH", json={"records": [
        {"attributes": {"type": "Lead"}, "id": created["id"], "Title": "CTO"},
        {"attributes": {"type": "Lead"}, "Title": "no id"}]})
    assert results[0] == {"id": created["id"], "success": True, "errors": []}
    assert results[1]["success"] is False
    assert sf.Lead.get(created["id"])["Title"] == "CTO"


def test_upsert_by_external_id_reports_created(sf, make):
    first = sf.restful("composite/sobjects/Lead/ACE_Lead_Id__c", method="PATCH", json={
        "allOrNone": False, "records": leads(make.lead(ACE_Lead_Id__c="L1"), make.lead(ACE_Lead_Id__c="L2"))})
    assert [result["created"] for result in first] == [True, True]
    second = sf.restful("composite/sobjects/Lead/ACE_Lead_Id__c", method="PATCH", json={
        "records": leads({"ACE_Lead_Id__c": "l1", "Title": "CTO"}, make.lead(ACE_Lead_Id__c="L3"))})
    assert [(result["id"], result["created"]) for result in second[:1]] == [(first[0]["id"], False)]
    assert second[1]["created"] is True
    assert sf.Lead.get(first[0]["id"])["Title"] == "CTO"


def test_upsert_with_a_key_repeated_in_one_call_fails_both(sf, make):
    results = sf.restful("composite/sobjects/Lead/ACE_Lead_Id__c", method="PATCH", json={
        "records": leads(make.lead(ACE_Lead_Id__c="L1"), make.lead(ACE_Lead_Id__c="L1"))})
    assert [result["errors"][0]["statusCode"] for result in results] == ["DUPLICATE_EXTERNAL_ID"] * 2


def test_delete_by_ids_with_mixed_outcomes(sf, make):
    lead = sf.Lead.create(make.lead())
    account = sf.Account.create({"Name": "Acme"})
    sf.Account.delete(account["id"])
    results = sf.restful("composite/sobjects", method="DELETE",
                         params={"ids": f"{lead['id']},{account['id']},bogus"})
    assert [result["success"] for result in results] == [True, False, False]
    assert results[1]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
    assert results[2]["errors"][0]["statusCode"] == "MALFORMED_ID"


def test_retrieve_returns_null_for_unknown_ids(sf, make):
    lead = sf.Lead.create(make.lead())
    found = sf.restful("composite/sobjects/Lead", params={"ids": f"{lead['id']},00Q8c0000000zzzAAA",
                                                          "fields": "LastName,Company"})
    assert found[0]["LastName"] == "Ng" and found[1] is None


def test_more_than_200_records_is_refused_whole(sf, make):
    with pytest.raises(SalesforceMalformedRequest) as excinfo:
        sf.restful("composite/sobjects", method="POST",
                   json={"records": leads(*[make.lead()] * 201)})
    assert excinfo.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_a_collections_call_counts_as_one_api_request(sf, make, hooks):
    sf.restful("composite/sobjects", method="POST", json={"records": leads(*[make.lead()] * 200)})
    stats = hooks("GET", "stats")
    assert stats["by_kind"] == {"composite.create": 1} and stats["api_usage"] == 1
