"""Scenarios 1 and 4 with real ``ace-connector worker`` processes on a private redis-server.

1. A worker is SIGKILLed at a random moment while it processes outbound,
   results or inbound work (the phase rotates with the trial); a fresh worker
   takes over. Every record still lands once, on both sides.
4. Redis is flushed, or killed and restarted empty, between and during
   cycles: nothing is lost; the only cost is idempotent re-sends, counted
   against a fault-free run of the same story.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import TRIALS
from .fleet import DeadWorkerLeftovers, Fleet
from .processes import RedisServer
from .scenario_table import ScenarioTable
from .world import FLOWS, World, converge

KILL_TRIALS = TRIALS
REFERRALS, LEADS, PARTNER_OPPORTUNITIES = 3, 1, 2
MAX_CYCLES = 10
#: Latency on every Salesforce call, so a phase lasts long enough to be interrupted.
SALESFORCE_LATENCY_MS = 80
#: Odd trials kill this long after the trigger (uniformly drawn): from "not started" to "nearly done".
KILL_DELAY_SECONDS = (0.3, 2.0)
#: Even trials wait for the worker to take a lock, then kill it within this many seconds.
MID_WORK_DELAY_SECONDS = 0.6
#: What each killed worker left behind, for the scenario's notes.
KILLS: list[DeadWorkerLeftovers] = []
#: The fault-free story's end state and the inbound files it sends, measured once per session.
_FAULT_FREE: dict[str, Any] = {}


def start_world(make_world: Callable[..., World], redis_server: RedisServer) -> World:
    redis_server.flush()
    world = make_world(redis=redis_server)
    world.seed(referrals=REFERRALS, leads=LEADS, partner_opportunities=PARTNER_OPPORTUNITIES)
    world.salesforce_faults({"error": "latency", "latency_ms": SALESFORCE_LATENCY_MS, "rate": 1.0})
    return world


@pytest.mark.parametrize("trial", range(KILL_TRIALS))
def test_a_worker_killed_at_random_points_loses_and_duplicates_nothing(
        trial: int, make_world: Callable[..., World], private_redis: RedisServer, scenario_table: ScenarioTable,
        tmp_path: Path) -> None:
    row = scenario_table.row("1. Worker killed", "SIGKILL of the worker process group at a random moment of "
                             "outbound, results or inbound work; a new worker starts")
    rng = random.Random(trial)
    world = start_world(make_world, private_redis)
    fleet = Fleet(world, log_dir=tmp_path / f"trial-{trial}")
    kill_phase = FLOWS[trial % len(FLOWS)]
    killed = False
    try:
        worker = fleet.start_worker()
        for _cycle in range(MAX_CYCLES):
            world.sim.tick()
            for flow in FLOWS:
                if flow == kill_phase and not killed and _has_work(world, flow):
                    fleet.trigger(flow)
                    if trial % 2:  # odd trials: any moment after the trigger
                        time.sleep(rng.uniform(*KILL_DELAY_SECONDS))
                    else:  # even trials: a random moment while the worker holds a lock (mid-file, mid-flow)
                        fleet.wait_for_a_lock(timeout_seconds=KILL_DELAY_SECONDS[1])
                        time.sleep(rng.uniform(0, MID_WORK_DELAY_SECONDS))
                    killed_at = time.monotonic()
                    fleet.kill(worker)
                    killed = True
                    leftovers = fleet.expire_dead_locks()
                    worker = fleet.start_worker()
                    fleet.run(flow)  # the next scheduled trigger
                    recovery = time.monotonic() - killed_at
                else:
                    fleet.run(flow)
                if flow == "outbound":
                    world.admin_decides()
            world.aws_reviews()
            if killed and world.converged():
                break
    finally:
        fleet.stop_all()
    tally = world.tally()
    assert killed, f"trial {trial}: the {kill_phase} phase never had work"
    row.add_trial(tally, recovery=recovery)
    KILLS.append(leftovers)
    assert tally.problems == [], f"trial {trial} (killed in {kill_phase}): {tally.problems}"
    assert world.converged(), f"trial {trial} (killed in {kill_phase}) did not converge"
    assert world.snapshot() == _fault_free(make_world)["snapshot"], "the end state differs from a fault-free run"
    mid_work = [k for k in KILLS if k.locks]
    row.notes = (f"{len(mid_work)} of {len(KILLS)} kills hit a worker holding a file or flow lock (mid-work). "
                 f"Time to recover = kill → the phase finished by a new worker, boot included, after the test "
                 f"expired what the dead worker left: locks with up to "
                 f"{max((k.lock_seconds_left for k in KILLS), default=0):.0f} s of TTL, enqueue markers with up to "
                 f"{max((k.marker_seconds_left for k in KILLS), default=0):.0f} s (see the text)")


def _fault_free(make_world: Callable[..., World]) -> dict[str, Any]:
    """The same story run in this process without faults (once): its end state and inbound files sent."""
    if not _FAULT_FREE:
        world = make_world()
        world.seed(referrals=REFERRALS, leads=LEADS, partner_opportunities=PARTNER_OPPORTUNITIES)
        converge(world, world.run_in_process, max_cycles=MAX_CYCLES)
        _FAULT_FREE.update(snapshot=world.snapshot(), files_sent=world.inbound_files_sent())
    return _FAULT_FREE


def _has_work(world: World, flow: str) -> bool:
    """Whether the phase would do something now, so that a kill interrupts real work."""
    layouts = world.sim.layout.entities
    if flow == "outbound":
        return any(True for layout in layouts for _ in world.bucket.iter_objects(layout.outbound))
    if flow == "results":
        return any(True for layout in layouts for _ in world.bucket.iter_objects(layout.results))
    return True


@pytest.mark.parametrize("trial", range(TRIALS))
def test_redis_flushed_or_restarted_between_and_during_cycles(
        trial: int, make_world: Callable[..., World], private_redis: RedisServer, scenario_table: ScenarioTable,
        tmp_path: Path) -> None:
    row = scenario_table.row("4. Redis loss", "FLUSHALL between cycles, redis-server killed and restarted "
                             "empty during a flow")
    baseline = _fault_free(make_world)["files_sent"]
    world = start_world(make_world, private_redis)
    fleet = Fleet(world, log_dir=tmp_path / f"redis-trial-{trial}")
    try:
        fleet.start_worker()
        for cycle in range(MAX_CYCLES):
            world.sim.tick()
            for flow in FLOWS:
                if cycle == 1 and flow == "results":
                    fleet.trigger(flow)
                    time.sleep(0.5)
                    private_redis.restart()  # during the flow: broker, locks, state all gone
                fleet.run(flow)
                if flow == "outbound":
                    world.admin_decides()
            world.aws_reviews()
            if world.converged():
                break
            private_redis.flush()  # between cycles
    finally:
        fleet.stop_all()
    tally = world.tally()
    row.add_trial(tally)
    row.extra.append(world.inbound_files_sent() - baseline)
    assert tally.problems == [], tally.problems
    assert world.converged()
    assert world.snapshot() == _fault_free(make_world)["snapshot"], "the end state differs from a fault-free run"
    row.notes = (f"idempotent re-sends: {sum(row.extra):.0f} inbound file(s) in {row.trials} trial(s), over "
                 f"the fault-free run's {baseline} per trial")
