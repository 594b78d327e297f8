"""The three forms of the UAT report, written side by side into one folder.

``junit.xml`` for CI, ``uat-report.html`` to read, ``uat-scenarios.xlsx`` to
hand to the AWS partner manager (AWS's sheets and columns, filled in).
"""

from __future__ import annotations

from pathlib import Path

from connector.uat.outcome import RunResult
from connector.uat.reports.html import write_html
from connector.uat.reports.junit import write_junit
from connector.uat.reports.workbook import write_workbook

JUNIT_FILE = "junit.xml"
HTML_FILE = "uat-report.html"
WORKBOOK_FILE = "uat-scenarios.xlsx"

__all__ = ["HTML_FILE", "JUNIT_FILE", "WORKBOOK_FILE", "write_html", "write_junit", "write_reports",
           "write_workbook"]


def write_reports(run: RunResult, directory: str | Path) -> list[Path]:
    """Write the three reports into ``directory`` (created if needed); returns their paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / JUNIT_FILE, folder / HTML_FILE, folder / WORKBOOK_FILE]
    write_junit(run, paths[0])
    write_html(run, paths[1])
    write_workbook(run, paths[2])
    return paths
