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
