"""AWS referrals through the inbound flow: accept and reject as minimal records, then the link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from conftest_inbound import archived_inbound, cycle, inbound_documents, later_at_ace, sent_records

from connector.sync.inbound import run_inbound
from connector.sync.outbound import run_outbound


def referral_in_salesforce(stack: Any, entity: str = "opportunity", **fields: Any) -> tuple[str, str]:
    """An AWS referral exported by ACE and created in Salesforce by the outbound flow: (ACE id, Salesforce Id)."""
    view = stack.refer_opportunity(**fields) if entity == "opportunity" else stack.refer_lead(**fields)
    stack.sim.export()
    run_outbound(stack.ctx)
    ace_id = view["apnCrmUniqueIdentifier"]
    mapping = stack.mappings[entity]
    [row] = stack.query(f"SELECT Id FROM {mapping.salesforce_object} WHERE {mapping.ace_id_field} = '{ace_id}'")
    return ace_id, row["Id"]


def decide(stack: Any, entity: str, record_id: str, **values: Any) -> None:
    """The admin (a human user, not the integration) sets the decision fields."""
    getattr(stack.sf_admin, stack.mappings[entity].salesforce_object).update(record_id, values)


def status(stack: Any, entity: str, record_id: str) -> dict[str, Any]:
    mapping = stack.mappings[entity]
    [row] = stack.query(f"SELECT ACE_Sync_Status__c, ACE_Sync_Error__c FROM {mapping.salesforce_object} "
                        f"WHERE Id = '{record_id}'")
    return row


def test_an_undecided_referral_sends_nothing_even_when_shared(stack: Any) -> None:
    _, record_id = referral_in_salesforce(stack)
    assert run_inbound(stack.ctx).as_counts() == {}  # not shared, no decision: not even selected
    decide(stack, "opportunity", record_id, ACE_Share__c=True, NextStep="Call the customer")

    report = run_inbound(stack.ctx)

    assert inbound_documents(stack) == {} and report["records_skipped"] == 1 and report.errors == []


def test_accepting_a_referral_sends_the_minimal_record_once_then_links_it(stack: Any) -> None:
    ace_id, record_id = referral_in_salesforce(stack)
    decide(stack, "opportunity", record_id, ACE_Referral_Decision__c="Accepted",
           ACE_Solutions_Offered__c="Other", ACE_Other_Solution_Offered__c="Data platform services")

    run_inbound(stack.ctx)

    assert sent_records(stack) == [{"apnCrmUniqueIdentifier": ace_id, "partnerAcceptanceStatus": "Accepted"}]
    assert run_inbound(stack.ctx)["files_sent"] == 0  # the decision goes once
    assert stack.sim.opportunity(ace_id)["partnerCrmUniqueIdentifier"] is None

    later_at_ace(stack)
    reports = cycle(stack)  # ACE accepts and unmasks; the link goes out as a full update
    assert stack.sim.opportunity(ace_id)["partnerAcceptanceStatus"] == "Accepted"
    assert reports["inbound"]["files_sent"] == 1, reports["inbound"].summary()
    [link] = sent_records(stack)
    assert (link["apnCrmUniqueIdentifier"], link["partnerCrmUniqueIdentifier"]) == (ace_id, record_id)
    assert "partnerAcceptanceStatus" not in link and link["solutionOffered"] == ["Other"]

    cycle(stack)  # ACE applies the update: the referral is linked
    assert stack.sim.opportunity(ace_id)["partnerCrmUniqueIdentifier"] == record_id
    assert status(stack, "opportunity", record_id) == {"ACE_Sync_Status__c": "Synced", "ACE_Sync_Error__c": None}


def test_rejecting_a_referral_sends_the_reason_and_nothing_after(stack: Any) -> None:
    ace_id, record_id = referral_in_salesforce(stack)
    decide(stack, "opportunity", record_id, ACE_Referral_Decision__c="Rejected")

    report = run_inbound(stack.ctx)  # no reason: ACE would refuse it, so it stays here with the error
    assert inbound_documents(stack) == {} and report["records_failed"] == 1
    assert "rejectionReason" in status(stack, "opportunity", record_id)["ACE_Sync_Error__c"]

    decide(stack, "opportunity", record_id, ACE_Rejection_Reason__c="Unable to support")
    run_inbound(stack.ctx)
    assert sent_records(stack) == [{"apnCrmUniqueIdentifier": ace_id, "partnerAcceptanceStatus": "Rejected",
                                    "rejectionReason": "Unable to support"}]

    for _ in range(2):
        cycle(stack)
    assert stack.sim.opportunity(ace_id)["partnerAcceptanceStatus"] == "Rejected"
    assert len(archived_inbound(stack)) == 1  # the rejection alone: no link, no update


def test_a_decision_after_the_accept_by_deadline_is_refused_before_sending(stack: Any) -> None:
    past = datetime.now(UTC) - timedelta(days=1)
    ace_id, record_id = referral_in_salesforce(stack, accept_by=past)
    decide(stack, "opportunity", record_id, ACE_Referral_Decision__c="Accepted")

    run_inbound(stack.ctx)

    assert inbound_documents(stack) == {}
    assert "acceptBy" in status(stack, "opportunity", record_id)["ACE_Sync_Error__c"]


def test_accepting_a_lead_sends_the_minimal_record_then_links_it(stack: Any) -> None:
    lead_id, record_id = referral_in_salesforce(stack, "lead")
    assert run_inbound(stack.ctx)["files_sent"] == 0
    decide(stack, "lead", record_id, ACE_Referral_Decision__c="Accepted")

    run_inbound(stack.ctx)

    [(key, document)] = inbound_documents(stack, "lead").items()
    assert key.startswith("lead-inbound/lead_")
    assert document["leads"] == [{"apnCrmUniqueIdentifier": lead_id, "currentLeadStage": "Accepted"}]

    later_at_ace(stack)
    cycle(stack)
    assert stack.sim.lead(lead_id)["currentLeadStage"] == "Accepted"
    [link] = sent_records(stack, "lead")
    assert (link["apnCrmUniqueIdentifier"], link["partnerCrmLeadId"]) == (lead_id, record_id)
    cycle(stack)
    assert stack.sim.lead(lead_id)["partnerCrmLeadId"] == record_id
    # ACE never exports a lead's first and last names: what was sent of them is remembered, so
    # the export that follows the link is not taken for news.
    assert [cycle(stack)["inbound"]["files_sent"] for _ in range(3)] == [0, 0, 0]
    assert status(stack, "lead", record_id) == {"ACE_Sync_Status__c": "Synced", "ACE_Sync_Error__c": None}
