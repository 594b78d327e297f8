"""AWS referrals (ACE-CONTRACT §8.3) and leads (ACE-CONTRACT §9): masking, accept/reject round trips, exports."""

from __future__ import annotations

from datetime import timedelta

from connector.ace.catalog import MASKED_VALUE
from connector.sandbox.ace import Simulator

from .scenario import Clock, Partner

OPP_PII = ("country", "customerFirstName", "customerLastName", "customerEmail", "customerPhone", "customerTitle")
LEAD_PII = ("title", "streetAddress", "state", "postalCode", "phone", "fullName", "email", "country", "company",
            "city")


def test_referral_is_masked_until_accepted_then_linked(partner: Partner, simulator: Simulator) -> None:
    opp_id = simulator.refer_opportunity(customerCompanyName="Example Corp", solutionOffered=["S-0001111"])
    assert simulator.export() == [partner.keys("opportunity-outbound/")[0]]
    [before] = partner.outbound_records("opportunity")
    assert before["apnCrmUniqueIdentifier"] == opp_id
    assert (before["opportunityOwnership"], before["partnerCrmUniqueIdentifier"], before["stage"]) == \
        ("AWS Referral", None, "Prospect")
    assert before["partnerAcceptanceStatus"] is None and before["acceptBy"].endswith(".000Z")
    assert all(before[name] == MASKED_VALUE for name in OPP_PII)
    assert before["solutionOffered"] is None and before["otherSolutionOffered"] is None
    assert before["customerCompanyName"] == "Example Corp" and before["partnerProjectTitle"]
    assert len(partner.keys("opportunity-outbound-archive/")) == 1

    accept = {"partnerAcceptanceStatus": "Accepted", "apnCrmUniqueIdentifier": opp_id}
    result = partner.send_one("opportunity", accept)
    assert result["isSuccess"] is True, result
    [after] = partner.outbound_records("opportunity")
    assert after["partnerAcceptanceStatus"] == "Accepted"
    assert after["country"] == "United States" and after["customerEmail"] != MASKED_VALUE
    assert after["solutionOffered"] == ["S-0001111"]

    link = {"apnCrmUniqueIdentifier": opp_id, "partnerCrmUniqueIdentifier": "006LINKED"}
    assert partner.send_one("opportunity", link)["partnerCrmUniqueIdentifier"] == "006LINKED"
    [linked] = partner.outbound_records("opportunity")
    assert linked["partnerCrmUniqueIdentifier"] == "006LINKED"


def test_updates_before_acceptance_are_refused(partner: Partner, simulator: Simulator) -> None:
    opp_id = simulator.refer_opportunity()
    result = partner.send_one("opportunity", {"apnCrmUniqueIdentifier": opp_id, "nextStep": "Call"})
    assert result["isSuccess"] is False
    assert simulator.opportunity(opp_id)["nextStep"] != "Call"


def test_rejection_needs_a_reason_and_keeps_the_data_hidden(partner: Partner, simulator: Simulator) -> None:
    opp_id = simulator.refer_opportunity()
    simulator.export()
    partner.outbound_records("opportunity")
    no_reason = partner.send_one("opportunity", {"partnerAcceptanceStatus": "Rejected",
                                                 "apnCrmUniqueIdentifier": opp_id})
    assert no_reason["isSuccess"] is False

    reject = {"partnerAcceptanceStatus": "Rejected", "apnCrmUniqueIdentifier": opp_id,
              "rejectionReason": "Customer problem unclear"}
    assert partner.send_one("opportunity", reject)["isSuccess"] is True
    [rejected] = partner.outbound_records("opportunity")
    assert rejected["partnerAcceptanceStatus"] == "Rejected"
    assert rejected["rejectionReason"] is None  # part of the reject record, never echoed
    assert all(rejected[name] == MASKED_VALUE for name in OPP_PII)

    # Closed to the partner: later AWS changes no longer reach the partner.
    simulator.seller_update(opp_id, next_step="Reassign to another partner")
    assert simulator.export() == []


