"""Fixtures of the reliability suite.

``ACE_RELIABILITY_TRIALS`` scales the trial counts (kill trials, fuzz examples,
convergence cycles). The default keeps the whole suite CI-sized; the figures in
docs/RELIABILITY.md come from a bigger run (the command is in that file).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .processes import RedisServer
from .s3_fault_proxy import S3FaultProxy

TRIALS = max(1, int(os.environ.get("ACE_RELIABILITY_TRIALS", "3")))


@pytest.fixture
def s3_proxy(moto_server_url: str) -> Iterator[S3FaultProxy]:
    """A fault-injecting proxy in front of the session's moto server (no faults until told)."""
    with S3FaultProxy(moto_server_url) as proxy:
        yield proxy


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, which the test may flush, kill and restart."""
    with RedisServer(tmp_path / "redis") as server:
        yield server
