"""Reads through the adapter against the org emulator: pagination, describe, usage, escaping, limiter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sf_helpers import CountingLimiter, lead, stats

from connector.errors import SalesforceRequestError
from connector.salesforce.soql import condition, select, watermark_query


@pytest.fixture
def seeded(client, org_hooks) -> list[str]:
    """450 leads; tests read the stats as differences from here."""
    results = client.upsert("Lead", [lead(n) for n in range(450)], external_id_field="ACE_Lead_Id__c")
    assert all(r.success for r in results)
    return [r.id for r in results]


def test_query_pages_are_fetched_lazily(client, org_hooks, seeded):
    before = stats(org_hooks)
    rows = client.query("SELECT Id, ACE_Lead_Id__c FROM Lead ORDER BY ACE_Lead_Id__c", page_size=200)
    assert stats(org_hooks) == before  # nothing sent until the first record is wanted
    first = next(rows)
    assert first["ACE_Lead_Id__c"] == "L00000"
    after_first = stats(org_hooks)
    assert after_first.get("query", 0) == before.get("query", 0) + 1
    assert "query.more" not in after_first
    rest = list(rows)
    assert len(rest) == 449
    assert [r["ACE_Lead_Id__c"] for r in rest][-1] == "L00449"
    assert stats(org_hooks)["query.more"] == 2


def test_query_include_deleted_sees_the_recycle_bin(client, seeded):
    client.sf.Lead.delete(seeded[0])
    soql = "SELECT Id, IsDeleted FROM Lead WHERE ACE_Lead_Id__c = 'L00000'"
    assert list(client.query(soql)) == []
    deleted = list(client.query(soql, include_deleted=True))
    assert deleted[0]["IsDeleted"] is True


def test_page_size_is_checked(client):
    with pytest.raises(ValueError, match="page_size"):
        next(client.query("SELECT Id FROM Lead", page_size=50))


def test_bad_soql_raises_a_request_error_with_the_code(client):
    with pytest.raises(SalesforceRequestError) as info:
        list(client.query("SELECT Nope__c FROM Lead"))
    assert info.value.code == "INVALID_FIELD" and info.value.status == 400


def test_describe_is_fetched_once_per_process(make_client, org_hooks):
    first = make_client().describe("Opportunity")
    second = make_client().describe("opportunity")
    assert first is second
    assert any(f["name"] == "ACE_Opportunity_Id__c" for f in first["fields"])
    assert stats(org_hooks) == {"describe.object": 1}
    with pytest.raises(ValueError, match="object name"):
        make_client().describe("Opportunity/../x")


def test_api_usage_follows_sforce_limit_info(client, org_hooks):
    assert client.api_usage() is None
    org_hooks("POST", "limits", json={"daily_api_max": 5000})
    client.create("Lead", [lead(1)])
    list(client.query("SELECT Id FROM Lead"))
    assert client.api_usage() == (2, 5000)
    assert client.calls_made == 2
    with pytest.raises(SalesforceRequestError):
        list(client.query("SELECT FROM Lead"))  # errors carry the header too
    assert client.api_usage() == (3, 5000)
    assert client.limits()["DailyApiRequests"] == {"Max": 5000, "Remaining": 5000 - 4}


def test_every_api_call_asks_the_limiter_first(make_client, org_hooks):
    limiter = CountingLimiter()
    client = make_client(limiter=limiter, bulk_threshold_records=2)
    client.upsert("Lead", [lead(n) for n in range(3)], external_id_field="ACE_Lead_Id__c")  # bulk
    list(client.query("SELECT Id FROM Lead"))
    client.describe("Lead")
    served = org_hooks("GET", "stats")
    assert limiter.acquired == client.calls_made == served["api_usage"]
    # bulk: create, upload, close, polls, three result files; then the query and the describe
    assert served["by_kind"]["bulk2.results"] == 3 and served["by_kind"]["query"] == 1


def test_hostile_values_stay_values(client, org_hooks):
    hostile = "' OR Id != '"
    backslashes = "C:\\temp\\' OR LastName != '"
    client.upsert("Lead", [lead(1, LastName=hostile), lead(2, LastName=backslashes), lead(3)],
                  external_id_field="ACE_Lead_Id__c")
    for value in (hostile, backslashes):
        rows = list(client.query(select("Lead", ["LastName"], where=[condition("LastName", "=", value)])))
        assert [r["LastName"] for r in rows] == [value]
    found = list(client.find_by("Lead", ["LastName"], key_field="LastName",
                                values=[hostile, "nobody", backslashes]))
    assert sorted(r["LastName"] for r in found) == sorted([hostile, backslashes])


def test_find_by_spans_several_queries(client, org_hooks, seeded):
    wanted = [f"L{n:05d}" for n in range(0, 450, 3)] + ["L99999"]
    found = list(client.find_by("Lead", ["Id"], key_field="ACE_Lead_Id__c", values=wanted * 2))
    assert sorted(r["ACE_Lead_Id__c"] for r in found) == wanted[:-1]


def test_watermark_query_runs_on_the_org(client, org_hooks):
    org_hooks("POST", "clock", json={"freeze": "2024-06-03T09:12:44Z"})
    client.upsert("Lead", [lead(1), lead(2)], external_id_field="ACE_Lead_Id__c")
    org_hooks("POST", "clock", json={"shift_seconds": 5})
    client.upsert("Lead", [lead(3)], external_id_field="ACE_Lead_Id__c")
    soql = watermark_query("Lead", ["ACE_Lead_Id__c"], since=datetime(2024, 6, 3, 9, 12, 44, tzinfo=UTC),
                           extra_where="Company = 'Acme' OR Company = 'Globex'")
    assert [r["ACE_Lead_Id__c"] for r in client.query(soql)] == ["L00001", "L00002", "L00003"]
    later = watermark_query("Lead", ["ACE_Lead_Id__c"], since=datetime(2024, 6, 3, 9, 12, 45, tzinfo=UTC))
    assert [r["ACE_Lead_Id__c"] for r in client.query(later)] == ["L00003"]
