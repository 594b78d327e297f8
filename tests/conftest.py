"""Fixtures shared by the whole suite.

Redis is real: tests use the server named by ACE_TEST_REDIS_URL (set by
`python3 dev.py test`; default db 15 on the local server) and a key prefix of
their own, and fail, never skip, when it does not answer.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis

TEST_REDIS_URL = os.environ.get("ACE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def redis_url() -> str:
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:  # a test that needs Redis gets Redis, or fails loudly
        pytest.fail(f"Redis at {TEST_REDIS_URL} does not answer ({exc}); run the tests with "
                    "`python3 dev.py test`, which starts one when needed.")
    return TEST_REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix private to one test; its keys are removed afterwards."""
    prefix = f"acetest:{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep a developer's own `.env` and ACE_/SF_ variables out of the tests."""
    for name in list(os.environ):
        if name.startswith(("ACE_", "SF_")) and name != "ACE_TEST_REDIS_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path_factory.getbasetemp())
    from connector.settings import get_settings

    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    """A test that configures logging binds structlog to that test's captured stderr: undo it."""
    import structlog

    yield
    structlog.reset_defaults()


@pytest.fixture(scope="session")
def repo_root() -> "os.PathLike[str]":
    from pathlib import Path

    return Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def moto_server_url() -> Iterator[str]:
    """A real moto S3 server on a free port, for tests that cross process or HTTP boundaries."""
    import socket

    import logging

    from moto.server import ThreadedMotoServer

    # The server thread outlives any one test's captured stream; keep its request log quiet.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_test_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials, so boto3 never looks for real ones."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
