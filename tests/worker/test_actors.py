"""The connector's actors on an in-process broker with a real worker thread, against the sandbox and Redis.

Work is found from state: a redelivered message finds nothing to do, a trigger
for a flow that is already running is skipped, a failing flow is visible as a
dead letter.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector.ace.bucket import PROCESSED_TAG_KEY
from connector.errors import ConfigurationError
from connector.sandbox.stack import SandboxStack
from connector.sync.context import SyncContext
from connector.sync.service import FLOW_BUSY, run_flow
from connector.worker.actors import FILES_ENQUEUED, OUTBOUND_FILE_ACTOR, declare_actors
from connector.worker.broker import dead_letters, drain, make_broker, stub_worker


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxStack]:
    with SandboxStack(work_dir=tmp_path_factory.mktemp("sandbox"), bucket=f"ace-actors-{uuid.uuid4().hex[:8]}") as stack:
        yield stack


@pytest.fixture
def settings(sandbox: SandboxStack, redis_url: str, redis_prefix: str, repo_root: Path) -> Any:
    sandbox.reset()
    return sandbox.settings(redis_url=redis_url, redis_key_prefix=redis_prefix,
                            ace_mappings_dir=Path(repo_root) / "mappings")


@pytest.fixture
def ctx(settings: Any) -> SyncContext:
    return SyncContext.from_settings(settings)


@pytest.fixture
def broker(settings: Any) -> Any:
    return make_broker(settings, stub=True)


def referral_file(sandbox: SandboxStack) -> str:
    sandbox.simulator.refer_opportunity(customerCompanyName="Example Corp", partnerProjectTitle="Data lake")
    [key] = [k for k in sandbox.simulator.export() if k.startswith("opportunity-outbound/")]
    return key


def object_reads(ctx: SyncContext) -> int:
    return ctx.bucket.counter.by_operation.get("GetObject", 0)


def test_the_outbound_trigger_enqueues_each_file_once_and_the_file_actor_applies_it(
        sandbox: SandboxStack, ctx: SyncContext, broker: Any) -> None:
    key = referral_file(sandbox)
    actors = declare_actors(broker, context_factory=lambda: ctx)

    with stub_worker(broker, threads=2):
        actors["outbound"].send()
        drain(broker)

    [record] = list(ctx.salesforce.query("SELECT Id, Name, ACE_Opportunity_Id__c, ACE_Sync_Status__c FROM Opportunity"))
    assert record["Name"] == "Data lake"
    assert record["ACE_Opportunity_Id__c"].startswith("O")
    assert ctx.bucket.get_tags(key)[PROCESSED_TAG_KEY] == "true"
    run = ctx.state.last_run("outbound")
    assert (run.outcome, run.counts[FILES_ENQUEUED]) == ("ok", 1)


def test_a_file_whose_worker_died_is_enqueued_again_within_one_interval(
        sandbox: SandboxStack, ctx: SyncContext, broker: Any) -> None:
    """The marker that stops a waiting file being enqueued twice expires before the next trigger."""
    from connector.sync.outbound import FILE_LOCK_TTL_SECONDS

    key = referral_file(sandbox)
    actors = declare_actors(broker, context_factory=lambda: ctx)
    actors["outbound"].fn()  # discovery alone: the file's message is queued, as if its worker then died
    markers = [k for k in ctx.redis.scan_iter(f"{ctx.settings.redis_key_prefix}:outbound-enqueued:*")]
    assert [m.decode().endswith(key) for m in markers] == [True]
    interval = ctx.settings.outbound_interval_seconds
    assert 0 < ctx.redis.ttl(markers[0]) < interval
    assert FILE_LOCK_TTL_SECONDS < interval, "a dead worker's file lock is gone by the next trigger"


def test_a_redelivered_file_message_is_a_no_op(sandbox: SandboxStack, ctx: SyncContext, broker: Any) -> None:
    key = referral_file(sandbox)
    actors = declare_actors(broker, context_factory=lambda: ctx)
    with stub_worker(broker):
        actors[OUTBOUND_FILE_ACTOR].send(key)
        drain(broker)
        [before] = ctx.salesforce.query("SELECT Id, SystemModstamp FROM Opportunity")
        reads_before = object_reads(ctx)

        actors[OUTBOUND_FILE_ACTOR].send(key)  # the same message again, as after a lost acknowledgement
        drain(broker)

    assert object_reads(ctx) == reads_before, "a processed file is not even read again"
    assert list(ctx.salesforce.query("SELECT Id, SystemModstamp FROM Opportunity")) == [before]
    assert dead_letters(broker) == []


def test_a_pending_file_is_not_enqueued_again_while_its_message_waits(sandbox: SandboxStack, ctx: SyncContext,
                                                                      broker: Any) -> None:
    referral_file(sandbox)
    actors = declare_actors(broker, context_factory=lambda: ctx)
    # No worker: the first trigger's file message is still queued when the second trigger runs.
    actors["outbound"]()  # calling an actor runs it here and now
    first = ctx.state.last_run("outbound").counts
    actors["outbound"]()
    second = ctx.state.last_run("outbound").counts

    assert (first.get(FILES_ENQUEUED), second.get(FILES_ENQUEUED, 0)) == (1, 0)
    assert broker.queues["outbound"].qsize() == 1


def test_a_trigger_for_a_flow_already_running_elsewhere_is_skipped(ctx: SyncContext, broker: Any) -> None:
    actors = declare_actors(broker, context_factory=lambda: ctx)
    other_worker = ctx.lock("flow:results", ttl_seconds=30)
    assert other_worker.acquire()
    try:
        report = run_flow(ctx, "results")
        with stub_worker(broker):
            actors["results"].send()
            drain(broker)
    finally:
        other_worker.release()

    assert report[FLOW_BUSY] == 1
    assert ctx.state.last_run("results") is None, "a skipped trigger records no run"
    assert dead_letters(broker) == []


def test_the_flow_lock_is_renewed_while_a_long_flow_runs(ctx: SyncContext) -> None:
    from connector.sync.service import flow_lock

    with flow_lock(ctx, "inbound", ttl_seconds=0.3) as held:
        assert held
        time.sleep(0.6)  # two TTLs: only renewal keeps the lock
        assert not ctx.lock("flow:inbound", ttl_seconds=1).acquire()
    assert ctx.lock("flow:inbound", ttl_seconds=1).acquire(), "released at the end"


def test_a_permanent_failure_is_dead_lettered_with_its_error(broker: Any) -> None:
    def broken_context() -> SyncContext:
        raise ConfigurationError("no complete Salesforce credential set is configured")

    actors = declare_actors(broker, context_factory=broken_context)
    with stub_worker(broker):
        actors["inbound"].send()
        drain(broker)

    [letter] = dead_letters(broker)
    assert letter.actor_name == "inbound"
    assert letter.retries == 0, "a configuration error is not retried"
    assert "no complete Salesforce credential set" in letter.error
