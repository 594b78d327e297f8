"""Writes through the adapter against the org emulator: batching, per-record results, retries, bulk."""

from __future__ import annotations

import pytest

from connector.errors import SalesforceLimitExceeded, SalesforceRequestError, TransientSalesforceError

from sf_helpers import lead, opportunity, stats


def test_upsert_sends_batches_of_200_and_answers_in_input_order(client, org_hooks):
    records = [opportunity(n) for n in range(450)]
    results = client.upsert("Opportunity", records, external_id_field="ACE_Opportunity_Id__c")
    assert stats(org_hooks) == {"composite.upsert": 3}
    assert [r.index for r in results] == list(range(450))
    assert all(r.success and r.created and r.id and r.id.startswith("006") for r in results)
    assert len({r.id for r in results}) == 450

    again = client.upsert("Opportunity", [opportunity(n, StageName="Qualification") for n in (7, 3)],
                          external_id_field="ACE_Opportunity_Id__c")
    assert [(r.id, r.created) for r in again] == [(results[7].id, False), (results[3].id, False)]
    stored = list(client.query("SELECT ACE_Opportunity_Id__c, StageName FROM Opportunity "
                               "WHERE StageName = 'Qualification' ORDER BY ACE_Opportunity_Id__c"))
    assert [r["ACE_Opportunity_Id__c"] for r in stored] == ["O000000003", "O000000007"]


def test_per_record_errors_keep_input_order_and_spare_the_rest(client, org_hooks):
    records = [
        opportunity(1),
        opportunity(2, StageName="Not A Stage"),
        {"Name": "no key", "StageName": "Prospecting", "CloseDate": "2024-09-30"},
        opportunity(4, CloseDate=None, Name=None),
        opportunity(5, Name="Zürich 東京 O'Brien \\ \"quoted\""),
    ]
    results = client.upsert("Opportunity", records, external_id_field="ACE_Opportunity_Id__c")
    assert [r.success for r in results] == [True, False, False, False, True]
    assert results[1].errors[0].code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert results[2].errors[0].code == "MISSING_EXTERNAL_ID"  # never sent
    assert results[3].errors[0].code == "REQUIRED_FIELD_MISSING"
    assert "REQUIRED_FIELD_MISSING" in results[3].error_text
    assert stats(org_hooks) == {"composite.upsert": 1}
    saved = list(client.query("SELECT Name FROM Opportunity WHERE ACE_Opportunity_Id__c = 'O000000005'"))
    assert saved[0]["Name"] == "Zürich 東京 O'Brien \\ \"quoted\""


def test_create_and_update_by_id(client, org_hooks):
    created = client.create("Lead", [lead(1), {"LastName": "No company"}, lead(3)])
    assert [r.success for r in created] == [True, False, True]
    assert created[0].created and created[1].errors[0].code == "REQUIRED_FIELD_MISSING"
    updated = client.update("Lead", [{"Id": created[2].id, "Company": "Globex"},
                                     {"Company": "no id"},
                                     {"Id": created[0].id, "Status": "Bogus"}])
    assert [r.success for r in updated] == [True, False, False]
    assert updated[1].errors[0].code == "MISSING_ID"
    assert updated[2].errors[0].code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert stats(org_hooks) == {"composite.create": 1, "composite.update": 1}


def test_transient_whole_call_failures_are_retried(client, org_hooks):
    # A 500 may have saved the records; an upsert is idempotent, so it is repeated anyway.
    org_hooks("POST", "faults", json={"error": "UNKNOWN_EXCEPTION", "kind": "composite.upsert", "count": 2})
    results = client.upsert("Lead", [lead(1), lead(2)], external_id_field="ACE_Lead_Id__c")
    assert all(r.success for r in results)
    assert stats(org_hooks) == {"composite.upsert": 3}


def test_retries_are_bounded(client, org_hooks):
    org_hooks("POST", "faults", json={"error": "UNABLE_TO_LOCK_ROW", "kind": "composite.upsert"})
    with pytest.raises(TransientSalesforceError) as info:
        client.upsert("Lead", [lead(1)], external_id_field="ACE_Lead_Id__c")
    assert info.value.code == "UNABLE_TO_LOCK_ROW"
    assert stats(org_hooks) == {"composite.upsert": 3}


def test_a_create_is_not_repeated_when_it_may_have_been_saved(client, org_hooks):
    org_hooks("POST", "faults", json={"error": "UNKNOWN_EXCEPTION", "kind": "composite.create", "count": 1})
    with pytest.raises(TransientSalesforceError) as info:
        client.create("Lead", [lead(1)])
    assert info.value.status == 500
    assert stats(org_hooks) == {"composite.create": 1}
    # ...but a 503 proves nothing was saved, so that one is retried.
    org_hooks("POST", "faults", json={"error": "SERVER_UNAVAILABLE", "kind": "composite.create", "count": 1})
    assert client.create("Lead", [lead(2)])[0].success
    assert stats(org_hooks)["composite.create"] == 3


