"""`ace-connector uat ...`: AWS's UAT test scripts, automated."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from connector.cli.common import console, err_console
from connector.errors import ConfigurationError, MappingError
from connector.settings import get_settings

app = typer.Typer(help="Run AWS's UAT scenarios and write the sign-off report.", no_args_is_help=True)

_STYLES = {"passed": "green", "failed": "red", "error": "red", "not provable in sandbox": "yellow",
           "not run": "yellow"}


@app.command("run")
def run_suite(
    live: Annotated[bool, typer.Option("--live", help="Use the configured bucket (AWS's beta bucket) and org; "
                                                     "nothing simulated.")] = False,
    only: Annotated[list[str] | None, typer.Option(
        "--only", help="Run only this step: 7.10, <sheet>:7.10 or a sheet key (repeatable).")] = None,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Write junit.xml, uat-report.html and uat-scenarios.xlsx into this folder.")] = None,
    scenarios: Annotated[Path, typer.Option(help="Folder of scenario files.")] = Path("uat"),
    mappings: Annotated[Path | None, typer.Option(help="Mappings folder (default: ACE_MAPPINGS_DIR).")] = None,
    results_timeout: Annotated[float | None, typer.Option(
        help="--live: seconds to wait for ACE's results of each sync.")] = None,
) -> None:
    """Run the UAT suite (sandbox by default, --live against the real bucket and org)."""
    from connector.uat.suite import run_suite as run

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task("UAT", total=None)

        def started(total: int) -> None:
            progress.update(task, total=total)

        def finished(result) -> None:  # noqa: ANN001 - a StepResult
            style = _STYLES[result.status.value]
            progress.console.print(f"[{style}]{result.status.value:>8}[/{style}] {result.step.id} "
                                   f"{result.step.title} ({result.duration_seconds:.1f} s)")
            progress.advance(task)

        try:
            outcome = run(get_settings(), live=live, only=only or (), scenarios_dir=scenarios, mappings_dir=mappings,
                          report_dir=report, on_start=started, on_step=finished,
                          results_timeout_seconds=results_timeout)
        except (ConfigurationError, MappingError) as exc:
            err_console.print(f"[red]uat run: {exc}[/red]")
            raise typer.Exit(2) from None
    _summary(outcome.run)
    for path in outcome.report_paths:
        console.print(f"report: {path}")
    for left in outcome.left_behind:
        err_console.print(f"[yellow]not cleaned up: {left}[/yellow]")
    raise typer.Exit(0 if outcome.run.ok else 1)


def _summary(run) -> None:  # noqa: ANN001 - a RunResult
    table = Table(title=f"UAT ({run.mode}): {len(run.steps)} step(s) in {run.duration_seconds:.1f} s")
    table.add_column("Sheet")
    for status in _STYLES:
        table.add_column(status, justify="right")
    for scenario in run.scenarios:
        results = run.for_scenario(scenario)
        if results:
            counts = [sum(r.status.value == status for r in results) for status in _STYLES]
            table.add_row(scenario.sheet, *(str(c) if c else "" for c in counts))
    console.print(table)
    for result in run.steps:
        if result.status.is_failure:
            console.print(f"[red]{result.step.id} {result.step.title}[/red]\n  "
                          + result.explanation().replace("\n", "\n  "))
