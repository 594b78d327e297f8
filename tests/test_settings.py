from __future__ import annotations

import pytest
from pydantic import ValidationError

from connector.settings import Settings


def test_settings_read_the_documented_env_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACE_BUCKET", "ace-apn-123-beta-us-west-2")
    monkeypatch.setenv("ACE_AFTER_PROCESSING", "delete")
    monkeypatch.setenv("SF_API_VERSION", "60.0")
    monkeypatch.setenv("ACE_OPPORTUNITY_OUTBOUND_PREFIX", "custom-out")
    settings = Settings()
    assert settings.ace_bucket == "ace-apn-123-beta-us-west-2"
    assert settings.ace_after_processing == "delete"
    assert settings.sf_api_version == "60.0"
    assert settings.ace_opportunity_outbound_prefix == "custom-out/"


def test_secrets_never_appear_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SF_PASSWORD", "hunter2-very-secret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-value-123")
    settings = Settings()
    assert "hunter2-very-secret" not in repr(settings)
    assert "aws-secret-value-123" not in str(settings.model_dump())
    assert set(settings.secret_values()) == {"hunter2-very-secret", "aws-secret-value-123"}


def test_records_per_file_is_capped_at_ace_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACE_INBOUND_RECORDS_PER_FILE", "51")
    with pytest.raises(ValidationError, match="ace_inbound_records_per_file"):
        Settings()
