"""The outbound flow when things go wrong: old data, bad records, bad files, two workers, re-runs, dry runs."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from connector.ace.bucket import PROCESSED_TAG_KEY, QUARANTINE_REASON_TAG_KEY, QUARANTINE_TAG_KEY
from connector.sync.outbound import process_outbound_file, run_outbound

FIELDS = "Id, Name, NextStep, ACE_Opportunity_Id__c, ACE_Sync_Status__c, ACE_Sync_Error__c, ACE_Referral_Decision__c"


def stored(stack: Any) -> dict[str, dict[str, Any]]:
    """Opportunities by ACE id."""
    rows = stack.query(f"SELECT {FIELDS} FROM Opportunity")
    return {row["ACE_Opportunity_Id__c"]: row for row in rows}


def versions(stack: Any, view: dict[str, Any], *steps: str) -> list[dict[str, Any]]:
    """Copies of ``view`` with a next step naming their time, minutes apart."""
    return [{**view, "nextStep": step, "lastModifiedDate": stack.ace_time(minutes=minute)}
            for minute, step in enumerate(steps)]


def test_an_older_file_never_overwrites_newer_data(stack: Any) -> None:
    view = stack.refer_opportunity()
    old, new = versions(stack, view, "old", "new")
    stack.put_outbound("opportunity", [new])
    run_outbound(stack.ctx)
    stack.put_outbound("opportunity", [old])

    report = run_outbound(stack.ctx)

    assert stored(stack)[view["apnCrmUniqueIdentifier"]]["NextStep"] == "new"
    assert (report["records_skipped"], report["records_ok"], report["files_done"]) == (1, 0, 1)


def test_out_of_order_copies_in_one_run_leave_the_newest(stack: Any) -> None:
    """Several exports of one record, in one file and across files: the newest wins whatever the order."""
    view = stack.refer_opportunity()
    first, second, third = versions(stack, view, "first", "second", "third")
    stack.put_outbound("opportunity", [third, first], uploaded_at=datetime(2024, 5, 1, 12, 0))
    stack.put_outbound("opportunity", [second], uploaded_at=datetime(2024, 5, 1, 12, 5))

    report = run_outbound(stack.ctx)

    assert stored(stack)[view["apnCrmUniqueIdentifier"]]["NextStep"] == "third"
    assert (report["records_ok"], report["records_skipped"], report["files_done"]) == (1, 2, 2)


def test_a_bad_record_is_recorded_on_the_record_and_does_not_block_the_others(stack: Any) -> None:
    good, bad_new, bad_existing = (stack.refer_opportunity() for _ in range(3))
    stack.put_outbound("opportunity", [bad_existing])
    run_outbound(stack.ctx)
    # "Maybe" is not a value of the restricted picklist ACE_Referral_Decision__c: Salesforce refuses it.
    key = stack.put_outbound("opportunity", [
        good,
        {**bad_new, "partnerAcceptanceStatus": "Maybe"},
        {**bad_existing, "partnerAcceptanceStatus": "Maybe", "lastModifiedDate": stack.ace_time(days=4000)},
    ])

    report = run_outbound(stack.ctx)

    rows = stored(stack)
    assert rows[good["apnCrmUniqueIdentifier"]]["ACE_Sync_Status__c"] == "Pending"
    for failed in (bad_new, bad_existing):
        row = rows[failed["apnCrmUniqueIdentifier"]]
        assert row["ACE_Sync_Status__c"] == "Error"
        assert "ACE_Referral_Decision__c" in row["ACE_Sync_Error__c"]
        assert row["ACE_Referral_Decision__c"] is None
    assert not rows[bad_new["apnCrmUniqueIdentifier"]]["Name"].startswith("Accept")
    assert (report["records_ok"], report["records_failed"]) == (1, 2)
    assert len(report.errors) == 2 and all(key in error for error in report.errors)
    assert stack.bucket.get_tags(key)[PROCESSED_TAG_KEY] == "true"  # refused for its data = handled
    assert {e.record_id for e in stack.ctx.state.recent_errors()} == {
        rows[bad_existing["apnCrmUniqueIdentifier"]]["Id"], bad_new["apnCrmUniqueIdentifier"]}


def test_a_value_the_mapping_cannot_map_is_an_error_on_the_record(stack: Any) -> None:
    view = stack.refer_opportunity()
    stack.put_outbound("opportunity", [view])
    run_outbound(stack.ctx)
    stack.put_outbound("opportunity", [{**view, "stage": "Somewhere", "lastModifiedDate": stack.ace_time(days=4000)}])

    report = run_outbound(stack.ctx)

    row = stored(stack)[view["apnCrmUniqueIdentifier"]]
    assert row["ACE_Sync_Status__c"] == "Error"
    assert "stage" in row["ACE_Sync_Error__c"] and "Somewhere" in row["ACE_Sync_Error__c"]
    assert report["records_failed"] == 1


def test_a_record_without_an_ace_id_is_reported_and_the_rest_applied(stack: Any) -> None:
    view = stack.refer_opportunity()
    stack.put_outbound("opportunity", [{**view, "apnCrmUniqueIdentifier": None}, view])

    report = run_outbound(stack.ctx)

    assert list(stored(stack)) == [view["apnCrmUniqueIdentifier"]]
    assert report["records_failed"] == 1 and "record 0 has no apnCrmUniqueIdentifier" in report.errors[0]


def test_a_malformed_file_is_quarantined_and_the_others_processed(stack: Any) -> None:
    broken = stack.put_outbound("opportunity", [], body=b'{"version": "2.0", "opportunities": [{"apnCrmUnique')
    good = stack.put_outbound("opportunity", [stack.refer_opportunity()])

    report = run_outbound(stack.ctx)
    again = run_outbound(stack.ctx)

    tags = stack.bucket.get_tags(broken)
    assert tags[QUARANTINE_TAG_KEY] == "true"
    assert tags[QUARANTINE_REASON_TAG_KEY].startswith("invalid JSON at char")
    assert PROCESSED_TAG_KEY not in tags and broken in stack.keys("opportunity-outbound/")  # never deleted
    assert stack.bucket.get_tags(good)[PROCESSED_TAG_KEY] == "true"
    assert (report["files_quarantined"], report["files_done"], report["records_ok"]) == (1, 1, 1)
    assert stack.ctx.state.recent_errors()[0].file_key == broken
    assert (again["files_seen"], again["files_quarantined"]) == (0, 0)  # left alone from then on


def test_a_file_over_the_size_limit_is_quarantined_unread(stack: Any) -> None:
    key = stack.put_outbound("opportunity", [stack.refer_opportunity()] * 3)

    report = run_outbound(stack.context(ace_max_object_bytes=1024))

    assert "over the limit of 1024 bytes" in stack.bucket.get_tags(key)[QUARANTINE_REASON_TAG_KEY]
    assert report["files_quarantined"] == 1 and stored(stack) == {}


def test_a_transient_failure_leaves_the_file_for_the_next_run(stack: Any) -> None:
    key = stack.put_outbound("opportunity", [stack.refer_opportunity()])
    stack.faults({"error": "SERVER_UNAVAILABLE", "kind": "composite"})

    report = run_outbound(stack.ctx)

    assert report["files_deferred"] == 1 and "SERVER_UNAVAILABLE" in report.errors[0]
    assert PROCESSED_TAG_KEY not in stack.bucket.get_tags(key)
    stack.faults()
    assert run_outbound(stack.ctx)["records_ok"] == 1
    assert stack.bucket.get_tags(key)[PROCESSED_TAG_KEY] == "true"


def test_a_locked_row_on_one_record_keeps_the_file_pending(stack: Any) -> None:
    key = stack.put_outbound("opportunity", [stack.refer_opportunity(), stack.refer_opportunity()])
    stack.faults({"error": "UNABLE_TO_LOCK_ROW", "kind": "composite", "per_record": True, "rate": 1.0})

    report = run_outbound(stack.ctx)

    assert report["files_deferred"] == 1 and report["files_done"] == 0
    assert PROCESSED_TAG_KEY not in stack.bucket.get_tags(key)


def test_two_workers_on_one_file_write_each_record_once(stack: Any) -> None:
    views = [stack.refer_opportunity() for _ in range(30)]
    key = stack.put_outbound("opportunity", views)
    # Slow upserts keep the first worker inside the file while the second one arrives.
    stack.faults({"error": "latency", "latency_ms": 400, "kind": "composite", "count": 1})
    workers = [stack.context(), stack.context()]
    start = threading.Barrier(len(workers))
    reports: list[Any] = []

    def work(ctx: Any) -> None:
        start.wait()
        reports.append(process_outbound_file(ctx, key))

    threads = [threading.Thread(target=work, args=(ctx,)) for ctx in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stats = stack.stats()
    assert stats["records"] == {"created": 30}
    assert stats["by_kind"].get("composite.upsert") == 1
    assert sorted((r["files_done"], r["files_locked"]) for r in reports) == [(0, 1), (1, 0)]
    assert len(stored(stack)) == 30


def test_a_redelivered_run_writes_nothing(stack: Any) -> None:
    views = [stack.refer_opportunity() for _ in range(3)]
    key = stack.put_outbound("opportunity", views)
    run_outbound(stack.ctx)
    writes_before = stack.stats()["records"]
    # The worker died after writing but before tagging: the file is pending again.
    stack.bucket.put_tags(key, {PROCESSED_TAG_KEY: "false"})

    report = run_outbound(stack.ctx)
    once_more = run_outbound(stack.ctx)

    assert stack.stats()["records"] == writes_before
    assert (report["records_skipped"], report["records_ok"], report["files_done"]) == (3, 0, 1)
    assert once_more.as_counts() == {}


def test_a_dry_run_plans_and_writes_nothing(stack: Any) -> None:
    view = stack.refer_opportunity()
    key = stack.put_outbound("opportunity", [view])
    broken = stack.put_outbound("opportunity", [], body=b"not json")

    report = run_outbound(stack.context(dry_run=True))

    assert stored(stack) == {}
    assert stack.stats()["records"] == {}
    assert stack.bucket.get_tags(key) == {} and stack.bucket.get_tags(broken) == {}
    assert stack.ctx.state.recent_errors() == []
    planned = {(p.action, p.target) for p in report.planned_writes}
    assert planned == {("upsert", "Opportunity"), ("tag", key), ("quarantine", broken)}
    [upsert] = [p for p in report.planned_writes if p.action == "upsert"]
    assert upsert.key == view["apnCrmUniqueIdentifier"] and upsert.values["ACE_Sync_Status__c"] == "Pending"
    assert (report["records_planned"], report["files_quarantined"]) == (1, 1)
