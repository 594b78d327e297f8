"""One UAT run from start to finish: load the scenarios, start the backend, run, report, clean up.

The CLI calls :func:`run_suite`; tests call it too. The sandbox backend is
imported only when asked for, so a live run never loads the simulator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from connector.mapping import load_mappings
from connector.settings import Settings
from connector.uat.backend import Backend
from connector.uat.outcome import RunResult, StepResult
from connector.uat.reports import write_reports
from connector.uat.runner import UatRunner
from connector.uat.scenario import load_scenarios, select_steps

DEFAULT_SCENARIOS_DIR = Path("uat")


@dataclass
class SuiteOutcome:
    run: RunResult
    report_paths: list[Path] = field(default_factory=list)
    #: live runs: Salesforce records the suite created and could not delete
    left_behind: list[str] = field(default_factory=list)


def start_backend(settings: Settings, *, live: bool, mappings_dir: Path,
                  results_timeout_seconds: float | None = None) -> Backend:
    if live:
        from connector.uat.live import DEFAULT_RESULTS_TIMEOUT_SECONDS, LiveBackend

        return LiveBackend.start(settings.model_copy(update={"ace_mappings_dir": mappings_dir}),
                                 results_timeout_seconds=results_timeout_seconds or DEFAULT_RESULTS_TIMEOUT_SECONDS)
    from connector.uat.sandbox import SandboxBackend

    return SandboxBackend.start(redis_url=settings.redis_url, mappings_dir=mappings_dir)


def run_suite(settings: Settings, *, live: bool = False, only: Sequence[str] = (),
              scenarios_dir: Path = DEFAULT_SCENARIOS_DIR, mappings_dir: Path | None = None,
              report_dir: Path | None = None, on_start: Callable[[int], None] | None = None,
              on_step: Callable[[StepResult], None] | None = None,
              results_timeout_seconds: float | None = None) -> SuiteOutcome:
    """Run the chosen steps; bad scenarios, mappings or settings fail before anything starts."""
    scenarios = load_scenarios(scenarios_dir)
    steps = select_steps(scenarios, only)
    mappings_dir = Path(mappings_dir or settings.ace_mappings_dir)
    mappings = load_mappings(mappings_dir)  # a broken mapping is reported here, file:line
    backend = start_backend(settings, live=live, mappings_dir=mappings_dir,
                            results_timeout_seconds=results_timeout_seconds)
    runner = UatRunner(backend, mappings=mappings, on_step=on_step)
    try:
        if on_start is not None:
            on_start(len(steps))
        run = runner.run(scenarios, steps)
        left = runner.clean_up() if live else []
    finally:
        backend.close()
    paths = write_reports(run, report_dir) if report_dir is not None else []
    return SuiteOutcome(run=run, report_paths=paths, left_behind=left)
