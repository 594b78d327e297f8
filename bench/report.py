"""The harness's output: one Rich table for people, one JSON document for machines."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

MET, MISSED, INFO = "met", "MISSED", ""
#: Width of the table when the output is not a terminal (a file, a CI log): wide enough for one line a row.
TABLE_WIDTH_CHARS = 160


@dataclass(frozen=True)
class Row:
    """One line of the table: a measure, its figure and, when it has one, its target."""

    measure: str
    value: str
    target: str = ""
    status: str = INFO

    def as_json(self) -> dict[str, str]:
        return {"measure": self.measure, "value": self.value, "target": self.target, "status": self.status}


def check(measure: str, value: str, *, target: str, met: bool) -> Row:
    return Row(measure, value, target, MET if met else MISSED)


@dataclass
class WorkloadResult:
    name: str
    title: str
    rows: list[Row] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "rows": [row.as_json() for row in self.rows], "notes": self.notes,
                **self.data}


def machine() -> dict[str, Any]:
    """Where the figures came from: cores, CPU model, memory, Python."""
    cpu = platform.processor() or platform.machine()
    memory_bytes = 0
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
        with open("/proc/meminfo") as info:
            memory_bytes = next(int(line.split()[1]) * 1024 for line in info if line.startswith("MemTotal"))
    except (OSError, StopIteration, ValueError):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(memory_bytes / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def make_console() -> Console:
    return Console(width=None if Console().is_terminal else TABLE_WIDTH_CHARS)


def render(results: list[WorkloadResult], *, header: str, console: Console) -> None:
    table = Table(title=header, show_lines=False, title_justify="left")
    table.add_column("workload", no_wrap=True)
    table.add_column("measure")
    table.add_column("figure", justify="right")
    table.add_column("target")
    table.add_column("", no_wrap=True)
    for result in results:
        for index, row in enumerate(result.rows):
            style = {"met": "green", "MISSED": "bold red"}.get(row.status, "")
            table.add_row(result.title if index == 0 else "", row.measure, row.value, row.target,
                          f"[{style}]{row.status}[/]" if style else row.status,
                          end_section=index == len(result.rows) - 1)
    console.print(table)
    for result in results:
        for note in result.notes:
            console.print(f"[dim]{result.title}:[/] {note}")


def write_json(path: Path, results: list[WorkloadResult], *, options: dict[str, Any]) -> None:
    document = {"machine": machine(), "options": options,
                "workloads": {result.name: result.as_json() for result in results},
                "targets": [{"workload": result.name, **row.as_json()} for result in results
                            for row in result.rows if row.status]}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
