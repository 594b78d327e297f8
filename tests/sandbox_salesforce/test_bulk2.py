"""Bulk API 2.0 ingest jobs through ``sf.bulk2``."""

from __future__ import annotations

import csv
import io

import pytest
from simple_salesforce.exceptions import SalesforceOperationError

#: ss sleeps this long before its first poll; the emulator finishes jobs on close.
WAIT_SECONDS = 0.01


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_insert_with_a_failed_row_and_its_results(sf, make):
    outcome = sf.bulk2.Lead.insert(records=[make.lead(LastName="A"), {"LastName": "B"}], wait=WAIT_SECONDS)
    assert outcome[0]["numberRecordsProcessed"] == 2 and outcome[0]["numberRecordsFailed"] == 1
    job_id = outcome[0]["job_id"]
    successful = rows(sf.bulk2.Lead.get_successful_records(job_id))
    assert [(row["sf__Created"], row["LastName"]) for row in successful] == [("true", "A")]
    assert successful[0]["sf__Id"].startswith("00Q")
    failed = rows(sf.bulk2.Lead.get_failed_records(job_id))
    assert failed[0]["sf__Error"] == "REQUIRED_FIELD_MISSING:Required fields are missing: [Company]:Company --"
    assert failed[0]["sf__Id"] == ""
    assert rows(sf.bulk2.Lead.get_unprocessed_records(job_id)) == []


def test_upsert_update_and_delete_jobs(sf, make):
    sf.bulk2.Lead.upsert(records=[make.lead(ACE_Lead_Id__c="L1"), make.lead(ACE_Lead_Id__c="L2")],
                         external_id_field="ACE_Lead_Id__c", wait=WAIT_SECONDS)
    outcome = sf.bulk2.Lead.upsert(records=[{"ACE_Lead_Id__c": "L1", "Title": "CTO"}],
                                   external_id_field="ACE_Lead_Id__c", wait=WAIT_SECONDS)
    created = rows(sf.bulk2.Lead.get_successful_records(outcome[0]["job_id"]))
    assert created[0]["sf__Created"] == "false"
    lead_id = created[0]["sf__Id"]
    assert sf.Lead.get(lead_id)["Title"] == "CTO"
    sf.bulk2.Lead.update(records=[{"Id": lead_id, "Title": "#N/A"}], wait=WAIT_SECONDS)
    assert sf.Lead.get(lead_id)["Title"] is None
    sf.bulk2.Lead.delete(records=[{"Id": lead_id}], wait=WAIT_SECONDS)
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 1


def test_parent_by_external_id_column(sf, make):
    sf.Opportunity.create(make.opportunity(ACE_Opportunity_Id__c="O1"))
    sf.bulk2.Opportunity.upsert(records=[make.opportunity(ACE_Opportunity_Id__c="O1", NextStep="Go")],
                                external_id_field="ACE_Opportunity_Id__c", wait=WAIT_SECONDS)
    assert sf.Opportunity.get_by_custom_id("ACE_Opportunity_Id__c", "O1")["NextStep"] == "Go"


def test_unknown_column_fails_the_job(sf, make):
    with pytest.raises(SalesforceOperationError, match="Field name not found : Bogus__c"):
        sf.bulk2.Lead.insert(records=[make.lead(Bogus__c="x")], wait=WAIT_SECONDS)


def test_injected_job_failure(sf, make, hooks):
    hooks("POST", "faults", json={"error": "BULK_JOB_FAILED", "count": 1})
    with pytest.raises(SalesforceOperationError):
        sf.bulk2.Lead.insert(records=[make.lead()], wait=WAIT_SECONDS)
    sf.bulk2.Lead.insert(records=[make.lead()], wait=WAIT_SECONDS)  # the next one runs
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 1


def test_job_state_rules(sf, make, emulator, http):
    from simple_salesforce.bulk2 import _Bulk2Client
    client = _Bulk2Client("Lead", sf.bulk2_url, sf.bulk2.headers, sf.session)
    job = client.create_job("insert")
    assert job["state"] == "Open" and job["id"].startswith("750")
    assert job["contentUrl"] == f"services/data/v59.0/jobs/ingest/{job['id']}/batches"
    aborted = client.abort_job(job["id"], False)
    assert aborted["state"] == "Aborted"
    from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound
    with pytest.raises(SalesforceMalformedRequest):
        client.close_job(job["id"])
    with pytest.raises(SalesforceResourceNotFound):
        client.get_job("7508c0000000zzzAAA", False)
