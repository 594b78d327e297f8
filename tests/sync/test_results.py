"""The results flow: ACE's answers written onto the records, rejections and silences alerted."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from structlog.testing import capture_logs

from connector.ace.bucket import PROCESSED_TAG_KEY, QUARANTINE_REASON_TAG_KEY, QUARANTINE_TAG_KEY
from connector.sync.results import run_results

STATUS_FIELDS = "Id, ACE_Opportunity_Id__c, ACE_Sync_Status__c, ACE_Sync_Error__c, ACE_Last_Synced__c"


def valid_create(partner_key: str, **overrides: Any) -> dict[str, Any]:
    """An opportunity create that passes every ACE rule."""
    return {
        "partnerCrmUniqueIdentifier": partner_key, "customerCompanyName": "Example Corp",
        "customerWebsite": "https://www.example.com", "industry": "Software & Internet",
        "country": "United States", "state": "Washington", "city": "Seattle", "postalCode": "98101",
        "partnerProjectTitle": "Example Corp data platform",
        "projectDescription": "Move the analytics platform of Example Corp onto AWS.",
        "useCase": "AI Machine Learning and Analytics",
        "targetCloseDate": (date.today() + timedelta(days=60)).isoformat(),
        "expectedMonthlyAwsRevenue": 2500.0, "deliveryModel": "Professional Services",
        "partnerPrimaryNeedFromAws": "Co-Sell - Technical Consultation",
        "salesActivities": "Conducted POC / Demo", "IsOppFromMarketingActivity": "No",
        "solutionOffered": ["S-0001111"], **overrides,
    }


def sent_opportunity(stack: Any, **fields: Any) -> str:
    """A Salesforce opportunity the inbound flow has sent (status Sent); its Id."""
    return stack.sf.Opportunity.create({"Name": "Sent deal", "StageName": "Prospecting", "CloseDate": "2027-01-31",
                                        "ACE_Sync_Status__c": "Sent", **fields})["id"]


def send(stack: Any, records: list[dict[str, Any]] | bytes, *, partner_keys: list[str], entity: str = "opportunity",
         name: str | None = None) -> str:
    """Put an inbound file where ACE picks it up and remember it in the ledger, as the inbound flow does."""
    key = f"{entity}-inbound/{name or f'opp_{uuid.uuid4().hex[:8]}.json'}"
    array = "opportunities" if entity == "opportunity" else "leads"
    body = records if isinstance(records, bytes) else json.dumps(
        {"version": "2.0", "spmsId": "1234567", array: records}).encode()
    stack.bucket.put_bytes(key, body)
    stack.ctx.state.record_sent_file(key, entity=entity, partner_keys=partner_keys)
    return key


def put_results(stack: Any, key: str, *, answers: str | None, results: list[dict[str, Any]] | None,
                api_errors: list[str] | None = None) -> str:
    """A results file as ACE writes it (ACE-CONTRACT §6.2), at ``key``."""
    document = {"success": "ALL", "spmsId": "1234567", "isApiError": api_errors is not None,
                "inboundApiResults": results, "fileName": answers,
                "fileApnProcessedDT": "2024-05-28T15:21:22.331Z", "apiErrors": api_errors}
    stack.bucket.client.put_object(Bucket=stack.bucket.name, Key=key, Body=json.dumps(document).encode())
    return key


def result(*, partner_key: str | None, ace_id: str | None, ok: bool = True, errors: list[str] | None = None) -> dict:
    return {"warnings": None, "partnerCrmUniqueIdentifier": partner_key, "isSuccess": ok,
            "errors": errors, "apnCrmUniqueIdentifier": ace_id}


def record(stack: Any, record_id: str, *, fields: str = STATUS_FIELDS, sobject: str = "Opportunity") -> dict:
    [row] = stack.query(f"SELECT {fields} FROM {sobject} WHERE Id = '{record_id}'")
    return row


def test_a_create_result_writes_the_new_ace_id(stack: Any) -> None:
    record_id = sent_opportunity(stack)
    sent = send(stack, [valid_create(record_id)], partner_keys=[record_id])
    stack.sim.process_inbound()

    report = run_results(stack.ctx)

    row = record(stack, record_id)
    assert row["ACE_Opportunity_Id__c"].startswith("O")
    assert stack.sim.opportunity(row["ACE_Opportunity_Id__c"])["partnerCrmUniqueIdentifier"] == record_id
    assert (row["ACE_Sync_Status__c"], row["ACE_Sync_Error__c"]) == ("Synced", None)
    assert row["ACE_Last_Synced__c"]
    assert stack.ctx.state.sent_file(sent) is None  # the ledger entry is resolved
    [results_key] = stack.keys("opportunity-inbound-processed-results/")
    assert stack.bucket.get_tags(results_key)[PROCESSED_TAG_KEY] == "true"
    assert (report["files_done"], report["records_ok"], report.errors) == (1, 1, [])


def test_an_error_result_writes_ace_s_message_on_the_record(stack: Any) -> None:
    record_id = sent_opportunity(stack)
    send(stack, [valid_create(record_id, opportunityOwnerEmail="nobody@elsewhere.example")], partner_keys=[record_id])
    stack.sim.process_inbound()

    report = run_results(stack.ctx)

    row = record(stack, record_id)
    assert row["ACE_Sync_Status__c"] == "Error"
    assert row["ACE_Sync_Error__c"] == "User not found for Opportunity Owner email:nobody@elsewhere.example"
    assert row["ACE_Opportunity_Id__c"] is None
    assert report["records_failed"] == 1 and record_id in report.errors[0]


def test_a_whole_file_rejection_marks_every_record_sent_and_alerts(stack: Any) -> None:
    first, second = sent_opportunity(stack), sent_opportunity(stack)
    sent = send(stack, b"this is not JSON", partner_keys=[first, second])
    stack.sim.process_inbound()

    with capture_logs() as logs:
        report = run_results(stack.ctx)

    for record_id in (first, second):
        row = record(stack, record_id)
        assert row["ACE_Sync_Status__c"] == "Error"
        assert row["ACE_Sync_Error__c"].startswith(f"ACE rejected {sent}: ")
    [alert] = [entry for entry in logs if entry["event"] == "results.file_rejected"]
    assert alert["log_level"] == "error" and alert["records"] == 2
    assert stack.ctx.state.recent_errors()[0].file_key == sent
    assert report["files_rejected"] == 1 and report["files_done"] == 1
    assert stack.ctx.state.sent_file(sent) is None


@pytest.mark.parametrize("folder", ["opportunity-inbound-processed-results/", "opportunity-inbound-results/"])
@pytest.mark.parametrize("suffix", ["_result.json", "_results.json"])
def test_both_spellings_of_results_names_and_folders_are_read(stack: Any, folder: str, suffix: str) -> None:
    record_id = sent_opportunity(stack)
    sent = send(stack, [valid_create(record_id)], partner_keys=[record_id], name="opp_1.json")
    key = put_results(stack, f"{folder}opp_1{suffix}", answers=sent,
                      results=[result(partner_key=record_id, ace_id="O7654321")])

    run_results(stack.ctx)

    assert record(stack, record_id)["ACE_Opportunity_Id__c"] == "O7654321"
    assert stack.bucket.get_tags(key)[PROCESSED_TAG_KEY] == "true"


def test_a_results_file_without_its_file_name_is_matched_by_its_own_name(stack: Any) -> None:
    record_id = sent_opportunity(stack)
    sent = send(stack, [valid_create(record_id)], partner_keys=[record_id], name="opp_2.json")
    put_results(stack, "opportunity-inbound-processed-results/opp_2_result.json", answers=None,
                results=[result(partner_key=record_id, ace_id="O7654322")])

    run_results(stack.ctx)

    assert record(stack, record_id)["ACE_Sync_Status__c"] == "Synced"
    assert stack.ctx.state.sent_file(sent) is None


def test_an_accept_result_is_matched_by_ace_id(stack: Any) -> None:
    record_id = sent_opportunity(stack, ACE_Opportunity_Id__c="O1000042")
    sent = send(stack, [{"apnCrmUniqueIdentifier": "O1000042", "partnerAcceptanceStatus": "Accepted"}],
                partner_keys=[record_id])
    put_results(stack, "opportunity-inbound-processed-results/accept_result.json", answers=sent,
                results=[result(partner_key=None, ace_id="O1000042")])

    run_results(stack.ctx)

    assert record(stack, record_id)["ACE_Sync_Status__c"] == "Synced"


def test_lead_results_carry_the_lead_key_in_the_opportunity_key_name(stack: Any) -> None:
    lead_id = stack.sf.Lead.create({"LastName": "Ng", "Company": "Acme", "ACE_Lead_Id__c": "L1000007",
                                    "ACE_Sync_Status__c": "Sent"})["id"]
    sent = send(stack, [{"apnCrmUniqueIdentifier": "L1000007", "partnerCrmLeadId": lead_id}], entity="lead",
                partner_keys=[lead_id])
    put_results(stack, "lead-inbound-processed-results/lead_result.json", answers=sent,
                results=[result(partner_key=lead_id, ace_id="L1000007", ok=False,
                                errors=["No new update identified for this record"])])

    run_results(stack.ctx)

    row = record(stack, lead_id, fields="ACE_Sync_Status__c, ACE_Sync_Error__c", sobject="Lead")
    assert row == {"ACE_Sync_Status__c": "Error", "ACE_Sync_Error__c": "No new update identified for this record"}


def test_a_malformed_results_file_is_quarantined(stack: Any) -> None:
    key = "opportunity-inbound-processed-results/opp_9_result.json"
    stack.bucket.client.put_object(Bucket=stack.bucket.name, Key=key, Body=b'{"inboundApiResults": 3}')

    report = run_results(stack.ctx)

    tags = stack.bucket.get_tags(key)
    assert tags[QUARANTINE_TAG_KEY] == "true" and "inboundApiResults" in tags[QUARANTINE_REASON_TAG_KEY]
    assert report["files_quarantined"] == 1
    assert run_results(stack.ctx)["files_seen"] == 0


def test_unanswered_files_are_alerted_once(stack: Any) -> None:
    record_id = sent_opportunity(stack)
    stack.ctx.state.record_sent_file("opportunity-inbound/opp_old.json", entity="opportunity", partner_keys=[record_id],
                                     sent_at=datetime.now(UTC) - timedelta(hours=2))
    stack.ctx.state.record_sent_file("opportunity-inbound/opp_new.json", entity="opportunity", partner_keys=[record_id])

    with capture_logs() as logs:
        first = run_results(stack.ctx)
    second = run_results(stack.ctx)

    assert first["files_unanswered"] == 1 and "opportunity-inbound/opp_old.json" in first.errors[0]
    assert [e["file"] for e in logs if e["event"] == "results.file_unanswered" and e["log_level"] == "error"] == \
        ["opportunity-inbound/opp_old.json"]
    assert second["files_unanswered"] == 0
    assert [e.file_key for e in stack.ctx.state.recent_errors()] == ["opportunity-inbound/opp_old.json"]


def test_many_results_files_cost_two_salesforce_calls(stack: Any) -> None:
    record_ids = [sent_opportunity(stack) for _ in range(40)]
    for number, record_id in enumerate(record_ids):
        sent = send(stack, [valid_create(record_id)], partner_keys=[record_id], name=f"opp_{number}.json")
        put_results(stack, f"opportunity-inbound-processed-results/opp_{number}_result.json", answers=sent,
                    results=[result(partner_key=record_id, ace_id=f"O{8_000_000 + number}")])
    before = stack.stats()["api_usage"]

    report = run_results(stack.ctx)

    assert stack.stats()["api_usage"] - before == 2  # one query, one Collections update
    assert report["files_done"] == 40 and report["records_ok"] == 40
    statuses = {row["ACE_Sync_Status__c"] for row in stack.query("SELECT ACE_Sync_Status__c FROM Opportunity")}
    assert statuses == {"Synced"}


def test_delete_after_processing_and_dry_run(stack: Any) -> None:
    record_id = sent_opportunity(stack)
    sent = send(stack, [valid_create(record_id)], partner_keys=[record_id], name="opp_3.json")
    key = put_results(stack, "opportunity-inbound-processed-results/opp_3_result.json", answers=sent,
                      results=[result(partner_key=record_id, ace_id="O7654323")])

    dry = run_results(stack.context(dry_run=True))

    assert record(stack, record_id)["ACE_Sync_Status__c"] == "Sent"
    assert stack.bucket.get_tags(key) == {} and stack.ctx.state.sent_file(sent) is not None
    assert {(p.action, p.key or p.target) for p in dry.planned_writes} == {("update", record_id), ("tag", key)}

    run_results(stack.context(ace_after_processing="delete"))

    assert stack.keys("opportunity-inbound-processed-results/") == []
    assert record(stack, record_id)["ACE_Opportunity_Id__c"] == "O7654323"
