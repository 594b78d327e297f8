"""Redis locks with a TTL: one worker per file, one active scheduler per Redis.

A lock is a key set with ``SET NX PX`` to a random token. Only the holder of
the token may release or extend it (both are Lua scripts, so the check and the
change are one atomic step). Every lock carries a TTL: a worker that is killed
mid-file never blocks the file for longer than that, and work is found again
from state (an untagged file is still pending) by whoever takes the lock next.

Holders of long work keep the TTL short and hold the lock inside
:func:`kept_alive`, which renews it from a thread every third of its TTL: a
live worker keeps its lock however long the work takes, a killed one loses it
within one TTL. Before each write they call :meth:`RedisLock.ensure_held`.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

import redis
import structlog

from connector.errors import LockNotHeld

#: How often a blocking :meth:`RedisLock.acquire` tries again.
ACQUIRE_POLL_SECONDS = 0.05

_RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""

_EXTEND_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


def lock_key(prefix: str, name: str) -> str:
    """The Redis key of the lock called ``name``."""
    return f"{prefix}:lock:{name}"


def _ttl_ms(ttl_seconds: float) -> int:
    if ttl_seconds <= 0:
        raise ValueError(f"a lock TTL must be positive, got {ttl_seconds!r} seconds")
    return max(1, int(ttl_seconds * 1000))


class RedisLock:
    """A lock on ``{prefix}:lock:{name}`` that expires after ``ttl_seconds``.

    Use it as a context manager (raises :class:`LockNotHeld` when another
    worker holds it), or call :meth:`acquire` and :meth:`release` yourself::

        lock = RedisLock(client, "file:opportunity-outbound/x.json", prefix="ace", ttl_seconds=120)
        if lock.acquire():
            try:
                ...                  # call lock.extend() between long steps
            finally:
                lock.release()
    """

    def __init__(self, client: redis.Redis, name: str, *, prefix: str, ttl_seconds: float) -> None:
        self.client = client
        self.name = name
        self.key = lock_key(prefix, name)
        self.ttl_seconds = ttl_seconds
        self._ttl_ms = _ttl_ms(ttl_seconds)
        self._token: str | None = None
        self._release = client.register_script(_RELEASE_SCRIPT)
        self._extend = client.register_script(_EXTEND_SCRIPT)

    @property
    def token(self) -> str | None:
        """The random value this holder wrote; None while not held."""
        return self._token

    def acquire(self, *, wait_seconds: float = 0.0) -> bool:
        """Take the lock; wait up to ``wait_seconds`` for it. True when taken."""
        token = secrets.token_hex(16)
        deadline = time.monotonic() + wait_seconds
        while True:
            if self.client.set(self.key, token, nx=True, px=self._ttl_ms):
                self._token = token
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(ACQUIRE_POLL_SECONDS, max(0.0, deadline - time.monotonic())))

    def release(self) -> bool:
        """Give the lock up. False when it had expired (and maybe been taken by another)."""
        token, self._token = self._token, None
        if token is None:
            return False
        return bool(self._release(keys=[self.key], args=[token]))

    def extend(self, *, ttl_seconds: float | None = None) -> bool:
        """Reset the TTL (to ``ttl_seconds`` or the lock's own). False when the lock was lost."""
        if self._token is None:
            return False
        ttl_ms = self._ttl_ms if ttl_seconds is None else _ttl_ms(ttl_seconds)
        if self._extend(keys=[self.key], args=[self._token, ttl_ms]):
            return True
        self._token = None
        return False

    def ensure_held(self) -> None:
        """Extend the lock, or raise :class:`LockNotHeld` if it was lost: call before each write."""
        if not self.extend():
            raise LockNotHeld(f"lock {self.name!r} expired and may be held by another worker",
                              name=self.name)

    def is_held(self) -> bool:
        """True while the key still holds this holder's token."""
        if self._token is None:
            return False
        # Clients made with decode_responses=True answer str, others bytes.
        return self.client.get(self.key) in (self._token, self._token.encode())

    def __enter__(self) -> RedisLock:
        if not self.acquire():
            raise LockNotHeld(f"lock {self.name!r} is held by another worker", name=self.name)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.release()


class LeaderLease:
    """Leadership of a singleton role (the scheduler): a lock renewed by its holder.

    Call :meth:`hold` on every loop iteration, at least once per third of the
    TTL: it takes the lease when it is free and renews it when held. A
    standby's :meth:`hold` returns False until the leader resigns or dies and
    its lease runs out.
    """

    def __init__(self, client: redis.Redis, role: str, *, prefix: str, ttl_seconds: float) -> None:
        self._lock = RedisLock(client, f"leader:{role}", prefix=prefix, ttl_seconds=ttl_seconds)
        self.role = role

    @property
    def ttl_seconds(self) -> float:
        return self._lock.ttl_seconds

    @property
    def is_leader(self) -> bool:
        """What this process last knew; :meth:`hold` checks with Redis."""
        return self._lock.token is not None

    def hold(self) -> bool:
        """Take or renew the lease. True while this process leads."""
        if self._lock.token is not None and self._lock.extend():
            return True
        return self._lock.acquire()

    def resign(self) -> None:
        """Give the lease up now, so a standby takes over without waiting for the TTL."""
        self._lock.release()


@contextmanager
def kept_alive(lock: RedisLock) -> Iterator[RedisLock]:
    """Renew a held ``lock`` every third of its TTL until the block ends, then release it."""
    stop = threading.Event()
    renewer = threading.Thread(target=_keep_renewed, args=(lock, stop), name=f"renew-{lock.name}", daemon=True)
    renewer.start()
    try:
        yield lock
    finally:
        stop.set()
        renewer.join()
        lock.release()


def _keep_renewed(lock: RedisLock, stop: threading.Event) -> None:
    log = structlog.get_logger(__name__)
    while not stop.wait(lock.ttl_seconds / 3):
        try:
            if not lock.extend():
                log.error("lock lost while its work runs; another worker may take over", lock=lock.name)
                return
        except redis.RedisError as exc:  # a Redis hiccup: the next renewal tries again
            log.warning("could not renew a lock", lock=lock.name, error=f"{type(exc).__name__}: {exc}")
