"""Fixtures of the UAT tests: one whole sandbox run of every scenario, shared by the module that checks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.settings import Settings
from connector.uat.suite import SuiteOutcome, run_suite


@pytest.fixture(scope="session")
def uat_settings(redis_url: str) -> Settings:
    return Settings(redis_url=redis_url)


@pytest.fixture(scope="session")
def full_sandbox_run(uat_settings: Settings, repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> SuiteOutcome:
    """Every step of every sheet, once, through the real connector against the sandbox (about 2 minutes)."""
    return run_suite(uat_settings, scenarios_dir=Path(repo_root) / "uat", mappings_dir=Path(repo_root) / "mappings",
                     report_dir=tmp_path_factory.mktemp("uat-report"))
