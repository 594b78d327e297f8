"""A deliberately broken mapping makes the steps that depend on it fail, saying which field and which rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from connector.settings import Settings
from connector.uat.outcome import Status
from connector.uat.suite import run_suite

STEPS = ["partner-referral-lifecycle:4", "aws-opportunity-referral:5", "aws-lead-referral:1"]


@pytest.mark.slow
def test_next_step_no_longer_written_to_salesforce_fails_the_next_step_steps(
        uat_settings: Settings, repo_root: Path, tmp_path: Path) -> None:
    mappings = tmp_path / "mappings"
    shutil.copytree(Path(repo_root) / "mappings", mappings)
    opportunity = mappings / "opportunity.yaml"
    text = opportunity.read_text()
    rule = "  - ace: nextStep\n    salesforce: NextStep\n    direction: both\n"
    assert rule in text
    opportunity.write_text(text.replace(rule, rule.replace("direction: both", "direction: to_ace")))
    line = text[:text.index(rule)].count("\n") + 1

    outcome = run_suite(uat_settings, only=STEPS, scenarios_dir=Path(repo_root) / "uat", mappings_dir=mappings)

    by_id = {r.step.id: r for r in outcome.run.steps}
    assert by_id["aws-lead-referral:1"].status is Status.PASSED  # untouched by the change
    for step_id in STEPS[:2]:
        result = by_id[step_id]
        assert result.status is Status.FAILED
        explanation = result.explanation()
        assert "nextStep is " in explanation and "found <empty>" in explanation
        assert f"opportunity.yaml:{line}: nextStep <-> NextStep (to_ace)" in explanation
    assert not outcome.run.ok
