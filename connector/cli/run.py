"""Top-level commands that run the connector: demo, sync, worker, scheduler, status."""

from __future__ import annotations

from enum import Enum

import typer

from connector.cli.common import not_built


class Flow(str, Enum):
    outbound = "outbound"
    inbound = "inbound"
    results = "results"
    all = "all"


def demo() -> None:
    """Run every flow once against embedded S3 (moto), the Salesforce emulator and the ACE simulator."""
    not_built("demo")


def sync(
    once: bool = typer.Option(False, "--once", help="Run the flows once, synchronously, without a broker."),
    flow: Flow = typer.Option(Flow.all, "--flow", help="Which flow to run."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be written; write nothing."),
) -> None:
    """Run sync flows synchronously (no broker)."""
    not_built("sync")


def worker(
    processes: int = typer.Option(1, "--processes", min=1, help="Worker processes."),
    threads: int = typer.Option(4, "--threads", min=1, help="Threads per process."),
) -> None:
    """Run dramatiq workers on the Redis broker."""
    not_built("worker")


def scheduler() -> None:
    """Enqueue the flows on their schedules (one active scheduler per Redis)."""
    not_built("scheduler")


def status() -> None:
    """Show backlog per folder, watermarks, last runs, recent errors and API usage."""
    not_built("status")


def register(app: typer.Typer) -> None:
    for command in (demo, sync, worker, scheduler, status):
        app.command()(command)
