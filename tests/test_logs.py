from __future__ import annotations

import pytest
import structlog

from connector.logs import REDACTED, configure_logging


def test_secrets_are_redacted_from_log_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(fmt="json", secrets=["s3cr3t-token-value"])
    log = structlog.get_logger("test")
    log.error("login failed", detail="token s3cr3t-token-value refused", nested={"k": ["s3cr3t-token-value"]})
    try:
        raise RuntimeError("boom with s3cr3t-token-value")
    except RuntimeError:
        log.exception("crashed")
    err = capsys.readouterr().err
    assert "s3cr3t-token-value" not in err
    assert err.count(REDACTED) >= 3


def test_url_without_password_hides_only_the_password() -> None:
    from connector.logs import url_without_password

    assert url_without_password("redis://:pa55word@10.0.0.5:6380/2") == "redis://:***@10.0.0.5:6380/2"
    assert url_without_password("rediss://user:pa55word@cache/0") == "rediss://user:***@cache/0"
    assert url_without_password("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_demo_never_prints_the_redis_password() -> None:
    from io import StringIO

    from rich.console import Console

    from connector.demo import _redis

    out = StringIO()
    console = Console(file=out, width=200)
    with _redis("redis://:pa55word@127.0.0.1:1/0", console=console) as url:  # nothing answers on port 1
        assert url.startswith("redis://127.0.0.1:")
    assert "pa55word" not in out.getvalue()
    assert "***" in out.getvalue()


def test_library_log_lines_are_redacted_too(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    root = logging.getLogger()
    before = list(root.handlers)
    handler = logging.StreamHandler()  # what a worker's root logger writes through
    root.addHandler(handler)
    try:
        configure_logging(fmt="json", secrets=["lib-secret-value-9"])
        logging.getLogger("botocore.test").warning("request signed with %s", "lib-secret-value-9")
        try:
            raise RuntimeError("failed with lib-secret-value-9")
        except RuntimeError:
            logging.getLogger("dramatiq.test").exception("actor crashed")
    finally:
        for extra in [h for h in root.handlers if h not in before]:
            root.removeHandler(extra)
    err = capsys.readouterr().err
    assert "lib-secret-value-9" not in err
    assert err.count(REDACTED) >= 2
