"""query / queryAll / pagination through simple-salesforce."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

PAGE = {"Sforce-Query-Options": "batchSize=200"}


def load_leads(sf, count: int) -> list[str]:
    ids = []
    for start in range(0, count, 200):
        batch = [{"attributes": {"type": "Lead"}, "LastName": f"L{n:05d}", "Company": "Acme",
                  "ACE_Lead_Id__c": f"L{n}"} for n in range(start, min(count, start + 200))]
        ids += [result["id"] for result in sf.restful("composite/sobjects", method="POST",
                                                      json={"records": batch})]
    return ids


def test_records_have_attributes_and_parent_relationships(sf, make):
    account = sf.Account.create({"Name": "Acme Ltd"})
    sf.Opportunity.create(make.opportunity(AccountId=account["id"], Amount=5))
    sf.Opportunity.create(make.opportunity(Name="Orphan"))
    result = sf.query("SELECT Id, Name, Amount, Account.Name FROM Opportunity ORDER BY Name")
    assert result["totalSize"] == 2 and result["done"] is True
    first, second = result["records"]
    assert list(first) == ["attributes", "Id", "Name", "Amount", "Account"]
    assert first["Account"]["Name"] == "Acme Ltd"
    assert first["Account"]["attributes"]["type"] == "Account"
    assert second["Account"] is None


def test_pagination_follows_next_records_url_with_a_fixed_total(sf):
    ids = load_leads(sf, 450)
    first = sf.query("SELECT Id FROM Lead ORDER BY LastName", headers=PAGE)
    assert (first["totalSize"], first["done"], len(first["records"])) == (450, False, 200)
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-200")
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert second["totalSize"] == 450 and second["nextRecordsUrl"].endswith("-400")
    third = sf.query_more(second["nextRecordsUrl"], identifier_is_url=True)
    assert third["done"] is True and "nextRecordsUrl" not in third and len(third["records"]) == 50
    seen = [r["Id"] for page in (first, second, third) for r in page["records"]]
    assert seen == ids


def test_query_all_drains_every_page_and_pages_are_a_snapshot(sf):
    load_leads(sf, 2500)
    first = sf.query("SELECT Id FROM Lead")
    assert len(first["records"]) == 2000
    sf.restful("composite/sobjects", method="POST",
               json={"records": [{"attributes": {"type": "Lead"}, "LastName": "late", "Company": "x"}]})
    rest = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(rest["records"]) == 500 and rest["totalSize"] == 2500
    assert sf.query_all("SELECT Id FROM Lead")["totalSize"] == 2501


def test_query_all_includes_deleted_records(sf, make):
    created = sf.Lead.create(make.lead())
    sf.Lead.delete(created["id"])
    assert sf.query("SELECT Id FROM Lead")["totalSize"] == 0
    deleted = sf.query("SELECT Id, IsDeleted FROM Lead", include_deleted=True)["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in deleted] == [(created["id"], True)]


def test_locator_is_served_under_query_all_prefix_too(sf):
    load_leads(sf, 250)
    first = sf.query("SELECT Id FROM Lead", include_deleted=True, headers=PAGE)
    locator = first["nextRecordsUrl"].rsplit("/", 1)[1]
    rest = sf.query_more(locator, identifier_is_url=False, include_deleted=True)
    assert len(rest["records"]) == 50


def test_count_and_watermark_query(sf, make, hooks):
    hooks("POST", "clock", json={"freeze": "2024-06-03T09:12:44Z"})
    sf.Lead.create(make.lead(LeadSource="AWS"))
    hooks("POST", "clock", json={"shift_seconds": 60})
    sf.Lead.create(make.lead(ACE_Lead_Id__c="L1"))
    assert sf.query("SELECT COUNT() FROM Lead") == {"totalSize": 2, "done": True, "records": []}
    found = sf.query("SELECT Id, SystemModstamp FROM Lead WHERE SystemModstamp >= "
                     "2024-06-03T09:13:00+00:00 AND (ACE_Lead_Id__c != null OR LeadSource = 'AWS')")
    assert [r["SystemModstamp"] for r in found["records"]] == ["2024-06-03T09:13:44.000+0000"]


@pytest.mark.parametrize(("soql", "code"), [
    ("SELECT FROM Lead", "MALFORMED_QUERY"),
    ("SELECT Nope__c FROM Lead", "INVALID_FIELD"),
    ("SELECT Id FROM Nope__c", "INVALID_TYPE"),
])
def test_query_errors(sf, soql, code):
    with pytest.raises(SalesforceMalformedRequest) as excinfo:
        sf.query(soql)
    assert excinfo.value.content[0]["errorCode"] == code
    assert "fields" not in excinfo.value.content[0]


def test_unknown_locator(sf):
    with pytest.raises(SalesforceMalformedRequest) as excinfo:
        sf.query_more("01g8c0000000zzzAAA-2000")
    assert excinfo.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_is_sandbox_reads_the_organization_row(sf):
    assert sf.is_sandbox() is True
