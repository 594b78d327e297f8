"""Live mode: it refuses to start without a real bucket and org, and it never loads the simulator."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from connector.cli import app
from connector.errors import ConfigurationError
from connector.settings import Settings
from connector.uat.live import check_live_settings


def test_live_mode_names_every_missing_setting() -> None:
    with pytest.raises(ConfigurationError) as caught:
        check_live_settings(Settings())
    message = str(caught.value)
    assert "ACE_BUCKET" in message and "ACE_SPMS_ID" in message and "SF_USERNAME" in message


def test_live_mode_refuses_a_production_bucket() -> None:
    settings = Settings(ace_bucket="ace-apn-1588143-prod-us-west-2", ace_spms_id="1588143",
                        sf_username="uat@example.com")
    with pytest.raises(ConfigurationError, match="looks like a production bucket"):
        check_live_settings(settings)


def test_cli_live_without_configuration_exits_2_before_touching_anything(repo_root) -> None:
    result = CliRunner().invoke(app, ["uat", "run", "--live", "--scenarios", f"{repo_root}/uat",
                                      "--mappings", f"{repo_root}/mappings"])
    assert result.exit_code == 2
    assert "uat run --live needs a real bucket and org" in result.output


def test_live_mode_never_imports_the_sandbox() -> None:
    code = ("import sys, connector.uat.live, connector.uat.suite, connector.uat.runner, connector.uat.reports\n"
            "loaded = sorted(m for m in sys.modules if m.startswith('connector.sandbox') or m == 'moto')\n"
            "assert not loaded, loaded\n")
    subprocess.run([sys.executable, "-c", code], check=True)
