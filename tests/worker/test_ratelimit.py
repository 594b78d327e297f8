"""The fleet-wide API limiter against real Redis: grants are counted, never timed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis

from connector.errors import SalesforceLimitExceeded
from connector.settings import Settings
from connector.worker.ratelimit import ApiRateLimiter

#: A per-second rate so slow that no token comes back while a test runs.
FROZEN_RATE_PER_SECOND = 0.0001


@pytest.fixture
def make_limiter(redis_client: redis.Redis, redis_prefix: str) -> Callable[..., ApiRateLimiter]:
    def make(**overrides: float) -> ApiRateLimiter:
        options = dict(requests_per_second=10_000, burst=10_000, share=1.0, daily_limit=1_000_000,
                       max_concurrent_long=2, max_wait_seconds=0)
        options.update(overrides)
        return ApiRateLimiter(redis_client, prefix=redis_prefix, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture
def grants_under_contention(run_in_threads: Callable[..., None]) -> Callable[..., int]:
    def count_grants(limiter: ApiRateLimiter, *, threads: int = 8, tries: int = 1000) -> int:
        """Each thread asks until refused (or ``tries`` times); the total granted."""
        granted = []

        def ask() -> None:
            for _ in range(tries):
                try:
                    limiter.acquire()
                except SalesforceLimitExceeded:
                    return
                granted.append(1)  # list.append is atomic under the GIL

        run_in_threads(ask, count=threads)
        return len(granted)

    return count_grants


def test_daily_share_is_never_exceeded_under_concurrency(make_limiter: Callable[..., ApiRateLimiter],
        grants_under_contention: Callable[..., int]) -> None:
    limiter = make_limiter(daily_limit=200, share=0.25)
    assert grants_under_contention(limiter) == 50
    with pytest.raises(SalesforceLimitExceeded, match="50 calls in the last 24 h of a budget of 50") as caught:
        limiter.acquire()
    assert caught.value.code == "CONNECTOR_BUDGET_SPENT"
    assert limiter.budget().connector_calls_24h == 50


def test_token_bucket_grants_no_more_than_its_burst(make_limiter: Callable[..., ApiRateLimiter],
        grants_under_contention: Callable[..., int]) -> None:
    limiter = make_limiter(requests_per_second=FROZEN_RATE_PER_SECOND, burst=7)
    assert grants_under_contention(limiter, tries=3) == 7
    with pytest.raises(SalesforceLimitExceeded, match="no API capacity within 0 s") as caught:
        limiter.acquire()
    assert caught.value.code == "CONNECTOR_RATE_LIMITED"


def test_acquire_waits_for_the_bucket_to_refill(make_limiter: Callable[..., ApiRateLimiter]) -> None:
    limiter = make_limiter(requests_per_second=100, burst=1, max_wait_seconds=10)
    for _ in range(5):
        limiter.acquire()  # each after the first waits for its token instead of failing
    assert limiter.budget().connector_calls_24h == 5


def test_the_orgs_reported_allowance_sets_the_budget(make_limiter: Callable[..., ApiRateLimiter],
        grants_under_contention: Callable[..., int]) -> None:
    limiter = make_limiter(share=0.5)
    limiter.observe_usage(used=0, limit=10)
    assert grants_under_contention(limiter) == 5
    budget = limiter.budget()
    assert (budget.connector_budget_24h, budget.org_limit, budget.org_used) == (5, 10, 5)


def test_no_call_when_the_org_is_at_its_allowance(make_limiter: Callable[..., ApiRateLimiter]) -> None:
    limiter = make_limiter()
    limiter.observe_usage(used=98, limit=100)  # other integrations used most of it
    with pytest.raises(SalesforceLimitExceeded, match="98 of 100") as caught:
        limiter.acquire(3)
    assert caught.value.code == "ORG_LIMIT_REACHED"
    limiter.acquire(2)
    with pytest.raises(SalesforceLimitExceeded, match="100 of 100"):
        limiter.acquire()


def test_long_request_slots_cap_concurrency(make_limiter: Callable[..., ApiRateLimiter], occupancy: Any,
                                            run_in_threads: Callable[..., None]) -> None:
    limiter = make_limiter(max_concurrent_long=2, max_wait_seconds=30)

    def long_call() -> None:
        with limiter.long_request(), occupancy.visit():
            pass

    run_in_threads(long_call, count=6)
    assert (occupancy.most, occupancy.visits) == (2, 6)
    assert limiter.budget().long_requests_in_flight == 0


def test_a_busy_slot_pool_refuses_after_the_max_wait(make_limiter: Callable[..., ApiRateLimiter]) -> None:
    limiter = make_limiter(max_concurrent_long=1)
    with limiter.long_request():
        assert limiter.budget().long_requests_in_flight == 1
        with pytest.raises(SalesforceLimitExceeded, match="all 1 long-request slots"):
            with limiter.long_request():
                pass
    with limiter.long_request():
        pass


@pytest.mark.parametrize("call, message", [
    (lambda limiter: limiter.acquire(0), "between 1 and the burst size"),
    (lambda limiter: limiter.acquire(11), "between 1 and the burst size 10"),
    (lambda limiter: limiter.observe_usage(used=-1, limit=5), "used >= 0"),
])
def test_bad_arguments_are_refused_precisely(make_limiter: Callable[..., ApiRateLimiter],
                                             call: Callable[[ApiRateLimiter], None], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(make_limiter(burst=10))


def test_limiter_from_settings_keeps_its_keys_under_the_prefix(redis_client: redis.Redis,
                                                              redis_prefix: str) -> None:
    settings = Settings(redis_key_prefix=redis_prefix, sf_api_daily_limit=4, sf_api_share=0.5,
                        sf_api_max_wait_seconds=0)
    limiter = ApiRateLimiter.from_settings(redis_client, settings)
    limiter.acquire()
    limiter.acquire()
    with pytest.raises(SalesforceLimitExceeded):
        limiter.acquire()
    keys = [key.decode() for key in redis_client.scan_iter(match=f"{redis_prefix}*")]
    assert keys and all(key.startswith(f"{redis_prefix}:ratelimit:") for key in keys)
