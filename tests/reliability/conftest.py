"""Fixtures of the reliability suite.

``ACE_RELIABILITY_TRIALS`` scales the trial counts (kill trials, fuzz examples,
convergence cycles). The default keeps the whole suite CI-sized; the figures in
docs/RELIABILITY.md come from a bigger run (the command is in that file).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from connector.sandbox.salesforce import EmulatorServer

from .processes import RedisServer
from .s3_fault_proxy import S3FaultProxy
from .scenario_table import ScenarioTable
from .world import API_VERSION, World

TRIALS = max(1, int(os.environ.get("ACE_RELIABILITY_TRIALS", "1")))


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


@pytest.fixture(scope="session")
def reliability_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(api_version=API_VERSION) as server:
        yield server


@pytest.fixture
def make_world(reliability_emulator: EmulatorServer, moto_server_url: str, s3_proxy: S3FaultProxy,
               redis_url: str, redis_prefix: str, repo_root: Path, tmp_path: Path) -> Callable[..., World]:
    """``make_world(redis=..., **settings)``: a fresh bucket, ACE and org; the connector's S3 goes through
    ``s3_proxy``. Redis is the shared test server under a private prefix unless ``redis`` is given.
    The org is emptied for each world: ACE's ids start again at O1000001 in each new simulator."""

    def make(*, redis: RedisServer | None = None, **setting_changes: object) -> World:
        world = World(work_dir=tmp_path, emulator=reliability_emulator, s3_endpoint_url=moto_server_url,
                      connector_s3_endpoint_url=s3_proxy.url,
                      redis_url=redis.url if redis else redis_url, redis_prefix=redis_prefix,
                      mappings_dir=Path(repo_root) / "mappings", **setting_changes)
        world.reset_org()
        return world

    return make


@pytest.fixture(scope="session")
def scenario_table() -> Iterator[ScenarioTable]:
    """Rows for docs/RELIABILITY.md; written as Markdown to ``ACE_RELIABILITY_REPORT`` when it is set."""
    table = ScenarioTable()
    yield table
    target = os.environ.get("ACE_RELIABILITY_REPORT")
    if target and table.rows:
        Path(target).write_text(table.markdown(), encoding="utf-8")
