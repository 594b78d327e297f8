"""The scheduler: intervals, one leader per Redis, failover, clean shutdown on signals."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis

from connector.settings import Settings
from connector.worker.locks import lock_key
from connector.worker.scheduler import Scheduler, schedule_from_settings

#: A live leader renews every third of this, so it keeps the lease even on a loaded machine.
LEASE_TTL_SECONDS = 1.5
#: The fake clock moves this much per tick: a flow on it is due at every tick.
TICK_SECONDS = 60.0
HOUR_SECONDS = 3600.0

# A scheduler in its own process; each enqueue is pushed onto a Redis list the test reads.
SCHEDULER_SCRIPT = """
import sys, redis
from connector.settings import Settings
from connector.worker.scheduler import run_scheduler
url, prefix, ttl = sys.argv[1], sys.argv[2], float(sys.argv[3])
client = redis.Redis.from_url(url)
run_scheduler(Settings(redis_url=url, redis_key_prefix=prefix),
              {"outbound": lambda: client.rpush(prefix + ":enqueued", "outbound")},
              client=client, schedule={"outbound": 0.05}, lease_ttl_seconds=ttl)
"""


class FakeClock:
    """Wall-clock seconds that advance by ``TICK_SECONDS`` each time they are read for a tick."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = TICK_SECONDS) -> None:
        self.now += seconds


class Recorder:
    """Enqueue targets that record which flows were enqueued."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def targets(self, *flows: str) -> dict[str, Callable[[], None]]:
        return {flow: (lambda flow=flow: self.sent.append(flow)) for flow in flows}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_scheduler(redis_client: redis.Redis, redis_prefix: str,
                   clock: FakeClock) -> Callable[..., tuple[Scheduler, Recorder]]:
    def make(schedule: dict[str, float], *, real_clock: bool = False) -> tuple[Scheduler, Recorder]:
        recorder = Recorder()
        scheduler = Scheduler(redis_client, prefix=redis_prefix, schedule=schedule,
                              enqueue=recorder.targets(*schedule), lease_ttl_seconds=LEASE_TTL_SECONDS,
                              clock=time.time if real_clock else clock)
        return scheduler, recorder

    return make


@pytest.fixture
def scheduler_process(redis_url: str, redis_prefix: str) -> Iterator[Callable[[], subprocess.Popen]]:
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-c", SCHEDULER_SCRIPT, redis_url, redis_prefix,
                                    str(LEASE_TTL_SECONDS)])
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
        process.wait()


def test_the_leader_enqueues_due_flows_and_keeps_their_intervals(make_scheduler, clock: FakeClock) -> None:  # noqa: ANN001
    scheduler, recorder = make_scheduler({"outbound": TICK_SECONDS, "inbound": HOUR_SECONDS})
    scheduler.tick()
    assert scheduler.is_leader and sorted(recorder.sent) == ["inbound", "outbound"]
    scheduler.tick()  # no time passed: nothing is due
    assert len(recorder.sent) == 2
    for _ in range(59):
        clock.advance()
        scheduler.tick()
    assert recorder.sent.count("inbound") == 1 and recorder.sent.count("outbound") == 60
    clock.advance()
    scheduler.tick()
    assert recorder.sent.count("inbound") == 2


def test_a_standby_enqueues_nothing_then_takes_over_when_the_leader_resigns(
        make_scheduler, clock: FakeClock) -> None:  # noqa: ANN001
    leader, by_leader = make_scheduler({"outbound": TICK_SECONDS, "inbound": HOUR_SECONDS})
    standby, by_standby = make_scheduler({"outbound": TICK_SECONDS, "inbound": HOUR_SECONDS})
    leader.tick()
    for _ in range(3):
        clock.advance()
        standby.tick()
        leader.tick()
    assert not standby.is_leader and by_standby.sent == []
    assert by_leader.sent.count("outbound") == 4

    leader.stop()
    leader.run()  # returns at once when stopped, resigning the lease
    clock.advance()
    standby.tick()
    # The new leader keeps the rhythm: inbound was enqueued moments ago, so it is not due.
    assert standby.is_leader and by_standby.sent == ["outbound"]


def test_a_standby_takes_over_when_the_leader_process_dies(
        make_scheduler, scheduler_process, redis_client: redis.Redis, redis_prefix: str) -> None:  # noqa: ANN001
    leader = scheduler_process()
    assert wait_for(lambda: redis_client.llen(f"{redis_prefix}:enqueued") >= 1)
    standby, by_standby = make_scheduler({"outbound": 0.05}, real_clock=True)
    standby.tick()
    assert not standby.is_leader and by_standby.sent == []

    leader.send_signal(signal.SIGKILL)
    leader.wait()
    assert wait_for(lambda: standby.tick() is not None and standby.is_leader)
    assert by_standby.sent == ["outbound"]


def test_sigterm_stops_the_scheduler_cleanly_and_frees_the_lease(
        scheduler_process, redis_client: redis.Redis, redis_prefix: str) -> None:  # noqa: ANN001
    process = scheduler_process()
    assert wait_for(lambda: redis_client.llen(f"{redis_prefix}:enqueued") >= 1)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert redis_client.exists(lock_key(redis_prefix, "leader:scheduler")) == 0


def test_a_failing_enqueue_is_logged_and_tried_again_without_stopping_others(
        redis_client: redis.Redis, redis_prefix: str, clock: FakeClock) -> None:
    attempts, sent = [], []

    def broken() -> None:
        attempts.append(1)
        raise ConnectionError("broker down")

    scheduler = Scheduler(redis_client, prefix=redis_prefix,
                          schedule={"inbound": HOUR_SECONDS, "results": HOUR_SECONDS},
                          enqueue={"inbound": broken, "results": lambda: sent.append("results")}, clock=clock)
    scheduler.tick()
    clock.advance()  # a failed enqueue is tried again soon, not an interval later
    scheduler.tick()
    assert len(attempts) == 2 and sent == ["results"]


def test_run_in_a_thread_stops_on_request(make_scheduler) -> None:  # noqa: ANN001
    scheduler, recorder = make_scheduler({"outbound": 0.01}, real_clock=True)
    thread = threading.Thread(target=scheduler.run)
    thread.start()
    assert wait_for(lambda: len(recorder.sent) >= 3)
    scheduler.stop()
    thread.join(timeout=20)
    assert not thread.is_alive() and not scheduler.is_leader


def test_bad_schedules_are_refused_precisely(redis_client: redis.Redis, redis_prefix: str) -> None:
    with pytest.raises(ValueError, match="no enqueue target for scheduled flow\\(s\\): inbound"):
        Scheduler(redis_client, prefix=redis_prefix, schedule={"inbound": 1}, enqueue={})
    with pytest.raises(ValueError, match="intervals must be positive"):
        Scheduler(redis_client, prefix=redis_prefix, schedule={"inbound": 0}, enqueue={"inbound": print})


def test_default_schedule_comes_from_settings() -> None:
    assert schedule_from_settings(Settings()) == {"outbound": 300, "results": 300, "inbound": 900}
    assert schedule_from_settings(Settings(inbound_interval_seconds=60))["inbound"] == 60


def wait_for(condition: Callable[[], bool], *, timeout_seconds: float = 20.0) -> bool:
    deadline = threading.Event()
    timer = threading.Timer(timeout_seconds, deadline.set)
    timer.start()
    try:
        while not deadline.is_set():
            if condition():
                return True
            deadline.wait(0.02)
        return condition()
    finally:
        timer.cancel()
