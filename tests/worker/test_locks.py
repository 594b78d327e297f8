"""Redis locks and the leader lease, against real Redis (threads and a second process)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis

from connector.errors import LockNotHeld
from connector.worker.locks import LeaderLease, RedisLock, lock_key

#: Long enough that a lock never expires by accident while a test runs.
HOLD_TTL_SECONDS = 30
#: Short enough that a test waiting for expiry stays fast.
SHORT_TTL_SECONDS = 0.3

# A second process that takes the lock, says so, and holds it until killed.
HOLDER_SCRIPT = """
import sys, time, redis
from connector.worker.locks import RedisLock
lock = RedisLock(redis.Redis.from_url(sys.argv[1]), "file:x", prefix=sys.argv[2], ttl_seconds=float(sys.argv[3]))
assert lock.acquire(wait_seconds=10)
print("held", flush=True)
while True:
    time.sleep(0.05)
    lock.extend()
"""


def make_lock(client: redis.Redis, prefix: str, *, name: str = "file:x",
              ttl_seconds: float = HOLD_TTL_SECONDS) -> RedisLock:
    return RedisLock(client, name, prefix=prefix, ttl_seconds=ttl_seconds)


def wait_until(condition, *, timeout_seconds: float = 10.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_only_one_of_many_threads_gets_a_free_lock(redis_client: redis.Redis, redis_prefix: str,
                                                   run_in_threads: Callable[..., None]) -> None:
    winners = []
    run_in_threads(lambda: winners.append(make_lock(redis_client, redis_prefix).acquire()), count=8)
    assert sorted(winners) == [False] * 7 + [True]


def test_holders_never_overlap(redis_client: redis.Redis, redis_prefix: str, occupancy: Any,
                               run_in_threads: Callable[..., None]) -> None:
    def work() -> None:
        for _ in range(5):
            lock = make_lock(redis_client, redis_prefix)
            assert lock.acquire(wait_seconds=20)
            with occupancy.visit():
                pass
            assert lock.release()

    run_in_threads(work, count=4)
    assert (occupancy.most, occupancy.visits) == (1, 20)


def test_a_killed_holder_blocks_only_until_the_ttl(redis_url: str, redis_client: redis.Redis,
                                                   redis_prefix: str) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER_SCRIPT, redis_url, redis_prefix, "0.5"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        mine = make_lock(redis_client, redis_prefix)
        assert not mine.acquire()  # the other process renews it
        holder.kill()
        holder.wait()
        assert mine.acquire(wait_seconds=10)  # its TTL runs out, then it is ours
    finally:
        holder.kill()
        holder.wait()


def test_release_and_extend_only_by_the_holder_of_the_token(redis_client: redis.Redis,
                                                            redis_prefix: str) -> None:
    first = make_lock(redis_client, redis_prefix, ttl_seconds=SHORT_TTL_SECONDS)
    assert first.acquire()
    second = make_lock(redis_client, redis_prefix)
    assert second.acquire(wait_seconds=10)  # after the first's TTL ran out
    assert first.release() is False
    assert first.extend() is False
    assert second.is_held() and not first.is_held()
    with pytest.raises(LockNotHeld, match="expired"):
        first.ensure_held()
    assert second.release() is True
    assert redis_client.exists(second.key) == 0


def test_extend_renews_the_ttl(redis_client: redis.Redis, redis_prefix: str) -> None:
    lock = make_lock(redis_client, redis_prefix, ttl_seconds=SHORT_TTL_SECONDS)
    assert lock.acquire()
    assert lock.extend(ttl_seconds=HOLD_TTL_SECONDS)
    assert redis_client.pttl(lock.key) > SHORT_TTL_SECONDS * 1000
    lock.ensure_held()  # renews to the lock's own TTL
    assert 0 < redis_client.pttl(lock.key) <= SHORT_TTL_SECONDS * 1000


def test_context_manager_holds_then_releases(redis_client: redis.Redis, redis_prefix: str) -> None:
    with make_lock(redis_client, redis_prefix) as lock:
        assert lock.key == lock_key(redis_prefix, "file:x") and lock.key.startswith(redis_prefix)
        with pytest.raises(LockNotHeld, match="held by another worker"):
            with make_lock(redis_client, redis_prefix):
                pass
        with make_lock(redis_client, redis_prefix, name="file:y"):
            pass  # other names are independent
    assert redis_client.exists(lock_key(redis_prefix, "file:x")) == 0


def test_a_lock_needs_a_positive_ttl(redis_client: redis.Redis, redis_prefix: str) -> None:
    with pytest.raises(ValueError, match="positive"):
        make_lock(redis_client, redis_prefix, ttl_seconds=0)


def test_leader_lease_has_one_leader_and_hands_over_on_resign(redis_client: redis.Redis,
                                                              redis_prefix: str) -> None:
    first = LeaderLease(redis_client, "scheduler", prefix=redis_prefix, ttl_seconds=HOLD_TTL_SECONDS)
    second = LeaderLease(redis_client, "scheduler", prefix=redis_prefix, ttl_seconds=HOLD_TTL_SECONDS)
    assert first.hold() and first.is_leader
    assert not second.hold() and not second.is_leader
    assert first.hold()  # renewing keeps it
    first.resign()
    assert not first.is_leader
    assert second.hold()
    assert not first.hold()


def test_kept_alive_renews_a_short_lock_then_releases_it(redis_client: redis.Redis, redis_prefix: str) -> None:
    from connector.worker.locks import kept_alive

    lock = RedisLock(redis_client, "file:x.json", prefix=redis_prefix, ttl_seconds=0.3)
    assert lock.acquire()
    with kept_alive(lock):
        time.sleep(0.7)  # more than two TTLs: only renewal keeps it
        rival = RedisLock(redis_client, "file:x.json", prefix=redis_prefix, ttl_seconds=1)
        assert not rival.acquire()
    assert rival.acquire(), "released when the block ends"
