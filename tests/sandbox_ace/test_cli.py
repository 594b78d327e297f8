"""`ace-connector sandbox ace` against a real moto server: a referral round trip by command line."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.ace.bucket import AceBucket
from connector.cli import app
from connector.settings import Settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def _quiet_server_log() -> None:
    # The moto server logs each request at INFO from its own threads, to whatever stderr was
    # current at its first request; inside CliRunner that stream is closed afterwards.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


@pytest.fixture
def server_bucket(aws_test_credentials: None, moto_server_url: str, monkeypatch: pytest.MonkeyPatch) -> AceBucket:
    monkeypatch.setenv("ACE_BUCKET", "cli-sim-bucket")
    monkeypatch.setenv("ACE_S3_ENDPOINT_URL", moto_server_url)
    return AceBucket.from_settings(Settings())


def _run(state: Path, *args: str) -> str:
    result = runner.invoke(app, ["sandbox", "ace", "--state", str(state), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_referral_round_trip_through_the_cli(server_bucket: AceBucket, tmp_path: Path) -> None:
    state = tmp_path / "state"
    opp_id = _run(state, "refer-opportunity", "--company", "Example Corp").strip().splitlines()[-1]
    assert opp_id.startswith("O")
    assert "exported opportunity-outbound/" in _run(state, "export")
    [outbound] = server_bucket.list_objects("opportunity-outbound/")
    [masked] = json.loads(server_bucket.read_bytes(outbound.key))["opportunities"]
    assert masked["customerFirstName"] == "Accept To View" and masked["customerCompanyName"] == "Example Corp"

    accept = tmp_path / "accept-1.json"
    accept.write_text(json.dumps({"version": "2.0", "spmsId": "1234567", "opportunities": [
        {"partnerAcceptanceStatus": "Accepted", "apnCrmUniqueIdentifier": opp_id}]}))
    _run(state, "upload", str(accept))
    output = _run(state, "tick")
    assert "ALL      opportunity-inbound/accept-1.json -> opportunity-inbound-processed-results/accept-1_result.json" \
        in output
    results = json.loads(_run(state, "cat", "opportunity-inbound-processed-results/accept-1_result.json"))
    assert results["inboundApiResults"][0]["apnCrmUniqueIdentifier"] == opp_id
    shown = json.loads(_run(state, "show", opp_id, "--as-partner"))
    assert shown["partnerAcceptanceStatus"] == "Accepted" and shown["customerFirstName"] != "Accept To View"


def test_bucket_and_endpoint_flags_override_settings(aws_test_credentials: None, moto_server_url: str,
                                                     tmp_path: Path) -> None:
    state = tmp_path / "state"
    _run(state, "refer-lead")
    output = _run(state, "--bucket", "cli-flag-bucket", "--endpoint-url", moto_server_url, "--once")
    assert "exported lead-outbound/" in output


def test_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sandbox", "ace", "--state", str(tmp_path), "review", "O404", "--to", "Approved"])
    assert result.exit_code == 1
    assert "no opportunity with id 'O404'" in result.output
    result = runner.invoke(app, ["sandbox", "ace", "--state", str(tmp_path), "configure", "--flag", "allow_v1=maybe"])
    assert result.exit_code == 1 and "flag allow_v1 takes true or false" in result.output


def test_help_explains_a_round_trip() -> None:
    result = runner.invoke(app, ["sandbox", "ace", "--help"])
    assert result.exit_code == 0
    for word in ("refer-opportunity", "upload", "tick", "review", "seller-update", "ACE_BUCKET"):
        assert word in result.output
