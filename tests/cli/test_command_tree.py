"""The CLI's command tree is an external contract (docs/ARCHITECTURE.md): every command exists and has help."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from connector.cli import app

CONTRACT_COMMANDS = [
    ["demo"],
    ["sync"],
    ["worker"],
    ["scheduler"],
    ["status"],
    ["mappings", "validate"],
    ["mappings", "schema"],
    ["sandbox", "salesforce"],
    ["sandbox", "ace"],
    ["sandbox", "up"],
    ["uat", "run"],
    ["golive", "link"],
]

runner = CliRunner()


@pytest.mark.parametrize("command", CONTRACT_COMMANDS, ids=" ".join)
def test_contract_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_top_level_help_lists_every_group() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("demo", "sync", "worker", "scheduler", "status", "mappings", "sandbox", "uat", "golive"):
        assert name in result.output
