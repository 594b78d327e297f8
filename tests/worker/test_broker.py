"""The broker's retry policy, run by a real dramatiq worker on threads of the test process."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator

import dramatiq
import pytest
import redis
from dramatiq import Broker
from dramatiq.brokers.redis import RedisBroker

from connector.errors import (
    MalformedFileError,
    SalesforceLimitExceeded,
    SalesforceRequestError,
    TransientBucketError,
    TransientSalesforceError,
)
from connector.settings import Settings
from connector.worker.broker import (
    dead_letters,
    declare_actor,
    drain,
    make_broker,
    stub_worker,
)

#: Generous bound for a queue to empty; a run takes well under a second.
JOIN_TIMEOUT_MS = 20_000


class Attempts:
    """Counts calls per actor; an actor raises from ``errors`` in turn, then succeeds."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def actor(self, name: str, *errors: BaseException) -> Callable[[], None]:
        def run(*args: object, **kwargs: object) -> None:
            with self._lock:
                attempt = self.calls[name]
                self.calls[name] += 1
            if attempt < len(errors):
                raise errors[attempt]

        run.__name__ = name
        return run


def run_to_completion(broker: Broker, actor: dramatiq.Actor) -> None:
    """Send one message and let a real worker thread handle it, retries included."""
    with stub_worker(broker):
        actor.send()
        drain(broker)


@pytest.fixture
def stub_broker(worker_settings: Settings) -> Broker:
    return make_broker(worker_settings, stub=True)


def test_transient_errors_are_retried_until_success(stub_broker: Broker) -> None:
    attempts = Attempts()
    flaky = declare_actor(stub_broker, attempts.actor(
        "flaky", TransientBucketError("SlowDown"), TransientSalesforceError("UNABLE_TO_LOCK_ROW")))
    run_to_completion(stub_broker, flaky)
    assert attempts.calls["flaky"] == 3
    assert dead_letters(stub_broker) == []


def test_transient_errors_stop_after_max_retries_and_are_dead_lettered(stub_broker: Broker) -> None:
    attempts = Attempts()
    always = declare_actor(stub_broker, attempts.actor("always", *[TransientBucketError("503")] * 10))
    run_to_completion(stub_broker, always)
    assert attempts.calls["always"] == 1 + 3  # first try + WORKER_MAX_RETRIES
    [letter] = dead_letters(stub_broker)
    assert letter.actor_name == "always"
    assert letter.retries == 3
    assert letter.error == "TransientBucketError: 503"


@pytest.mark.parametrize("error", [
    SalesforceRequestError("INVALID_FIELD: no such column"),
    MalformedFileError("not JSON", key="opportunity-outbound/x.json"),
    KeyError("a bug"),
])
def test_permanent_errors_fail_at_once(stub_broker: Broker, error: BaseException) -> None:
    attempts = Attempts()
    broken = declare_actor(stub_broker, attempts.actor("broken", error, error))
    run_to_completion(stub_broker, broken)
    assert attempts.calls["broken"] == 1
    [letter] = dead_letters(stub_broker)
    assert letter.retries == 0
    assert letter.error == f"{type(error).__name__}: {error}"


def test_spent_api_budget_stops_cleanly_without_retry_or_dead_letter(stub_broker: Broker) -> None:
    attempts = Attempts()
    hungry = declare_actor(stub_broker, attempts.actor("hungry", SalesforceLimitExceeded("budget spent")))
    run_to_completion(stub_broker, hungry)
    assert attempts.calls["hungry"] == 1
    assert dead_letters(stub_broker) == []


def test_stale_trigger_is_dropped_not_run(stub_broker: Broker) -> None:
    attempts = Attempts()
    late = declare_actor(stub_broker, attempts.actor("late"), max_age=1)
    message = late.message().copy(message_timestamp=0)  # enqueued at the epoch: long stale
    with stub_worker(stub_broker):
        stub_broker.enqueue(message)
        drain(stub_broker)
    assert attempts.calls["late"] == 0
    assert dead_letters(stub_broker) == []


@pytest.fixture
def redis_broker(worker_settings: Settings) -> Iterator[RedisBroker]:
    broker = make_broker(worker_settings)
    assert isinstance(broker, RedisBroker)
    yield broker
    broker.close()


def test_redis_dead_letters_are_listed_newest_first_with_their_error(
        redis_broker: RedisBroker, redis_client: redis.Redis, redis_prefix: str) -> None:
    attempts = Attempts()
    first = declare_actor(redis_broker, attempts.actor("first", SalesforceRequestError("bad 1")), queue_name="a")
    second = declare_actor(redis_broker, attempts.actor("second", *[TransientBucketError("slow")] * 9),
                           queue_name="b")
    ok = declare_actor(redis_broker, attempts.actor("ok"), queue_name="a")
    with stub_worker(redis_broker, threads=2):
        first.send("file-1")
        redis_broker.join("a", timeout=JOIN_TIMEOUT_MS)
        second.send(flow="inbound")
        ok.send()
        for queue in ("a", "b"):
            redis_broker.join(queue, timeout=JOIN_TIMEOUT_MS)

    letters = dead_letters(redis_broker, limit=10)
    assert [(d.actor_name, d.queue_name) for d in letters] == [("second", "b"), ("first", "a")]
    assert letters[0].kwargs == {"flow": "inbound"} and letters[0].retries == 3
    assert letters[0].error == "TransientBucketError: slow"
    assert letters[1].args == ("file-1",) and letters[1].error == "SalesforceRequestError: bad 1"
    assert letters[0].failed_at is not None and letters[0].failed_at >= letters[1].failed_at
    assert dead_letters(redis_broker, limit=1) == letters[:1]
    # Every key the broker wrote is under the connector's prefix.
    assert all(key.startswith(redis_prefix.encode()) for key in redis_client.scan_iter(f"*{redis_prefix}*"))
    assert redis_client.exists(f"{redis_prefix}:dramatiq:a.XQ")


def test_dead_letters_of_a_fresh_redis_broker_are_empty(redis_broker: RedisBroker) -> None:
    assert dead_letters(redis_broker) == []