def test_locked_rows_are_sent_once_more_on_their_own(client, org_hooks):
    org_hooks("POST", "faults", json={"error": "UNABLE_TO_LOCK_ROW", "per_record": True, "count": 2})
    results = client.upsert("Lead", [lead(n) for n in range(5)], external_id_field="ACE_Lead_Id__c")
    assert all(r.success for r in results)
    assert [r.index for r in results] == list(range(5))
    assert stats(org_hooks) == {"composite.upsert": 2}


def test_a_row_locked_twice_is_reported_not_retried_forever(client, org_hooks):
    org_hooks("POST", "faults", json={"error": "UNABLE_TO_LOCK_ROW", "per_record": True, "count": 2})
    results = client.upsert("Lead", [lead(1)], external_id_field="ACE_Lead_Id__c")
    assert results[0].errors[0].code == "UNABLE_TO_LOCK_ROW"
    assert stats(org_hooks) == {"composite.upsert": 2}


def test_request_limit_exceeded_stops_without_retrying(client, org_hooks):
    org_hooks("POST", "faults", json={"error": "REQUEST_LIMIT_EXCEEDED", "kind": "composite.upsert"})
    with pytest.raises(SalesforceLimitExceeded) as info:
        client.upsert("Lead", [lead(1)], external_id_field="ACE_Lead_Id__c")
    assert info.value.code == "REQUEST_LIMIT_EXCEEDED" and not info.value.transient
    assert stats(org_hooks) == {"composite.upsert": 1}


def test_the_org_daily_limit_raises_limit_exceeded(client, org_hooks):
    org_hooks("POST", "limits", json={"daily_api_max": 1})
    client.upsert("Lead", [lead(1)], external_id_field="ACE_Lead_Id__c")
    with pytest.raises(SalesforceLimitExceeded):
        client.upsert("Lead", [lead(2)], external_id_field="ACE_Lead_Id__c")


def test_whole_request_refusal_raises_a_request_error(client):
    with pytest.raises(SalesforceRequestError) as info:
        client.upsert("Lead", [lead(1, No_Such_Field__c="1")], external_id_field="No_Such_Field__c")
    assert info.value.status == 404 and info.value.code == "NOT_FOUND"
    assert "No_Such_Field__c" in str(info.value)


def test_above_the_threshold_writes_go_through_bulk_api(make_client, org_hooks):
    client = make_client(bulk_threshold_records=5)
    records = [lead(n) for n in range(12)]
    records[4] = lead(4, Status="Bogus")
    records[9] = {"LastName": "no key", "Company": "Acme"}
    records[10] = lead(10, Company=None)  # #N/A: clearing a required field fails
    results = client.upsert("Lead", records, external_id_field="ACE_Lead_Id__c")
    assert [r.index for r in results] == list(range(12))
    assert [r.success for r in results] == [True] * 4 + [False] + [True] * 4 + [False, False, True]
    assert results[4].errors[0].code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert results[9].errors[0].code == "MISSING_EXTERNAL_ID"
    assert results[10].errors[0].code == "REQUIRED_FIELD_MISSING"
    assert all(r.created and r.id.startswith("00Q") for r in results if r.success)
    kinds = stats(org_hooks)
    assert "composite.upsert" not in kinds and kinds["bulk2.create"] == 1

    ids = {r.index: r.id for r in results if r.success}
    updates = [{"Id": ids[n], "Company": f"Bulk {n}"} for n in (11, 0, 5, 1, 2, 3)]
    updated = client.update("Lead", updates)
    assert all(r.success and not r.created for r in updated)
    assert [r.id for r in updated] == [ids[n] for n in (11, 0, 5, 1, 2, 3)]
    companies = {r["Id"]: r["Company"] for r in client.query("SELECT Id, Company FROM Lead")}
    assert companies[ids[11]] == "Bulk 11" and companies[ids[6]] == "Acme"


def test_a_failed_bulk_job_raises(make_client, org_hooks):
    client = make_client(bulk_threshold_records=1)
    org_hooks("POST", "faults", json={"error": "BULK_JOB_FAILED", "count": 1})
    with pytest.raises(SalesforceRequestError) as info:
        client.upsert("Lead", [lead(1), lead(2)], external_id_field="ACE_Lead_Id__c")
    assert info.value.code == "BULK_JOB_FAILED"


def test_at_the_threshold_collections_are_used(make_client, org_hooks):
    client = make_client(bulk_threshold_records=3)
    client.upsert("Lead", [lead(n) for n in range(3)], external_id_field="ACE_Lead_Id__c")
    assert stats(org_hooks) == {"composite.upsert": 1}
