"""`ace-connector mappings validate [--org] [--dir]` and `mappings schema`."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from connector.cli import app
from connector.mapping import mapping_schema

runner = CliRunner()


def test_validate_passes_on_the_shipped_files(repo_root) -> None:
    result = runner.invoke(app, ["mappings", "validate", "--dir", str(repo_root / "mappings")])
    assert result.exit_code == 0, result.output
    assert "OK" in result.stdout and "opportunity <-> Opportunity" in result.stdout


def test_validate_uses_ace_mappings_dir(repo_root, monkeypatch) -> None:
    monkeypatch.setenv("ACE_MAPPINGS_DIR", str(repo_root / "mappings"))
    result = runner.invoke(app, ["mappings", "validate"])
    assert result.exit_code == 0, result.output
    assert "lead <-> Lead" in result.stdout


def test_validate_exits_1_with_file_line_column_errors(repo_root, tmp_path) -> None:
    shutil.copy(repo_root / "mappings" / "lead.yaml", tmp_path / "lead.yaml")
    text = (tmp_path / "lead.yaml").read_text().replace("direction: to_ace", "direction: inbound", 1)
    (tmp_path / "lead.yaml").write_text(text)
    line = text[:text.index("inbound")].count("\n") + 1
    result = runner.invoke(app, ["mappings", "validate", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{tmp_path / 'lead.yaml'}:{line}:16: direction 'inbound' is not one of to_salesforce, to_ace, both"]


def test_validate_org_catches_a_field_missing_in_the_org(repo_root, tmp_path, org, monkeypatch) -> None:
    monkeypatch.setenv("SF_INSTANCE_URL", org.instance_url)
    monkeypatch.setenv("SF_SESSION_ID", org.session_id)
    monkeypatch.setenv("SF_CA_BUNDLE", org.ca_bundle)
    monkeypatch.setenv("SF_API_VERSION", org.api_version)
    good = runner.invoke(app, ["mappings", "validate", "--org", "--dir", str(repo_root / "mappings")])
    assert good.exit_code == 0, good.output
    assert "every field exists in the org" in good.stdout
    assert org.session_id not in good.stdout + good.stderr
    text = (repo_root / "mappings" / "opportunity.yaml").read_text().replace("ACE_Use_Case__c", "ACE_UseCase__c")
    (tmp_path / "opportunity.yaml").write_text(text)
    bad = runner.invoke(app, ["mappings", "validate", "--org", "--dir", str(tmp_path)])
    assert bad.exit_code == 1
    [line] = bad.stdout.splitlines()
    assert line.startswith(f"{tmp_path / 'opportunity.yaml'}:{text[:text.index('ACE_UseCase__c')].count(chr(10)) + 1}:")
    assert "field 'ACE_UseCase__c' does not exist on Opportunity" in line


def test_validate_org_without_credentials_says_what_is_missing(repo_root) -> None:
    result = runner.invoke(app, ["mappings", "validate", "--org", "--dir", str(repo_root / "mappings")])
    assert result.exit_code == 1
    assert "no complete Salesforce credential set" in result.stderr


def test_schema_prints_the_current_schema() -> None:
    result = runner.invoke(app, ["mappings", "schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == mapping_schema()
