"""Planning single records with the default mappings: no network, every branch named by its reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connector.ace.rules import RuleContext
from connector.sync.inbound import selection_filter
from connector.sync.inbound_records import Digest, Fail, RecordPlanner, Send, Skip
from connector.sync.referrals import AceMirror, read_decision

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
SF_ID = "0068c0000000001AAA"
LEAD_SF_ID = "00Q8c0000000001AAA"


def planner(mappings: Any, entity: str = "opportunity", **memory: dict[str, str]) -> RecordPlanner:
    mapping = mappings[entity]
    return RecordPlanner(entity=entity, mapping=mapping, mirror=AceMirror(mapping), rules=RuleContext.at(NOW),
                         hashes=memory.get("hashes", {}), inbound_only_hashes=memory.get("inbound_only", {}),
                         decision_hashes=memory.get("decisions", {}), links=memory.get("links", {}))


def referral_row(**fields: Any) -> dict[str, Any]:
    return {"Id": SF_ID, "Name": "Contoso: data lake", "StageName": "Prospecting", "ACE_Opportunity_Id__c": "O77",
            "ACE_Ownership__c": "AWS Referral", "ACE_Review_Status__c": "Approved",
            "ACE_Sync_Status__c": "Pending", **fields}


@pytest.fixture(scope="module")
def mappings(repo_root: Any) -> Any:
    from connector.mapping import load_mappings

    return load_mappings(repo_root / "mappings")


def test_the_selection_adds_records_whose_decision_is_set(mappings: Any) -> None:
    assert selection_filter(mappings["opportunity"]) == "(ACE_Share__c = true) OR (ACE_Referral_Decision__c != null)"


def test_ace_values_are_read_back_from_the_fields_the_mapping_fills(mappings: Any) -> None:
    mirror = AceMirror(mappings["opportunity"])
    row = referral_row(ACE_Accept_By__c="2030-01-20T10:00:00.000+0000")
    assert (mirror.value(row, "opportunityOwnership"), mirror.value(row, "status"), mirror.value(row, "acceptBy")) \
        == ("AWS Referral", "Approved", "2030-01-20T10:00:00.000Z")
    assert set(mirror.soql_fields) == {"ACE_Ownership__c", "ACE_Review_Status__c", "ACE_Accept_By__c"}


def test_a_decision_is_the_minimal_record(mappings: Any) -> None:
    accepted = read_decision({"partnerAcceptanceStatus": "Accepted", "stage": "Prospect"}, entity="opportunity",
                             ace_id="O77")
    assert accepted.record == {"apnCrmUniqueIdentifier": "O77", "partnerAcceptanceStatus": "Accepted"}
    rejected = read_decision({"partnerAcceptanceStatus": "Rejected", "rejectionReason": "Other"},
                             entity="opportunity", ace_id="O77")
    assert rejected.problem is None and rejected.record["rejectionReason"] == "Other"
    assert rejected.fingerprint != accepted.fingerprint
    assert read_decision({"currentLeadStage": "Accepted", "status": "Open"}, entity="lead", ace_id="L5").record \
        == {"apnCrmUniqueIdentifier": "L5", "currentLeadStage": "Accepted"}
    assert read_decision({}, entity="lead", ace_id="L5") is None


def test_a_referral_awaiting_a_decision_is_skipped(mappings: Any) -> None:
    plan = planner(mappings).plan(referral_row())
    assert isinstance(plan, Skip) and "awaits the partner's decision" in plan.reason


def test_a_decision_goes_once(mappings: Any) -> None:
    row = referral_row(ACE_Referral_Decision__c="Accepted")
    plan = planner(mappings).plan(row)
    assert isinstance(plan, Send) and plan.outgoing.kind == "decision"
    remembered = {SF_ID: plan.outgoing.decision_fingerprint}
    again = planner(mappings, decisions=remembered).plan({**row, "ACE_Sync_Status__c": "Sent"})
    assert isinstance(again, Skip) and "has not answered" in again.reason


def test_a_rejected_referral_takes_nothing_more(mappings: Any) -> None:
    row = referral_row(ACE_Referral_Decision__c="Rejected", ACE_Rejection_Reason__c="Other", NextStep="Edited")
    decision = read_decision({"partnerAcceptanceStatus": "Rejected", "rejectionReason": "Other"},
                             entity="opportunity", ace_id="O77")
    plan = planner(mappings, decisions={SF_ID: decision.fingerprint}).plan(row)
    assert isinstance(plan, Skip) and "was rejected" in plan.reason


def test_an_opportunity_under_review_waits(mappings: Any) -> None:
    row = referral_row(ACE_Ownership__c="Partner Referral", ACE_Review_Status__c="In review",
                       ACE_Sync_Status__c="Synced")
    plan = planner(mappings).plan(row)
    assert isinstance(plan, Skip) and "ACE is reviewing O77 (status In review)" in plan.reason


def test_a_lead_without_an_ace_id_cannot_be_created(mappings: Any) -> None:
    plan = planner(mappings, "lead").plan({"Id": LEAD_SF_ID, "LastName": "Chen", "Company": "Contoso"})
    assert isinstance(plan, Fail) and "leads cannot be created in ACE" in plan.message


def test_an_error_already_on_the_record_is_not_written_again(mappings: Any) -> None:
    row = {"Id": SF_ID, "Name": "Deal", "StageName": "Prospecting", "ACE_Sync_Status__c": "Error"}
    first = planner(mappings).plan(row)
    assert isinstance(first, Fail) and not first.already_recorded
    second = planner(mappings).plan({**row, "ACE_Sync_Error__c": first.message})
    assert isinstance(second, Fail) and second.already_recorded


def test_first_and_last_names_ace_never_exports_are_compared_with_what_was_sent(mappings: Any) -> None:
    mapping = mappings["lead"]
    row = {"Id": LEAD_SF_ID, "ACE_Lead_Id__c": "L5", "FirstName": "Ana", "LastName": "Chen", "Company": "Contoso",
           "ACE_Referral_Decision__c": "Accepted", "ACE_Sync_Status__c": "Synced"}
    digest = Digest.of(mapping, mapping.to_ace(row).record, entity="lead")
    received = {"hashes": {LEAD_SF_ID: digest.round_trip}, "links": {LEAD_SF_ID: LEAD_SF_ID}}
    # ACE's export matches, but the names were never sent: they go
    assert isinstance(planner(mappings, "lead", **received).plan(row), Send)
    sent = {**received, "inbound_only": {LEAD_SF_ID: digest.inbound_only}}
    assert isinstance(planner(mappings, "lead", **sent).plan(row), Skip)
    renamed = planner(mappings, "lead", **sent).plan({**row, "FirstName": "Anna"})
    assert isinstance(renamed, Send) and renamed.outgoing.record["firstName"] == "Anna"
