"""Fixtures for the worker tests: settings with short retry delays, a Redis client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from connector.settings import Settings

#: Retry delays short enough that a test sees every attempt of a message quickly.
FAST_BACKOFF_SECONDS = 0.01


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
