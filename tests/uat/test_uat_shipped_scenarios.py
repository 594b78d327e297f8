"""The shipped scenario files load and cover every step of AWS's four UAT sheets, in order."""

from __future__ import annotations

from pathlib import Path

from connector.uat.scenario import load_scenarios

#: Step numbers of AWS's sheets, as the sheets number them (7.10 written out, not 7.1).
AWS_STEPS = {
    "Partner Opp Referral - Create": ["1", "2", "3", "4", "5", "6", *(f"7.{n}" for n in range(1, 21))],
    "Partner Opp Referral": ["1", "2", "2.1", "2.2", "2.3", "3", *(f"3.{n}" for n in range(2, 17)), "4", "4.1"],
    "AWS Opp Referral": ["1", "2", "2.1", "2.2", "3", "4", "3.3", "3.4", "3.5", "3.6", "3.7", "4.1", "4.2",
                         "4.3", "4.5", "4.6", "4.8", "4.9", "4.10", "4.11", "4.12", "5"],
    "AWS Lead Referral": ["1", "2", "2.1", "3", "4", "5"],
}


def test_every_aws_step_has_a_scenario_in_sheet_order(repo_root: Path) -> None:
    scenarios = load_scenarios(Path(repo_root) / "uat")
    assert [s.sheet for s in scenarios] == list(AWS_STEPS)
    for scenario in scenarios:
        assert [step.number for step in scenario.steps] == AWS_STEPS[scenario.sheet], scenario.sheet


def test_steps_not_provable_say_why_and_all_others_have_checks(repo_root: Path) -> None:
    for scenario in load_scenarios(Path(repo_root) / "uat"):
        for step in scenario.steps:
            assert step.title and step.instructions and step.expected, step.id
            if step.not_provable:
                assert len(step.not_provable) > 40, step.id  # a reason, not a shrug
            else:
                assert step.checks and any(op.kind == "sync" for op in step.operations), step.id
