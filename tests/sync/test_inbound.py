"""The inbound flow against moto, the ACE simulator, the org emulator and Redis: creates, updates, pre-flight."""

from __future__ import annotations

from typing import Any

from connector.ace.bucket import BUCKET_OWNER_FULL_CONTROL
from connector.sync.inbound import run_inbound
from connector.sync.results import run_results
from conftest_inbound import (
    archived_inbound,
    create_opportunity,
    inbound_documents,
    opportunity,
    sent_records,
)


def test_a_partner_opportunity_goes_to_ace_and_its_new_id_comes_back(stack: Any) -> None:
    record_id = create_opportunity(stack)
    acls: list[Any] = []  # what each upload asked S3 for (one AWS account in moto: grants cannot tell)
    stack.ctx.bucket.client.meta.events.register(
        "provide-client-params.s3.PutObject", lambda params, **_: acls.append(params.get("ACL")))

    report = run_inbound(stack.ctx)

    [(key, document)] = inbound_documents(stack).items()
    assert key.startswith("opportunity-inbound/opp_") and key.endswith(".json")
    assert (document["version"], document["spmsId"]) == ("2.0", "1234567")
    [sent] = document["opportunities"]
    assert sent["partnerCrmUniqueIdentifier"] == record_id
    assert "apnCrmUniqueIdentifier" not in sent
    assert (sent["customerCompanyName"], sent["stage"]) == ("Contoso", "Qualified")
    assert acls == [BUCKET_OWNER_FULL_CONTROL]
    assert stack.ctx.state.sent_file(key).partner_keys == (record_id,)
    marked = opportunity(stack, record_id)
    assert (marked["ACE_Sync_Status__c"], marked["ACE_Sync_Error__c"]) == ("Sent", None)
    assert marked["ACE_Content_Hash__c"] == stack.mappings["opportunity"].content_hash(sent)
    assert (report["files_sent"], report["records_ok"], report.errors) == (1, 1, [])

    [answer] = stack.sim.tick().files
    assert answer.success == "ALL", answer
    run_results(stack.ctx)

    linked = opportunity(stack, record_id)
    assert linked["ACE_Opportunity_Id__c"].startswith("O")
    assert linked["ACE_Sync_Status__c"] == "Synced"
    assert stack.sim.opportunity(linked["ACE_Opportunity_Id__c"])["partnerCrmUniqueIdentifier"] == record_id


def test_a_record_ace_would_refuse_gets_the_error_and_nothing_is_sent(stack: Any) -> None:
    record_id = create_opportunity(stack, Description="Too short", ACE_Expected_Monthly_Revenue__c=0)

    report = run_inbound(stack.ctx)

    assert inbound_documents(stack) == {}
    refused = opportunity(stack, record_id)
    assert refused["ACE_Sync_Status__c"] == "Error"
    assert "projectDescription" in refused["ACE_Sync_Error__c"] or "Project Description" in refused["ACE_Sync_Error__c"]
    assert "expectedMonthlyAwsRevenue" in refused["ACE_Sync_Error__c"] \
        or "Expected Monthly AWS Revenue" in refused["ACE_Sync_Error__c"]
    assert (report["records_failed"], report["files_sent"]) == (1, 0)
    assert [e.record_id for e in stack.ctx.state.recent_errors()] == [record_id]

    # The error write changed the record: the next run reads it again, and leaves it as it is.
    before = opportunity(stack, record_id)["SystemModstamp"]
    again = run_inbound(stack.ctx)
    assert opportunity(stack, record_id)["SystemModstamp"] == before
    assert inbound_documents(stack) == {} and again.errors == [] and again["records_failed"] == 0

    # Fixed by the admin: it goes.
    stack.sf.Opportunity.update(record_id, {"Description": "A description long enough for ACE to take it.",
                                            "ACE_Expected_Monthly_Revenue__c": 1500})
    run_inbound(stack.ctx)
    assert [r["partnerCrmUniqueIdentifier"] for r in sent_records(stack)] == [record_id]
    assert opportunity(stack, record_id)["ACE_Sync_Error__c"] is None


def test_unchanged_records_are_not_sent_again(stack: Any) -> None:
    record_id = create_opportunity(stack)
    run_inbound(stack.ctx)
    stack.sim.tick()
    run_results(stack.ctx)

    for _ in range(3):
        report = run_inbound(stack.ctx)
        assert report["files_sent"] == 0, report.summary()
    assert len(archived_inbound(stack)) == 1 and inbound_documents(stack) == {}

    stack.sf.Opportunity.update(record_id, {"NextStep": "Workshop with the customer"})
    run_inbound(stack.ctx)
    [update] = sent_records(stack)
    assert update["apnCrmUniqueIdentifier"] == opportunity(stack, record_id)["ACE_Opportunity_Id__c"]
    assert update["partnerCrmUniqueIdentifier"] == record_id


def test_records_outside_the_mapping_filter_are_not_sent(stack: Any) -> None:
    create_opportunity(stack, ACE_Share__c=False)
    report = run_inbound(stack.ctx)
    assert inbound_documents(stack) == {} and report["records_skipped"] == 0 and report["files_sent"] == 0


def test_a_salesforce_outage_after_the_upload_never_sends_a_record_twice(stack: Any) -> None:
    ids = [create_opportunity(stack, Name=f"Deal {i}") for i in range(2)]
    stack.faults({"error": "SERVER_UNAVAILABLE", "kind": "composite"})  # marking them Sent fails

    report = run_inbound(stack.ctx)

    assert report["files_sent"] == 2 and len(report.errors) == 1 and "SERVER_UNAVAILABLE" in report.errors[0]
    assert stack.ctx.state.watermark("Opportunity") is None  # not advanced: the batch is read again
    stack.faults()
    again = run_inbound(stack.ctx)
    assert (again["files_sent"], again["records_skipped"]) == (0, 2)
    assert sorted(r["partnerCrmUniqueIdentifier"] for r in sent_records(stack)) == sorted(ids)
