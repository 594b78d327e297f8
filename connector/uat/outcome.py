"""What a UAT run found: one ``StepResult`` per step, gathered in a ``RunResult``.

The reporters (JUnit XML, HTML, the AWS workbook, the console) only read these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from connector.uat.scenario import Scenario, Step


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"  # a check did not hold
    ERROR = "error"  # the step could not be carried out (a flow crashed, a record could not be written)
    NOT_PROVABLE = "not provable in sandbox"  # reported with the reason, never counted as passed
    NOT_RUN = "not run"  # live mode: the step needs AWS to act

    @property
    def workbook_text(self) -> str:
        """What goes in the workbook's Pass/Fail column."""
        return {Status.PASSED: "Pass", Status.FAILED: "Fail", Status.ERROR: "Fail",
                Status.NOT_PROVABLE: "Not provable in sandbox", Status.NOT_RUN: "Not run"}[self]

    @property
    def is_failure(self) -> bool:
        return self in (Status.FAILED, Status.ERROR)


@dataclass(frozen=True)
class CheckResult:
    """One expectation: what was checked, whether it held, and (when not) what was found instead."""

    description: str
    ok: bool
    detail: str = ""


@dataclass
class StepResult:
    step: Step
    status: Status
    checks: list[CheckResult] = field(default_factory=list)
    duration_seconds: float = 0.0
    #: what the step touched, for the reader: "Opportunity 006… (O1000003)", bucket keys
    records: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    #: why the step failed to run, could not be proved, or was not run
    reason: str = ""

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.ok]

    def explanation(self) -> str:
        """A readable account of a failure or of why the step was not proved."""
        if self.status is Status.PASSED:
            return ""
        lines = [self.reason] if self.reason else []
        lines.extend(f"{c.description}: {c.detail}" if c.detail else c.description for c in self.failed_checks)
        return "\n".join(lines)

    def user_notes(self, *, mode: str) -> str:
        """The workbook's User Notes: how the step was proved, or why it was not."""
        parts = []
        if self.status is Status.PASSED:
            parts.append(f"Automated ({mode}): {len(self.checks)} check(s) passed.")
        elif self.status.is_failure:
            parts.append(f"Automated ({mode}): " + self.explanation())
        else:
            parts.append(self.reason)
        if self.step.notes:
            parts.append(self.step.notes)
        if self.records:
            parts.append("Records: " + ", ".join(self.records))
        return "\n".join(p for p in parts if p)


@dataclass
class RunResult:
    mode: str  # "sandbox" or "live"
    scenarios: list[Scenario]
    steps: list[StepResult]
    started_at: datetime
    duration_seconds: float = 0.0

    def counts(self) -> dict[Status, int]:
        totals = dict.fromkeys(Status, 0)
        for result in self.steps:
            totals[result.status] += 1
        return totals

    @property
    def ok(self) -> bool:
        """True when no step failed or errored (steps not provable or not run are reported, not failures)."""
        return not any(result.status.is_failure for result in self.steps)

    def for_scenario(self, scenario: Scenario) -> list[StepResult]:
        return [r for r in self.steps if r.step.sheet == scenario.key]

    def result_of(self, step: Step) -> StepResult | None:
        return next((r for r in self.steps if r.step is step), None)