def test_accepting_after_the_deadline_fails(partner: Partner, simulator: Simulator, clock: Clock) -> None:
    opp_id = simulator.refer_opportunity(accept_by=clock.current + timedelta(hours=1))
    clock.advance(hours=2)
    late = partner.send_one("opportunity", {"partnerAcceptanceStatus": "Accepted", "apnCrmUniqueIdentifier": opp_id})
    assert late["isSuccess"] is False
    assert simulator.opportunity(opp_id)["partnerAcceptanceStatus"] is None


def test_lead_accept_round_trip(partner: Partner, simulator: Simulator) -> None:
    lead_id = simulator.refer_lead(company="Example Corp", fullName="Ana Alvarez")
    simulator.export()
    [before] = partner.outbound_records("lead")
    assert before["apnCrmUniqueIdentifier"] == lead_id and lead_id.startswith("L")
    assert before["partnerCrmLeadId"] is None and before["currentLeadStage"] is None
    assert all(before[name] == MASKED_VALUE for name in LEAD_PII)
    assert before["website"] and before["industry"] and before["campaignName"]
    assert "firstName" not in before and "lastName" not in before

    accept = {"currentLeadStage": "Accepted", "apnCrmUniqueIdentifier": lead_id}
    result = partner.send_one("lead", accept)
    assert result["isSuccess"] is True, result
    [after] = partner.outbound_records("lead")
    assert (after["currentLeadStage"], after["company"], after["fullName"]) == \
        ("Accepted", "Example Corp", "Ana Alvarez")

    update = {"apnCrmUniqueIdentifier": lead_id, "partnerCrmLeadId": "00QLEAD1", "status": "Research",
              "firstName": "Ana", "lastName": "Alvarez-Ruiz"}
    result = partner.send_one("lead", update)
    assert (result["isSuccess"], result["partnerCrmUniqueIdentifier"]) == (True, "00QLEAD1")
    [updated] = partner.outbound_records("lead")
    assert (updated["status"], updated["fullName"], updated["partnerCrmLeadId"]) == \
        ("Research", "Ana Alvarez-Ruiz", "00QLEAD1")

    same_again = partner.send_one("lead", {"apnCrmUniqueIdentifier": lead_id, "status": "Research"})
    assert same_again["errors"] == ["No new update identified for this record"]


def test_lead_reject_keeps_it_masked(partner: Partner, simulator: Simulator) -> None:
    lead_id = simulator.refer_lead()
    result = partner.send_one("lead", {"currentLeadStage": "Rejected", "apnCrmUniqueIdentifier": lead_id})
    assert result["isSuccess"] is True, result
    [after] = partner.outbound_records("lead")
    assert after["currentLeadStage"] == "Rejected"
    assert all(after[name] == MASKED_VALUE for name in LEAD_PII)


def test_leads_cannot_be_created_or_updated_before_acceptance(partner: Partner, simulator: Simulator) -> None:
    lead_id = simulator.refer_lead()
    unknown = partner.send_one("lead", {"apnCrmUniqueIdentifier": "L9999999", "status": "Open"})
    assert unknown["errors"] == ["Record not found for apnCrmUniqueIdentifier:L9999999"]
    assert partner.send_one("lead", {"partnerCrmLeadId": "00QNEW", "status": "Open"})["isSuccess"] is False
    early = partner.send_one("lead", {"apnCrmUniqueIdentifier": lead_id, "status": "Qualified"})
    assert early["isSuccess"] is False
    assert simulator.lead(lead_id)["status"] == "Open"


def test_marketing_changes_reach_the_partner(partner: Partner, simulator: Simulator) -> None:
    lead_id = simulator.refer_lead()
    simulator.export()
    partner.outbound_records("lead")
    simulator.seller_update(lead_id, campaignMemberStatus="Attended;Registered")
    simulator.export()
    [record] = partner.outbound_records("lead")
    assert record["campaignMemberStatus"] == "Attended;Registered"


def test_export_puts_several_records_per_file(partner: Partner, simulator: Simulator) -> None:
    simulator.configure(export_records_per_file=2)
    ids = [simulator.refer_opportunity() for _ in range(5)]
    written = simulator.export()
    assert len(written) == 3 and len(set(written)) == 3
    assert [r["apnCrmUniqueIdentifier"] for r in partner.outbound_records("opportunity")] == ids
    assert simulator.export() == []
