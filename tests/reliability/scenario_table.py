"""The figures of each scenario: what was injected, trials, records expected, lost, duplicated, recovery."""

from __future__ import annotations

from dataclasses import dataclass, field

from .world import Tally


@dataclass
class ScenarioRow:
    scenario: str
    injected: str
    trials: int = 0
    expected: int = 0
    lost: int = 0
    duplicates: int = 0
    recovery: list[float] = field(default_factory=list)  # seconds (or cycles, see ``recovery_unit``)
    recovery_unit: str = "s"
    notes: str = ""
    extra: list[float] = field(default_factory=list)  # a scenario's own measure, summed or maxed in its notes

    def add_trial(self, tally: Tally, *, recovery: float | None = None) -> None:
        self.trials += 1
        self.expected += tally.expected
        self.lost += tally.lost
        self.duplicates += tally.duplicates
        if recovery is not None:
            self.recovery.append(recovery)

    def recovery_text(self) -> str:
        if not self.recovery:
            return "—"
        values = sorted(self.recovery)
        median = values[len(values) // 2]
        return f"median {median:.1f} {self.recovery_unit}, max {values[-1]:.1f} {self.recovery_unit}"


class ScenarioTable:
    def __init__(self) -> None:
        self.rows: list[ScenarioRow] = []

    def row(self, scenario: str, injected: str, *, recovery_unit: str = "s") -> ScenarioRow:
        """The row of ``scenario`` (each trial is its own test and adds to the same row)."""
        for row in self.rows:
            if row.scenario == scenario:
                return row
        row = ScenarioRow(scenario=scenario, injected=injected, recovery_unit=recovery_unit)
        self.rows.append(row)
        return row

    def markdown(self) -> str:
        lines = ["| scenario | injected | trials | records expected | lost | duplicates | time to recover | notes |",
                 "|---|---|---:|---:|---:|---:|---|---|"]
        for r in self.rows:
            lines.append(f"| {r.scenario} | {r.injected} | {r.trials} | {r.expected} | {r.lost} | {r.duplicates} "
                         f"| {r.recovery_text()} | {r.notes} |")
        return "\n".join(lines) + "\n"
