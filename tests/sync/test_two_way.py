"""Both directions together: the exchange settles, and what one flow wrote is never echoed by the other."""

from __future__ import annotations

import threading
from typing import Any

from conftest_inbound import (
    archived_inbound,
    create_opportunity,
    cycle,
    inbound_documents,
    later_at_ace,
    opportunity,
    sent_records,
)

from connector.sync.inbound import run_inbound

#: Cycles allowed for everything to be sent, answered, exported and linked.
SETTLE_CYCLES = 6
#: Quiet cycles that prove there is no ping-pong.
QUIET_CYCLES = 4


def inbound_files_sent(reports: dict[str, Any]) -> int:
    return reports["inbound"]["files_sent"]


def settle(stack: Any) -> int:
    """Cycles until one sends nothing; fails if that takes more than SETTLE_CYCLES."""
    for number in range(1, SETTLE_CYCLES + 1):
        if inbound_files_sent(cycle(stack)) == 0:
            return number
    raise AssertionError(f"still sending after {SETTLE_CYCLES} cycles")


def ace_id_of(stack: Any, sobject: str, record_id: str) -> str:
    field = "ACE_Opportunity_Id__c" if sobject == "Opportunity" else "ACE_Lead_Id__c"
    [row] = stack.query(f"SELECT {field} FROM {sobject} WHERE Id = '{record_id}'")
    return row[field]


def salesforce_id(stack: Any, sobject: str, ace_id: str) -> str:
    field = "ACE_Opportunity_Id__c" if sobject == "Opportunity" else "ACE_Lead_Id__c"
    [row] = stack.query(f"SELECT Id FROM {sobject} WHERE {field} = '{ace_id}'")
    return row["Id"]


def test_the_two_way_loop_settles_with_no_ping_pong(stack: Any) -> None:
    own_id = create_opportunity(stack)
    referral_ace_id = stack.sim.refer_opportunity()
    lead_ace_id = stack.sim.refer_lead()
    settle(stack)  # the create is answered; the referrals are in Salesforce, undecided

    own_ace_id = ace_id_of(stack, "Opportunity", own_id)
    referral_id = salesforce_id(stack, "Opportunity", referral_ace_id)
    lead_id = salesforce_id(stack, "Lead", lead_ace_id)
    stack.sf_admin.Opportunity.update(referral_id, {"ACE_Referral_Decision__c": "Accepted",
                                                    "ACE_Solutions_Offered__c": "Other",
                                                    "ACE_Other_Solution_Offered__c": "Migration factory"})
    stack.sf_admin.Lead.update(lead_id, {"ACE_Referral_Decision__c": "Accepted"})
    later_at_ace(stack)
    stack.sim.review(own_ace_id, to="Approved")
    settle(stack)

    # AWS's seller moves the deals on; the partner edits its own opportunity.
    later_at_ace(stack)
    stack.sim.seller_update(referral_ace_id, next_step="AWS seller met the customer")
    stack.sim.seller_update(own_ace_id, stage="Qualified")
    stack.sf_admin.Opportunity.update(own_id, {"NextStep": "Proposal sent"})
    settle(stack)

    before = len(archived_inbound(stack)) + len(archived_inbound(stack, "lead"))
    quiet = [inbound_files_sent(cycle(stack)) for _ in range(QUIET_CYCLES)]
    assert quiet == [0] * QUIET_CYCLES
    assert len(archived_inbound(stack)) + len(archived_inbound(stack, "lead")) == before
    assert inbound_documents(stack) == {} and inbound_documents(stack, "lead") == {}

    assert stack.sim.opportunity(own_ace_id)["partnerCrmUniqueIdentifier"] == own_id
    assert stack.sim.opportunity(own_ace_id)["nextStep"] == "Proposal sent"
    assert stack.sim.opportunity(referral_ace_id)["partnerCrmUniqueIdentifier"] == referral_id
    assert stack.sim.lead(lead_ace_id)["partnerCrmLeadId"] == lead_id
    for row in (opportunity(stack, own_id), opportunity(stack, referral_id)):
        assert (row["ACE_Sync_Status__c"], row["ACE_Sync_Error__c"]) == ("Synced", None), row
    assert stack.ctx.state.recent_errors() == []


def test_updates_wait_while_ace_reviews_the_opportunity(stack: Any) -> None:
    record_id = create_opportunity(stack)
    run_inbound(stack.ctx)
    cycle(stack)  # created in ACE (Submitted): the id and the review status come back
    assert opportunity(stack, record_id, "ACE_Review_Status__c")["ACE_Review_Status__c"] == "Submitted"

    stack.sf_admin.Opportunity.update(record_id, {"NextStep": "Call the customer"})
    report = run_inbound(stack.ctx)
    assert report["files_sent"] == 0 and report["records_skipped"] == 1 and inbound_documents(stack) == {}

    ace_id = ace_id_of(stack, "Opportunity", record_id)
    later_at_ace(stack)
    stack.sim.review(ace_id, to="Approved")
    cycle(stack)  # the approval comes back, and with it the waiting edit goes
    [update] = sent_records(stack)
    assert (update["apnCrmUniqueIdentifier"], update["nextStep"]) == (ace_id, "Call the customer")
    stack.sim.tick()
    assert stack.sim.opportunity(ace_id)["nextStep"] == "Call the customer"


def test_two_workers_at_once_send_each_record_once(stack: Any) -> None:
    ids = [create_opportunity(stack, Name=f"Deal {i}") for i in range(6)]
    workers = [stack.context() for _ in range(3)]
    reports: list[Any] = []
    threads = [threading.Thread(target=lambda ctx=ctx: reports.append(run_inbound(ctx))) for ctx in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sent = [r["partnerCrmUniqueIdentifier"] for d in inbound_documents(stack).values() for r in d["opportunities"]]
    assert sorted(sent) == sorted(ids)
    assert sum(r["records_ok"] for r in reports) == 6 and all(r.errors == [] for r in reports)
