"""Rich tables for the running commands: flow reports, dry-run plans and ``status``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # imported lazily: `ace-connector --help` should not load boto3 and dramatiq
    from connector.sync.report import FlowReport
    from connector.worker.status import Status

#: Dry-run values longer than this are cut in the table (the JSON in a log would have all).
MAX_PLANNED_VALUES_CHARS = 160


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%SZ") if moment else "—"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name}={value}" for name, value in counts.items()) or "nothing to do"


def print_flow_reports(console: Console, rows: Sequence[tuple[str, FlowReport | None, str | None]]) -> None:
    """One row per flow: its outcome, counters and errors (``failure`` when it raised)."""
    dry = any(report is not None and report.dry_run for _, report, _ in rows)
    table = Table(title="sync --once" + (" (dry run: nothing written)" if dry else ""), title_justify="left")
    for column in ("flow", "outcome", "counts", "errors"):
        table.add_column(column, overflow="fold")
    for flow, report, failure in rows:
        if report is None:
            table.add_row(flow, "[red]failed[/red]", "", failure or "")
            continue
        counts = report.as_counts()
        outcome = ("[yellow]busy (running elsewhere)[/yellow]" if counts.get("flow_busy")
                   else "[green]ok[/green]" if report.ok else "[yellow]errors[/yellow]")
        errors = list(report.errors[:10])
        hidden = len(report.errors) - len(errors) + report.errors_dropped
        if hidden:
            errors.append(f"… and {hidden} more (see the log)")
        table.add_row(flow, outcome, _counts(counts), "\n".join(errors))
    console.print(table)


def print_planned_writes(console: Console, reports: Iterable[FlowReport]) -> None:
    """One line per write a real run would make (lines, not a table: keys and values stay whole)."""
    lines = []
    for report in reports:
        for write in report.planned_writes:
            which = f" {write.key}" if write.key else ""
            values = str(dict(write.values)) if write.values else ""
            if len(values) > MAX_PLANNED_VALUES_CHARS:
                values = values[: MAX_PLANNED_VALUES_CHARS - 1] + "…"
            lines.append(f"{report.flow:<9}{write.action} {write.target}{which} {values}".rstrip())
    console.print("What a real run would write:" if lines else "A real run would write nothing.")
    for line in lines:
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def print_status(console: Console, status: Status) -> None:
    console.print(f"ace-connector status at {_when(status.generated_at)}", highlight=False)
    _backlog_table(console, status)
    _runs_table(console, status)
    _watermarks_table(console, status)
    console.print(f"Inbound files awaiting results: {status.awaiting_results} "
                  f"({status.unanswered} past the results timeout)", highlight=False)
    _api_table(console, status)
    _errors_table(console, status)
    _dead_letters_table(console, status)
    for problem in status.problems:
        console.print(f"[red]could not read {problem}[/red]", highlight=False)


def _backlog_table(console: Console, status: Status) -> None:
    table = Table(title="Backlog per folder", title_justify="left")
    table.add_column("folder", no_wrap=True)
    for column in ("objects", "pending", "quarantined", "oldest"):
        table.add_column(column)
    for row in status.backlog:
        pending = "" if row.pending is None else f"{row.pending}{'+' if row.pending_is_floor else ''}"
        quarantined = "" if row.quarantined is None else str(row.quarantined)
        table.add_row(row.prefix, str(row.objects), pending, quarantined, _when(row.oldest))
    console.print(table)


def _runs_table(console: Console, status: Status) -> None:
    table = Table(title="Last run of each flow", title_justify="left")
    for column in ("flow", "outcome", "started", "finished", "counts", "error"):
        table.add_column(column, overflow="fold")
    for name, run in status.last_runs.items():
        table.add_row(name, run.outcome, _when(run.started_at), _when(run.finished_at), _counts(run.counts),
                      run.error or "")
    console.print(table if status.last_runs else "No flow has run yet.")


def _watermarks_table(console: Console, status: Status) -> None:
    table = Table(title="Watermarks (inbound: changes read up to)", title_justify="left")
    table.add_column("object")
    table.add_column("at")
    table.add_column("records at that second")
    for name, mark in status.watermarks.items():
        table.add_row(name, _when(mark.at), str(len(mark.ids_at)))
    console.print(table if status.watermarks else "No watermark yet.")


def _api_table(console: Console, status: Status) -> None:
    if status.api is None:
        return
    api = status.api
    table = Table(title="Salesforce API usage (24 h)", title_justify="left")
    for column in ("connector calls", "connector budget", "org used", "org limit", "long requests now"):
        table.add_column(column)
    table.add_row(str(api.connector_calls_24h), str(api.connector_budget_24h),
                  "unknown" if api.org_used is None else str(api.org_used), str(api.org_limit),
                  str(api.long_requests_in_flight))
    console.print(table)


def _errors_table(console: Console, status: Status) -> None:
    if not status.recent_errors:
        console.print("No recent errors.")
        return
    table = Table(title="Recent errors (newest first)", title_justify="left")
    for column in ("at", "flow", "file / record", "message"):
        table.add_column(column, overflow="fold")
    for entry in status.recent_errors:
        where = " ".join(part for part in (entry.file_key, entry.record_id) if part)
        table.add_row(_when(entry.at), entry.flow, where, entry.message)
    console.print(table)


def _dead_letters_table(console: Console, status: Status) -> None:
    if not status.dead_letters:
        console.print("No dead letters.")
        return
    table = Table(title="Dead letters (messages that failed for good)", title_justify="left")
    for column in ("failed at", "actor", "args", "retries", "error"):
        table.add_column(column, overflow="fold")
    for letter in status.dead_letters:
        table.add_row(_when(letter.failed_at), letter.actor_name, ", ".join(map(str, letter.args)),
                      str(letter.retries), letter.error or "")
    console.print(table)
