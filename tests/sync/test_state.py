"""SyncState against real Redis: round-trips, watermark ties, the ledger, runs, errors, hashes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
import redis

from connector.errors import SalesforceLimitExceeded
from connector.sync.state import (
    MAX_RECENT_ERRORS,
    SyncState,
    Watermark,
    content_hash,
)

T0 = datetime(2024, 6, 3, 9, 12, 44, tzinfo=UTC)


@pytest.fixture
def state(redis_url: str, redis_prefix: str) -> Iterator[SyncState]:
    client = redis.Redis.from_url(redis_url)
    yield SyncState(client, prefix=redis_prefix)
    client.close()


# --- watermarks ------------------------------------------------------------------------------------


def test_watermark_round_trips(state: SyncState) -> None:
    assert state.watermark("Opportunity") is None
    mark = Watermark(at=T0, ids_at=frozenset({"006A", "006B"}))
    state.set_watermark("Opportunity", mark)
    assert state.watermark("Opportunity") == mark
    assert state.watermark("Lead") is None
    state.set_watermark("Lead", Watermark.initial())
    assert state.watermarks() == {"Lead": Watermark.initial(), "Opportunity": mark}


def test_watermark_ties_at_one_second_are_deduplicated_across_runs() -> None:
    # Run 1 sees A and B, both stamped within 09:12:44.
    run1 = [("A", T0 + timedelta(milliseconds=100)), ("B", T0 + timedelta(milliseconds=900))]
    mark = Watermark.initial().advanced(run1)
    assert mark == Watermark(at=T0, ids_at=frozenset({"A", "B"}))

    # Run 2 queries SystemModstamp >= 09:12:44: A and B come back, with C (same second) and D (later).
    run2 = [*run1, ("C", T0 + timedelta(milliseconds=500)), ("D", T0 + timedelta(seconds=3))]
    fresh = [(rid, at) for rid, at in run2 if not mark.is_seen(rid, at)]
    assert [rid for rid, _ in fresh] == ["C", "D"]
    mark = mark.advanced(fresh)
    assert mark == Watermark(at=T0 + timedelta(seconds=3), ids_at=frozenset({"D"}))

    # A record edited again at a later second is new again, even if its id was seen before.
    assert not mark.is_seen("A", T0 + timedelta(seconds=3, milliseconds=1))
    assert mark.is_seen("D", T0 + timedelta(seconds=3, milliseconds=999))
    assert mark.is_seen("Z", T0)  # older than the watermark: already covered


def test_watermark_advancing_by_nothing_keeps_it() -> None:
    mark = Watermark(at=T0, ids_at=frozenset({"A"}))
    assert mark.advanced([]) == mark


def test_watermarks_normalise_to_utc_seconds_and_refuse_naive_times() -> None:
    plus_two = timezone(timedelta(hours=2))
    mark = Watermark(at=datetime(2024, 6, 3, 11, 12, 44, 123456, tzinfo=plus_two))
    assert mark.at == T0 and mark.at.tzinfo == UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        Watermark(at=datetime(2024, 6, 3, 9, 12, 44))
    with pytest.raises(ValueError, match="modification time must be timezone-aware"):
        mark.is_seen("A", datetime(2024, 6, 3, 9, 12, 44))


# --- ledger --------------------------------------------------------------------------------------------


def test_ledger_round_trips_and_lists_unanswered_files_oldest_first(state: SyncState) -> None:
    now = datetime.now(UTC)
    old = state.record_sent_file("opportunity-inbound/a.json", entity="Opportunity",
                                 partner_keys=["006A"], sent_at=now - timedelta(hours=2))
    state.record_sent_file("lead-inbound/b.json", entity="Lead", partner_keys=["00QB", "00QC"],
                           sent_at=now - timedelta(hours=1))
    recent = state.record_sent_file("opportunity-inbound/c.json", entity="Opportunity", partner_keys=["006C"])

    assert state.sent_file("opportunity-inbound/a.json") == old
    assert state.sent_file("lead-inbound/b.json").partner_keys == ("00QB", "00QC")
    assert state.sent_file("nope.json") is None
    assert [f.key for f in state.pending_files()] == [
        "opportunity-inbound/a.json", "lead-inbound/b.json", "opportunity-inbound/c.json"]
    overdue = state.pending_files(older_than_seconds=30 * 60)
    assert [f.key for f in overdue] == ["opportunity-inbound/a.json", "lead-inbound/b.json"]

    assert state.resolve_sent_file("opportunity-inbound/a.json") is True
    assert state.resolve_sent_file("opportunity-inbound/a.json") is False
    assert [f.key for f in state.pending_files(older_than_seconds=30 * 60)] == ["lead-inbound/b.json"]
    assert state.pending_files()[-1] == recent


def test_ledger_drops_entries_older_than_its_max_age(state: SyncState) -> None:
    ancient = datetime.now(UTC) - timedelta(days=60)
    state.record_sent_file("opportunity-inbound/ancient.json", entity="Opportunity", partner_keys=["1"],
                           sent_at=ancient)
    state.record_sent_file("opportunity-inbound/new.json", entity="Opportunity", partner_keys=["2"])
    assert [f.key for f in state.pending_files()] == ["opportunity-inbound/new.json"]
    assert state.sent_file("opportunity-inbound/ancient.json") is None


# --- runs ---------------------------------------------------------------------------------------------


def test_track_run_records_running_then_ok_with_counts(state: SyncState) -> None:
    with state.track_run("outbound") as run:
        assert state.last_run("outbound").outcome == "running"
        run.count("synced", 3)
        run.count("failed")
    last = state.last_run("outbound")
    assert last.outcome == "ok" and last.counts == {"synced": 3, "failed": 1} and last.error is None
    assert last.started_at <= last.finished_at


def test_track_run_records_a_failure_and_reraises(state: SyncState) -> None:
    with pytest.raises(RuntimeError, match="boom"), state.track_run("inbound"):
        raise RuntimeError("boom")
    last = state.last_run("inbound")
    assert (last.outcome, last.error) == ("failed", "RuntimeError: boom")
    assert last.finished_at is not None
    assert set(state.last_runs()) == {"inbound"}
    assert state.last_run("results") is None


def test_track_run_marks_a_spent_api_budget_as_limited(state: SyncState) -> None:
    with pytest.raises(SalesforceLimitExceeded), state.track_run("results"):
        raise SalesforceLimitExceeded("budget spent")
    assert state.last_run("results").outcome == "limited"


# --- errors -------------------------------------------------------------------------------------------


def test_recent_errors_are_newest_first_and_capped(state: SyncState) -> None:
    for number in range(MAX_RECENT_ERRORS + 5):
        state.record_error(flow="outbound", message=f"error {number}", file_key="opportunity-outbound/x.json")
    state.record_error(flow="results", message="x" * 5000, record_id="006A")
    errors = state.recent_errors(limit=3)
    assert [e.flow for e in errors] == ["results", "outbound", "outbound"]
    assert errors[0].record_id == "006A" and len(errors[0].message) == 2000
    assert errors[1].message == f"error {MAX_RECENT_ERRORS + 4}"
    assert errors[1].file_key == "opportunity-outbound/x.json"
    assert len(state.recent_errors(limit=10_000)) == MAX_RECENT_ERRORS


# --- content hashes ---------------------------------------------------------------------------------------


def test_content_hashes_round_trip_per_entity(state: SyncState) -> None:
    state.set_content_hashes("Opportunity", {"006A": "h1", "006B": "h2"})
    state.set_content_hashes("Lead", {"006A": "lead-hash"})
    assert state.content_hashes("Opportunity", ["006A", "006B", "006C"]) == {"006A": "h1", "006B": "h2"}
    assert state.content_hashes("Lead", ["006A"]) == {"006A": "lead-hash"}
    assert state.content_hashes("Opportunity", []) == {}


def test_content_hash_ignores_key_order_but_not_values() -> None:
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})
    assert content_hash({"a": 1}) != content_hash({"a": 2})
    assert content_hash({"a": None}) != content_hash({})


def test_every_key_is_under_the_prefix_and_hashes_expire(state: SyncState, redis_prefix: str) -> None:
    state.set_watermark("Opportunity", Watermark(at=T0))
    state.record_sent_file("opportunity-inbound/a.json", entity="Opportunity", partner_keys=["1"])
    state.record_error(flow="outbound", message="m")
    state.set_content_hashes("Opportunity", {"1": "h"})
    with state.track_run("outbound"):
        pass
    keys = [k.decode() for k in state.client.scan_iter(match=f"{redis_prefix}:*")]
    assert len(keys) == 6 and all(k.startswith(f"{redis_prefix}:state:") for k in keys)
    assert 0 < state.client.ttl(f"{redis_prefix}:state:hash:Opportunity:1")
