"""The inbound flow over many records: watermark ties, records per file, the 1 MB split, dry runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from conftest_inbound import create_opportunity, inbound_documents, opportunity, sent_records

from connector.sandbox.ace.referrals import lead_referral
from connector.settings import ACE_INBOUND_MAX_BYTES
from connector.sync.inbound import run_inbound
from connector.sync.outbound import run_outbound
from connector.sync.results import run_results

#: A lead description close to ACE's limit for it (32,000 characters).
LONG_DESCRIPTION_CHARS = 30_000


def test_records_sharing_the_watermark_second_are_each_sent_once_across_runs(stack: Any) -> None:
    clock = stack.emulator.backend.clock
    clock.freeze(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1))  # one org second for all
    try:
        first = [create_opportunity(stack, Name=f"First {i}") for i in range(3)]
        assert run_inbound(stack.ctx)["files_sent"] == 3
        later = [create_opportunity(stack, Name=f"Later {i}") for i in range(2)]  # the same second again

        report = run_inbound(stack.ctx)
        again = run_inbound(stack.ctx)
    finally:
        clock.reset()

    # the three already sent are not even read again: the watermark holds their ids at that second
    assert (report["files_sent"], report["records_skipped"]) == (2, 0)
    assert again.as_counts() == {}
    sent = [r["partnerCrmUniqueIdentifier"] for r in sent_records(stack)]
    assert sorted(sent) == sorted(first + later) and len(sent) == len(set(sent))
    mark = stack.ctx.state.watermark("Opportunity")
    assert set(first + later) <= mark.ids_at


def test_files_hold_at_most_the_configured_number_of_records(stack: Any) -> None:
    ctx = stack.context(ace_inbound_records_per_file=2)
    ids = [create_opportunity(stack, Name=f"Deal {i}") for i in range(5)]

    report = run_inbound(ctx)

    documents = inbound_documents(stack)
    assert sorted(len(d["opportunities"]) for d in documents.values()) == [1, 2, 2]
    assert report["files_sent"] == 3 and report["records_ok"] == 5
    ledger = [stack.ctx.state.sent_file(key).partner_keys for key in documents]
    assert sorted(k for keys in ledger for k in keys) == sorted(ids)

    stack.sim.tick()
    run_results(ctx)
    assert all(opportunity(stack, i)["ACE_Opportunity_Id__c"] for i in ids)


def accepted_lead(number: int) -> dict[str, Any]:
    """A lead as ACE exports it once accepted: unmasked, not yet linked, with a long description."""
    ace_id = f"L{9000 + number}"
    return {**lead_referral(ace_id), "apnCrmUniqueIdentifier": ace_id, "currentLeadStage": "Accepted",
            "partnerCrmLeadId": None, "lastModifiedDate": "2024-05-01T12:00:00.000Z",
            "projectDescription": f"{number:04d} " + "x" * LONG_DESCRIPTION_CHARS}


def test_files_are_split_to_stay_under_one_megabyte(stack: Any) -> None:
    leads = [accepted_lead(n) for n in range(45)]  # ~1.4 MB of links to send, at most 50 a file
    stack.put_outbound("lead", leads)
    run_outbound(stack.ctx)

    report = run_inbound(stack.context(ace_inbound_records_per_file=50))

    documents = inbound_documents(stack, "lead")
    sizes = [len(stack.bucket.read_bytes(key)) for key in documents]
    assert len(documents) == 2 and all(size <= ACE_INBOUND_MAX_BYTES for size in sizes), sizes
    sent = [r["apnCrmUniqueIdentifier"] for d in documents.values() for r in d["leads"]]
    assert sorted(sent) == sorted(lead["apnCrmUniqueIdentifier"] for lead in leads)
    assert report["files_sent"] == 2 and report["records_ok"] == 45


def test_a_dry_run_reports_the_files_it_would_write_and_writes_nothing(stack: Any) -> None:
    record_id = create_opportunity(stack)
    refused_id = create_opportunity(stack, Description="Too short")
    before = {row["Id"]: row for row in (opportunity(stack, record_id), opportunity(stack, refused_id))}

    report = run_inbound(stack.context(dry_run=True))

    assert inbound_documents(stack) == {}
    assert {row["Id"]: row for row in (opportunity(stack, record_id), opportunity(stack, refused_id))} == before
    assert stack.ctx.state.watermark("Opportunity") is None and stack.ctx.state.pending_files() == []
    [put] = [p for p in report.planned_writes if p.action == "put"]
    assert put.target.startswith("opportunity-inbound/opp_") and put.values["partner_keys"] == [record_id]
    updates = {p.key: p.values for p in report.planned_writes if p.action == "update"}
    assert updates[record_id]["ACE_Sync_Status__c"] == "Sent"
    assert updates[refused_id]["ACE_Sync_Status__c"] == "Error"
    assert (report["records_planned"], report["records_failed"]) == (1, 1)

    run_inbound(stack.ctx)  # the real run still has everything to do
    assert [r["partnerCrmUniqueIdentifier"] for r in sent_records(stack)] == [record_id]


def test_an_update_waits_for_the_resend_interval_and_is_not_lost(stack: Any) -> None:
    now = [datetime.now(UTC)]
    ctx = stack.context(ace_inbound_min_resend_seconds=3600, clock=lambda: now[0])
    org_clock = stack.emulator.backend.clock
    org_clock.freeze(now[0].replace(microsecond=0) - timedelta(hours=1))  # settled seconds, one per step
    try:
        record_id = create_opportunity(stack)
        run_inbound(ctx)
        stack.sim.tick()
        run_results(ctx)
        org_clock.shift(1)
        stack.sf_admin.Opportunity.update(record_id, {"NextStep": "Workshop booked"})
        org_clock.shift(1)  # changed after the held record: the watermark must not pass the held one
        other_id = create_opportunity(stack, Name="Another deal")

        report = run_inbound(ctx)  # the create goes at once; the update of the record sent just now waits

        assert (report["records_held"], report["files_sent"]) == (1, 1)
        assert [r["partnerCrmUniqueIdentifier"] for r in sent_records(stack)] == [other_id]
        assert run_inbound(ctx)["records_held"] == 1  # read again, still waiting

        now[0] += timedelta(seconds=3601)
        report = run_inbound(ctx)
    finally:
        org_clock.reset()

    assert report["files_sent"] == 1
    updates = [r for r in sent_records(stack) if r.get("apnCrmUniqueIdentifier")]
    assert [(r["partnerCrmUniqueIdentifier"], r["nextStep"]) for r in updates] == [(record_id, "Workshop booked")]
