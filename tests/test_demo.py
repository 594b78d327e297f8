"""`ace-connector demo`: the README's first command links every record and exits 0."""

from __future__ import annotations

import re

import pytest
import redis
from typer.testing import CliRunner

from connector.cli import app


@pytest.mark.slow
def test_the_demo_links_every_record_and_exits_0(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    keys_before = {key for key in redis.Redis.from_url(redis_url).scan_iter("ace-demo:*")}

    result = CliRunner().invoke(app, ["demo"])

    assert result.exit_code == 0, result.output
    output = result.stdout
    assert "round 1" in output, "progress is shown while it runs"
    assert re.search(r"3 of 3\s+records linked", output), output
    for ace_id in (r"O\d{7}", r"L\d{7}"):
        assert re.search(ace_id, output)
    assert re.search(r"0068c\w{13}", output) and re.search(r"00Q8c\w{13}", output), "Salesforce Ids are shown"
    assert output.count(" yes ") == 3 and " no " not in output
    assert "session" not in output.lower(), "no session id (or any secret) is printed"
    leftover = {key for key in redis.Redis.from_url(redis_url).scan_iter("ace-demo:*")} - keys_before
    assert not leftover, "the demo removes its Redis keys"


def test_the_demo_fails_clearly_when_redis_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens there
    monkeypatch.setenv("PATH", "/nonexistent")  # and no redis-server to start instead

    result = CliRunner().invoke(app, ["demo"])

    assert result.exit_code == 1
    assert "Redis" in result.output and "127.0.0.1:9" in result.output
