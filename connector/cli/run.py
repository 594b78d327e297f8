"""Top-level commands that run the connector: demo, sync, worker, scheduler, status."""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path

import typer

from connector.cli.common import console, err_console
from connector.cli.startup import EnvFileOption, start
from connector.errors import ConnectorError

#: Exit codes: a flow failed or left errors; the command was used wrongly.
EXIT_FAILED = 1
EXIT_USAGE = 2


class Flow(str, Enum):
    outbound = "outbound"
    inbound = "inbound"
    results = "results"
    all = "all"


def demo(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show the connector's log lines too."),
    keep: Path | None = typer.Option(None, "--keep", file_okay=False,
                                     help="Keep the sandbox's files (org, simulator state) in this folder."),
) -> None:
    """Run every flow against embedded S3 (moto), the Salesforce emulator and the ACE simulator."""
    from connector.demo import run_demo  # the sandbox extra is needed only here

    start(log_level="INFO" if verbose else "WARNING")
    try:
        result = run_demo(console=console, work_dir=keep)
    except ConnectorError as exc:
        err_console.print(f"[red]demo failed:[/red] {exc}", highlight=False)
        raise typer.Exit(EXIT_FAILED) from None
    if not result.all_linked:
        err_console.print("[red]demo failed: not every record was linked (see the table)[/red]")
        raise typer.Exit(EXIT_FAILED)


def sync(
    once: bool = typer.Option(False, "--once", help="Run the flows once, synchronously, without a broker."),
    flow: Flow = typer.Option(Flow.all, "--flow",
                              help="Which flow to run; `all` runs outbound, results, then inbound."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be written; write nothing."),
    env_file: Path | None = EnvFileOption,
) -> None:
    """Run sync flows synchronously (no broker); exit 1 when a flow failed or reported errors."""
    from connector.sync.context import SyncContext
    from connector.sync.service import flows_for, run_flow

    if not once:
        err_console.print("`sync` runs the flows once and needs --once; for continuous sync run "
                          "`ace-connector worker` and `ace-connector scheduler`.")
        raise typer.Exit(EXIT_USAGE)
    settings = start(env_file)
    try:
        ctx = SyncContext.from_settings(settings, dry_run=dry_run)
    except ConnectorError as exc:
        err_console.print(f"[red]cannot start:[/red] {exc}", highlight=False)
        raise typer.Exit(EXIT_FAILED) from None
    rows = []
    for name in flows_for(flow.value):
        try:
            rows.append((name, run_flow(ctx, name), None))
        except ConnectorError as exc:
            rows.append((name, None, f"{type(exc).__name__}: {exc}"))
    from connector.cli import render

    render.print_flow_reports(console, rows)
    if dry_run:
        render.print_planned_writes(console, [report for _, report, _ in rows if report is not None])
    if any(report is None or not report.ok for _, report, _ in rows):
        raise typer.Exit(EXIT_FAILED)


def worker(
    processes: int = typer.Option(1, "--processes", min=1, help="Worker processes."),
    threads: int = typer.Option(4, "--threads", min=1, help="Threads per process."),
    metrics_port: int = typer.Option(9191, "--metrics-port", min=1, max=65535,
                                     help="Port of the Prometheus endpoint serving every process's metrics."),
    env_file: Path | None = EnvFileOption,
) -> None:
    """Run dramatiq workers on the Redis broker (until SIGTERM/SIGINT)."""
    start(env_file)  # fails early, in this process, on bad settings
    os.environ["dramatiq_prom_port"] = str(metrics_port)
    command = dramatiq_command(processes=processes, threads=threads)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)


def dramatiq_command(*, processes: int, threads: int) -> list[str]:
    """dramatiq's own command line on the connector's broker (it imports ``actors.broker`` per process)."""
    return [sys.executable, "-m", "dramatiq", "connector.worker.actors:broker",
            "--processes", str(processes), "--threads", str(threads)]


def scheduler(env_file: Path | None = EnvFileOption) -> None:
    """Enqueue the flows on their schedules (one active scheduler per Redis; others stand by)."""
    from connector.worker.actors import FLOW_ACTORS, redis_actors
    from connector.worker.scheduler import run_scheduler

    settings = start(env_file)
    _, actors = redis_actors(settings)
    run_scheduler(settings, {flow: actors[flow].send for flow in FLOW_ACTORS})


def status(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    errors: int = typer.Option(10, "--errors", min=0, help="How many recent errors to show."),
    env_file: Path | None = EnvFileOption,
) -> None:
    """Show backlog per folder, watermarks, last runs, recent errors, dead letters and API usage."""
    from connector.cli import render
    from connector.worker.status import read_status

    settings = start(env_file, log_level="WARNING")
    reading = read_status(settings, errors=errors)
    if as_json:
        typer.echo(json.dumps(reading.to_json(), indent=2))
    else:
        render.print_status(console, reading)
    if reading.problems:
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    for command in (demo, sync, worker, scheduler, status):
        app.command()(command)
