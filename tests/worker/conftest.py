"""Fixtures for the worker tests: settings with short retry delays, a Redis client."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import redis
import structlog

from connector.settings import Settings

#: Retry delays short enough that a test sees every attempt of a message quickly.
FAST_BACKOFF_SECONDS = 0.01


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """Log through structlog's defaults: a test elsewhere may have pointed it at a closed stream."""
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def worker_settings(redis_url: str, redis_prefix: str) -> Settings:
    return Settings(redis_url=redis_url, redis_key_prefix=redis_prefix, worker_max_retries=3,
                    worker_min_backoff_seconds=FAST_BACKOFF_SECONDS,
                    worker_max_backoff_seconds=FAST_BACKOFF_SECONDS * 4)


class Occupancy:
    """Counts the threads inside a section at once, the most ever seen, and the visits."""

    def __init__(self) -> None:
        self.inside = 0
        self.most = 0
        self.visits = 0
        self._guard = threading.Lock()

    @contextmanager
    def visit(self) -> Iterator[None]:
        with self._guard:
            self.inside += 1
            self.most = max(self.most, self.inside)
        try:
            time.sleep(0.005)  # stay inside long enough for others to try to enter
            yield
        finally:
            with self._guard:
                self.inside -= 1
                self.visits += 1


@pytest.fixture
def occupancy() -> Occupancy:
    return Occupancy()


def _run_in_threads(target: Callable[[], None], *, count: int) -> None:
    """Start ``count`` threads on ``target`` at once and wait for all of them."""
    start = threading.Barrier(count)

    def run() -> None:
        start.wait()
        target()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.fixture
def run_in_threads() -> Callable[..., None]:
    return _run_in_threads
