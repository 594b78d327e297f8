"""The outbound flow against moto, the ACE simulator, the org emulator and Redis: the main paths."""

from __future__ import annotations

from datetime import datetime
from typing import Any


from connector.ace.bucket import PROCESSED_TAG_KEY
from connector.ace.catalog import is_masked
from connector.sync.outbound import run_outbound

OPPORTUNITY_FIELDS = ("Id, Name, StageName, CloseDate, Description, ACE_Opportunity_Id__c, ACE_Sync_Status__c, "
                      "ACE_Sync_Error__c, ACE_Last_Modified__c, ACE_Last_Synced__c, ACE_Content_Hash__c, "
                      "ACE_Customer_Email__c, ACE_Customer_Company_Name__c, ACE_Country__c, NextStep")


def opportunities(stack: Any) -> list[dict[str, Any]]:
    return stack.query(f"SELECT {OPPORTUNITY_FIELDS} FROM Opportunity ORDER BY ACE_Opportunity_Id__c")


def linked(stack: Any, view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """An opportunity the partner already linked in Salesforce, and ACE's record of it with both keys."""
    record_id = stack.sf.Opportunity.create({
        "Name": "Partner's own name", "StageName": "Qualification", "CloseDate": "2027-01-31",
        "ACE_Opportunity_Id__c": view["apnCrmUniqueIdentifier"], "ACE_Customer_Email__c": "real@customer.example",
        "ACE_Last_Modified__c": stack.ace_time(), "ACE_Country__c": "Canada"})["id"]
    return {**view, "partnerCrmUniqueIdentifier": record_id, "lastModifiedDate": stack.ace_time(hours=1),
            **changes}


def test_an_aws_referral_creates_a_record_marked_for_linking(stack: Any) -> None:
    view = stack.refer_opportunity(partnerProjectTitle="Contoso: data lake")
    [key] = [k for k in stack.sim.export() if k.startswith("opportunity-outbound/")]

    report = run_outbound(stack.ctx)

    [record] = opportunities(stack)
    assert record["ACE_Opportunity_Id__c"] == view["apnCrmUniqueIdentifier"]
    assert record["Name"] == "Contoso: data lake"
    assert record["StageName"] == "Prospecting"  # ACE's Prospect through the stage value map
    assert record["ACE_Sync_Status__c"] == "Pending"  # ACE does not have the partner key yet
    assert record["ACE_Sync_Error__c"] is None
    assert record["ACE_Last_Modified__c"].startswith(view["lastModifiedDate"][:19])
    assert record["ACE_Customer_Email__c"] is None  # "Accept To View" never lands in Salesforce
    assert record["ACE_Country__c"] is None
    assert record["ACE_Content_Hash__c"] == stack.mappings["opportunity"].content_hash(view)
    remembered = stack.ctx.state.content_hashes("opportunity", [record["Id"]])
    assert remembered == {record["Id"]: record["ACE_Content_Hash__c"]}
    assert stack.bucket.get_tags(key)[PROCESSED_TAG_KEY] == "true"
    assert (report["files_done"], report["records_ok"], report.errors) == (1, 1, [])


def test_a_lead_referral_gets_placeholders_for_the_masked_required_fields(stack: Any) -> None:
    view = stack.refer_lead()
    stack.sim.export()

    run_outbound(stack.ctx)

    [lead] = stack.query("SELECT LastName, Company, Email, Website, ACE_Lead_Id__c, ACE_Sync_Status__c FROM Lead")
    assert lead["ACE_Lead_Id__c"] == view["apnCrmUniqueIdentifier"]
    assert view["company"] == view["fullName"] == "Accept To View"
    assert lead["LastName"] and lead["Company"]  # placeholders, never the mask
    assert not is_masked(lead["LastName"]) and not is_masked(lead["Company"])
    assert lead["Email"] is None
    assert lead["Website"] == view["website"]
    assert lead["ACE_Sync_Status__c"] == "Pending"


def test_an_update_of_a_linked_record_applies_ace_values_and_marks_it_synced(stack: Any) -> None:
    view = stack.refer_opportunity()
    record = linked(stack, view, stage="Qualified", nextStep="Workshop on May 3", targetCloseDate="2027-02-28")
    stack.put_outbound("opportunity", [record])

    report = run_outbound(stack.ctx)

    [stored] = opportunities(stack)
    assert (stored["StageName"], stored["NextStep"], stored["CloseDate"]) == \
        ("Qualification", "Workshop on May 3", "2027-02-28")
    assert stored["Name"] == view["partnerProjectTitle"]
    assert stored["ACE_Sync_Status__c"] == "Synced"
    assert stored["ACE_Last_Modified__c"].startswith(record["lastModifiedDate"][:19])
    assert report["records_ok"] == 1


def test_masked_values_and_nulls_never_overwrite_real_data(stack: Any) -> None:
    view = stack.refer_opportunity()
    record = linked(stack, view, customerEmail="Accept to View", country="ACCEPT TO VIEW", nextStep=None)
    stack.sf.Opportunity.update(record["partnerCrmUniqueIdentifier"], {"NextStep": "Call the CTO"})
    stack.put_outbound("opportunity", [record])

    run_outbound(stack.ctx)

    [stored] = opportunities(stack)
    assert stored["ACE_Customer_Email__c"] == "real@customer.example"
    assert stored["ACE_Country__c"] == "Canada"
    assert stored["NextStep"] == "Call the CTO"
    assert stored["ACE_Sync_Status__c"] == "Synced"


def test_a_record_found_by_its_partner_key_is_linked_not_duplicated(stack: Any) -> None:
    """ACE's export can arrive before the results flow has written the new ACE id onto the record."""
    record_id = stack.sf.Opportunity.create({"Name": "Partner-made", "StageName": "Prospecting",
                                             "CloseDate": "2027-01-31"})["id"]
    view = stack.refer_opportunity()
    stack.put_outbound("opportunity", [{**view, "partnerCrmUniqueIdentifier": record_id,
                                        "opportunityOwnership": "Partner Referral"}])

    run_outbound(stack.ctx)

    [stored] = opportunities(stack)
    assert stored["Id"] == record_id
    assert stored["ACE_Opportunity_Id__c"] == view["apnCrmUniqueIdentifier"]
    assert stored["ACE_Sync_Status__c"] == "Synced"


def test_a_placeholder_partner_key_matching_nothing_creates_nothing(stack: Any) -> None:
    """Go-live: ACE records the partner does not want carry placeholder keys such as X0001."""
    view = stack.refer_opportunity()
    key = stack.put_outbound("opportunity", [{**view, "partnerCrmUniqueIdentifier": "X0001"}])

    report = run_outbound(stack.ctx)

    assert opportunities(stack) == []
    assert report["records_skipped"] == 1
    assert stack.bucket.get_tags(key)[PROCESSED_TAG_KEY] == "true"


def test_after_processing_delete_removes_the_file_and_leaves_the_archive(stack: Any) -> None:
    stack.refer_opportunity()
    [key] = [k for k in stack.sim.export() if k.startswith("opportunity-outbound/")]

    run_outbound(stack.context(ace_after_processing="delete"))

    assert stack.keys("opportunity-outbound/") == []
    assert stack.keys("opportunity-outbound-archive/") == [key.replace("outbound/", "outbound-archive/")]
    assert len(opportunities(stack)) == 1


def test_files_of_both_entities_are_taken_oldest_first(stack: Any) -> None:
    newer = stack.put_outbound("lead", [stack.refer_lead()],  # sorts first by key
                               uploaded_at=datetime(2024, 5, 1, 12, 0, 5))
    older = stack.put_outbound("opportunity", [stack.refer_opportunity()], uploaded_at=datetime(2024, 5, 1, 12, 0, 1))
    seen: list[str] = []
    original = stack.ctx.bucket.get_tags
    stack.ctx.bucket.get_tags = lambda key: (seen.append(key), original(key))[1]  # type: ignore[method-assign]

    report = run_outbound(stack.ctx)

    assert list(dict.fromkeys(seen)) == [older, newer]
    assert report["files_done"] == 2


def test_a_thousand_records_cost_a_handful_of_salesforce_calls(stack: Any) -> None:
    template = stack.refer_opportunity()
    records = [{**template, "apnCrmUniqueIdentifier": f"O{9_000_000 + n}", "partnerProjectTitle": f"Deal {n}"}
               for n in range(1000)]
    stack.put_outbound("opportunity", records)
    before, kinds_before = stack.stats()["api_usage"], stack.stats()["by_kind"]

    report = run_outbound(stack.ctx)

    after = stack.stats()
    calls = after["api_usage"] - before
    assert report["records_ok"] == 1000
    assert stack.sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 1000
    # one batch: the guard's look-up (two queries: 1,000 ids do not fit one URL), five sObject
    # Collections upserts of 200, and one describe
    assert calls == 8, after
    assert after["by_kind"]["query"] - kinds_before.get("query", 0) == 2
