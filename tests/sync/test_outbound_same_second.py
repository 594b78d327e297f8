"""Two versions of an ACE record in one second: ACE stamps whole seconds, so the stamp alone cannot order them."""

from __future__ import annotations

from typing import Any

import pytest

from connector.sync.outbound import run_outbound
from connector.sync.outbound_records import same_salesforce_value

FIELDS = "Id, NextStep, ACE_Reviewer_Comments__c, ACE_AWS_Sales_Rep_Name__c, ACE_Sync_Status__c"


def stored(stack: Any, ace_id: str) -> dict[str, Any]:
    [row] = stack.query(f"SELECT {FIELDS} FROM Opportunity WHERE ACE_Opportunity_Id__c = '{ace_id}'")
    return row


@pytest.fixture
def applied(stack: Any) -> dict[str, Any]:
    """An AWS referral as ACE exported it at 13:00:00, already applied in Salesforce."""
    version = {**stack.refer_opportunity(), "nextStep": "Intro call", "apnReviewerComments": None,
               "aWSSalesRepName": "Sam Seller", "lastModifiedDate": stack.ace_time(hours=1)}
    stack.put_outbound("opportunity", [version])
    assert run_outbound(stack.ctx)["records_ok"] == 1
    return version


@pytest.mark.parametrize("change", [
    {"nextStep": "Workshop booked"},  # content that goes both ways (the content hash)
    {"apnReviewerComments": "Add the customer's website"},  # AWS's view only
    {"aWSSalesRepName": None, "apnReviewerComments": "Handed over"},
], ids=["two-way field", "AWS field", "AWS field emptied"])
def test_another_version_of_the_same_second_is_applied(stack: Any, applied: dict[str, Any],
                                                       change: dict[str, Any]) -> None:
    stack.put_outbound("opportunity", [{**applied, **change}])

    report = run_outbound(stack.ctx)

    row = stored(stack, applied["apnCrmUniqueIdentifier"])
    assert (report["records_ok"], report["records_skipped"]) == (1, 0)
    assert row["NextStep"] == change.get("nextStep", "Intro call")
    assert row["ACE_Reviewer_Comments__c"] == change.get("apnReviewerComments")
    assert row["ACE_AWS_Sales_Rep_Name__c"] == "Sam Seller"  # an empty ACE value never empties Salesforce


def test_the_same_version_again_is_skipped_and_a_partner_edit_not_yet_sent_is_kept(
        stack: Any, applied: dict[str, Any]) -> None:
    row = stored(stack, applied["apnCrmUniqueIdentifier"])
    stack.sf.Opportunity.update(row["Id"], {"NextStep": "Partner's own plan"})
    stack.put_outbound("opportunity", [dict(applied)])  # ACE exports it again, unchanged

    report = run_outbound(stack.ctx)

    assert (report["records_ok"], report["records_skipped"]) == (0, 1)
    assert stored(stack, applied["apnCrmUniqueIdentifier"])["NextStep"] == "Partner's own plan"


def test_an_older_version_with_other_content_is_still_skipped(stack: Any, applied: dict[str, Any]) -> None:
    stack.put_outbound("opportunity", [{**applied, "nextStep": "Older plan", "apnReviewerComments": "Old note",
                                        "lastModifiedDate": stack.ace_time(minutes=59, seconds=59)}])

    report = run_outbound(stack.ctx)

    assert (report["records_ok"], report["records_skipped"]) == (0, 1)
    row = stored(stack, applied["apnCrmUniqueIdentifier"])
    assert (row["NextStep"], row["ACE_Reviewer_Comments__c"]) == ("Intro call", None)


@pytest.mark.parametrize("new,held,same", [
    ("2024-05-01T12:00:00.000Z", "2024-05-01T12:00:00.000+0000", True),
    ("2024-05-01T12:00:00.000Z", "2024-05-01T12:00:01.000+0000", False),
    ("2024-05-01", "2024-05-01", True),
    (1200, 1200.0, True),
    ("A;B", "B;A", True),
    ("A;B", "A", False),
    (None, "", True),
    ("Approved", None, False),
    ("Approved", "Submitted", False),
])
def test_salesforce_forms_of_one_value_compare_equal(new: Any, held: Any, same: bool) -> None:
    assert same_salesforce_value(new, held) is same
