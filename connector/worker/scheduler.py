"""The core of ``ace-connector scheduler``: enqueue each flow on its interval, one scheduler active.

The scheduler only enqueues triggers; workers do the work, and find it from
state. Several schedulers may run (one per host, for availability): a leader
lease in Redis lets exactly one enqueue, the others wait as standbys and take
over when the leader stops (it resigns at once) or dies (its lease expires).

When each flow was last enqueued is kept in Redis, so a new leader keeps the
rhythm instead of enqueueing everything again at takeover.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import FrameType

import redis

from connector.logs import get_logger
from connector.settings import Settings
from connector.worker.locks import LeaderLease

#: A dead leader is replaced within this long; the leader renews every third of it.
LEADER_LEASE_TTL_SECONDS = 30.0
#: A flow whose enqueue failed (broker unreachable) is tried again this soon.
ENQUEUE_RETRY_SECONDS = 5.0
#: After a Redis error the scheduler waits this long before trying again.
REDIS_RETRY_SECONDS = 5.0

log = get_logger(__name__)

EnqueueTarget = Callable[[], object]


def schedule_from_settings(settings: Settings) -> dict[str, float]:
    """Each flow's interval in seconds, from ``*_INTERVAL_SECONDS``."""
    return {"outbound": float(settings.outbound_interval_seconds),
            "results": float(settings.results_interval_seconds),
            "inbound": float(settings.inbound_interval_seconds)}


class Scheduler:
    """Enqueues each flow of ``schedule`` (name → interval seconds) through ``enqueue[name]``.

    ``enqueue`` maps a flow name to a callable that sends its trigger, e.g.
    ``{"outbound": actors["outbound"].send, ...}``; tests pass their own.
    """

    def __init__(self, client: redis.Redis, *, prefix: str, schedule: Mapping[str, float],
                 enqueue: Mapping[str, EnqueueTarget],
                 lease_ttl_seconds: float = LEADER_LEASE_TTL_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        missing = sorted(set(schedule) - set(enqueue))
        if missing:
            raise ValueError(f"no enqueue target for scheduled flow(s): {', '.join(missing)}")
        bad = {flow: interval for flow, interval in schedule.items() if not interval > 0}
        if bad:
            raise ValueError(f"flow intervals must be positive seconds, got {bad}")
        self.client = client
        self.schedule = dict(schedule)
        self.enqueue = dict(enqueue)
        self._lease = LeaderLease(client, "scheduler", prefix=prefix, ttl_seconds=lease_ttl_seconds)
        self._last_enqueued_key = f"{prefix}:scheduler:last-enqueued"
        self._stop = threading.Event()
        # Wall-clock seconds: the last enqueue times are shared with other hosts through Redis.
        self._clock = clock

    @property
    def is_leader(self) -> bool:
        return self._lease.is_leader

    def stop(self) -> None:
        """Ask :meth:`run` to return (safe from a signal handler or another thread)."""
        self._stop.set()

    def run(self) -> None:
        """Lead or stand by until :meth:`stop`; then resign, so a standby takes over at once."""
        log.info("scheduler started", schedule=self.schedule)
        try:
            while not self._stop.is_set():
                try:
                    pause_seconds = self.tick()
                except redis.RedisError as exc:
                    log.warning("redis unavailable; scheduler retries", error=str(exc),
                                retry_seconds=REDIS_RETRY_SECONDS)
                    pause_seconds = REDIS_RETRY_SECONDS
                self._stop.wait(pause_seconds)
        finally:
            if self._lease.is_leader:
                try:
                    self._lease.resign()
                except redis.RedisError:
                    pass  # the lease expires by itself
            log.info("scheduler stopped")

    def tick(self) -> float:
        """Take or renew the lease and, when leading, enqueue what is due. Seconds until the next tick."""
        was_leader = self._lease.is_leader
        leading = self._lease.hold()
        if leading != was_leader:
            log.info("scheduler is now the leader" if leading else "scheduler is standing by")
        renew_seconds = self._lease.ttl_seconds / 3
        if not leading:
            return renew_seconds
        now = self._clock()
        last = {_text(flow): float(at) for flow, at in self.client.hgetall(self._last_enqueued_key).items()}
        next_due = []
        for flow, interval in self.schedule.items():
            due_at = last.get(flow, 0.0) + interval
            if due_at <= now:
                due_at = now + interval if self._send(flow, now=now) else now + min(ENQUEUE_RETRY_SECONDS, interval)
            next_due.append(due_at)
        return max(0.0, min(renew_seconds, min(next_due, default=now + renew_seconds) - self._clock()))

    def _send(self, flow: str, *, now: float) -> bool:
        try:
            self.enqueue[flow]()
        except Exception as exc:  # noqa: BLE001 - one failing flow must not stop the others
            log.error("could not enqueue flow", flow=flow, error=f"{type(exc).__name__}: {exc}")
            return False
        self.client.hset(self._last_enqueued_key, flow, repr(now))
        log.info("flow enqueued", flow=flow)
        return True


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


@contextmanager
def stop_on_signals(scheduler: Scheduler) -> Iterator[None]:
    """SIGTERM and SIGINT stop the scheduler cleanly (main thread only; restored afterwards)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        log.info("scheduler stopping on signal", signal=signal.Signals(signum).name)
        scheduler.stop()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_scheduler(settings: Settings, enqueue: Mapping[str, EnqueueTarget], *,
                  client: redis.Redis | None = None, schedule: Mapping[str, float] | None = None,
                  lease_ttl_seconds: float = LEADER_LEASE_TTL_SECONDS) -> None:
    """What ``ace-connector scheduler`` runs: until SIGTERM or SIGINT."""
    client = client or redis.Redis.from_url(settings.redis_url)
    scheduler = Scheduler(client, prefix=settings.redis_key_prefix,
                          schedule=schedule or schedule_from_settings(settings), enqueue=enqueue,
                          lease_ttl_seconds=lease_ttl_seconds)
    with stop_on_signals(scheduler):
        scheduler.run()
