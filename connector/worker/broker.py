"""The dramatiq broker: Redis in production, in-process for the demo and unit tests.

Declaring actors (the pattern ``connector/worker/actors.py`` follows)::

    import dramatiq
    from connector.settings import get_settings
    from connector.worker.broker import declare_actor, make_broker

    def declare_actors(broker):                  # tests and the demo pass a stub broker
        return {"outbound": declare_actor(broker, run_outbound, queue_name="outbound"), ...}

    broker = make_broker(get_settings(), prometheus=True)
    dramatiq.set_broker(broker)
    ACTORS = declare_actors(broker)

and the ``worker`` command runs ``dramatiq connector.worker.actors:broker
--processes N --threads M``. An actor takes no work list as arguments: it
finds its work from state, so a lost or repeated message never loses or
repeats work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dramatiq
import redis
from dramatiq import Broker, Worker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.message import Message
from dramatiq.middleware import Callbacks, CurrentMessage, Middleware, Pipelines, ShutdownNotifications, TimeLimit

from connector.errors import ConnectorError
from connector.settings import Settings
from connector.worker.middleware import (
    FAILURE_OPTION,
    DropStaleMessages,
    LogContext,
    TransientRetries,
    describe_failure,
    failure_key,
)

DEFAULT_QUEUE = "default"
#: Dead letters are kept a week: long enough to be seen in ``status`` after a weekend.
DEAD_LETTER_TTL_SECONDS = 7 * 24 * 3600
#: How long a consumer of the in-process broker waits for a message before looking again.
STUB_WORKER_IDLE_MS = 50


def broker_namespace(prefix: str) -> str:
    """The broker's keys live beside the connector's own, under the configured prefix."""
    return f"{prefix}:dramatiq"


def project_middleware(settings: Settings, *, prometheus: bool = False) -> list[Middleware]:
    """The connector's middleware stack, in dramatiq's usual order (retries last)."""
    middleware: list[Middleware] = [
        LogContext(),
        DropStaleMessages(max_age_ms=settings.worker_message_max_age_seconds * 1000),
        TimeLimit(time_limit=settings.worker_time_limit_seconds * 1000),
        ShutdownNotifications(),
        CurrentMessage(),
        Callbacks(),
        Pipelines(),
        TransientRetries(max_retries=settings.worker_max_retries,
                         min_backoff_ms=int(settings.worker_min_backoff_seconds * 1000),
                         max_backoff_ms=int(settings.worker_max_backoff_seconds * 1000),
                         dead_letter_ttl_ms=DEAD_LETTER_TTL_SECONDS * 1000),
    ]
    if prometheus:
        # Imported here: the module reads its environment on import and only
        # dramatiq's worker processes (which boot it) should pay for that.
        from dramatiq.middleware.prometheus import Prometheus

        middleware.insert(0, Prometheus())
    return middleware


def make_broker(settings: Settings, *, stub: bool = False, prometheus: bool = False,
                client: redis.Redis | None = None) -> Broker:
    """A broker with the connector's middleware: Redis on ``REDIS_URL``, or in-process with ``stub``.

    ``prometheus`` adds dramatiq's metrics middleware; use it only in
    processes started by dramatiq's worker command, which boots it.
    """
    middleware = project_middleware(settings, prometheus=prometheus)
    if stub:
        # fail_fast=False: a dead letter is an outcome to inspect, not a crash of join().
        return StubBroker(middleware=middleware, fail_fast_default=False)
    connection = {"client": client} if client is not None else {"url": settings.redis_url}
    return RedisBroker(middleware=middleware, namespace=broker_namespace(settings.redis_key_prefix),
                       dead_message_ttl=DEAD_LETTER_TTL_SECONDS * 1000, **connection)


def declare_actor(broker: Broker, fn: Callable[..., Any], *, queue_name: str = DEFAULT_QUEUE,
                  actor_name: str | None = None, **options: Any) -> dramatiq.Actor:
    """Declare ``fn`` as an actor on ``broker`` with the connector's defaults.

    The connector's own errors are expected outcomes: the retry middleware
    logs them precisely, so the worker's generic traceback is kept for bugs.
    """
    options.setdefault("throws", (ConnectorError,))
    return dramatiq.actor(fn, broker=broker, queue_name=queue_name, actor_name=actor_name, **options)


@contextmanager
def stub_worker(broker: Broker, *, threads: int = 1) -> Iterator[Worker]:
    """Run a dramatiq worker on threads of this process while the block runs (demo, tests)."""
    worker = Worker(broker, worker_threads=threads, worker_timeout=STUB_WORKER_IDLE_MS)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


def drain(broker: StubBroker, *, timeout_seconds: float = 30.0) -> None:
    """Wait until every queue of the in-process broker is empty, retries included."""
    for queue_name in sorted(broker.get_declared_queues()):
        broker.join(queue_name, timeout=int(timeout_seconds * 1000), fail_fast=False)


@dataclass(frozen=True)
class DeadLetter:
    """A message that failed for good, as ``status`` shows it."""

    queue_name: str
    actor_name: str
    message_id: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    retries: int
    error: str | None
    failed_at: datetime | None


def dead_letters(broker: Broker, *, limit: int = 20) -> list[DeadLetter]:
    """The most recent dead-lettered messages of every queue, newest first."""
    if limit < 1:
        return []
    if isinstance(broker, RedisBroker):
        return _redis_dead_letters(broker, limit=limit)
    if isinstance(broker, StubBroker):
        messages = list(reversed(broker.dead_letters))[:limit]
        return [_dead_letter(message, error=message.options.get(FAILURE_OPTION) or _stub_error(message),
                             failed_at=None) for message in messages]
    raise TypeError(f"dead letters are only listed for Redis and in-process brokers, not {type(broker).__name__}")


def _redis_dead_letters(broker: RedisBroker, *, limit: int) -> list[DeadLetter]:
    client = broker.client
    pattern = _glob_escape(f"{broker.namespace}:") + "*.XQ"
    newest: list[tuple[float, str, bytes]] = []
    for key in client.scan_iter(match=pattern, count=500):
        key_name = key.decode() if isinstance(key, bytes) else key
        for redis_id, score in client.zrevrange(key_name, 0, limit - 1, withscores=True):
            newest.append((score, key_name, redis_id))
    newest.sort(reverse=True)
    letters = []
    for score, key_name, redis_id in newest[:limit]:
        data = client.hget(f"{key_name}.msgs", redis_id)
        if data is None:  # expired between the two reads
            continue
        message = Message.decode(data)
        redis_id_text = redis_id.decode() if isinstance(redis_id, bytes) else redis_id
        error = client.get(failure_key(broker.namespace, redis_id_text))
        letters.append(_dead_letter(
            message, error=error.decode() if isinstance(error, bytes) else error,
            failed_at=datetime.fromtimestamp(score / 1000, tz=UTC)))
    return letters


def _dead_letter(message: Any, *, error: str | None, failed_at: datetime | None) -> DeadLetter:
    return DeadLetter(queue_name=message.queue_name.removesuffix(".DQ"), actor_name=message.actor_name,
                      message_id=message.message_id, args=tuple(message.args), kwargs=dict(message.kwargs),
                      retries=message.options.get("retries", 0), error=error, failed_at=failed_at)


def _stub_error(message: Any) -> str | None:
    exception = getattr(message, "_exception", None)
    return describe_failure(exception) if exception is not None else None


def _glob_escape(text: str) -> str:
    """Escape Redis glob characters so a prefix like ``ace[1]`` matches itself only."""
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)
