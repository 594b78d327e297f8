"""The AWS scenario workbook, filled in: one sheet per AWS sheet, AWS's columns, Pass/Fail and notes completed.

Rows follow AWS's layout: the business-process rows as section headers, then
each step with its number, title, instructions and expected result (in the
project's words), the outcome in Pass/Fail and how it was proved in User Notes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connector.uat.outcome import RunResult, Status

#: AWS's column headers (its title column has no header).
COLUMNS = ("Step #", "", "Step by Step Instructions", "Expected Results", "Pass/Fail", "User Notes")
_WIDTHS = (8, 40, 60, 60, 14, 70)
#: Excel refuses sheet titles over 31 characters.
MAX_SHEET_TITLE_CHARS = 31
_FILLS = {Status.PASSED: "C6EFCE", Status.FAILED: "FFC7CE", Status.ERROR: "FFC7CE",
          Status.NOT_PROVABLE: "FFEB9C", Status.NOT_RUN: "FFEB9C"}


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:  # the uat extra is not installed
        from connector.errors import ConfigurationError

        raise ConfigurationError("the .xlsx report needs openpyxl: pip install 'ace-connector[uat]'") from None
    return openpyxl


def write_workbook(run: RunResult, path: str | Path) -> Path:
    openpyxl = _openpyxl()
    from openpyxl.styles import Alignment, Font, PatternFill

    book = openpyxl.Workbook()
    book.remove(book.active)
    wrap = Alignment(wrap_text=True, vertical="top")
    for scenario in run.scenarios:
        results = run.for_scenario(scenario)
        if not results:
            continue
        sheet = book.create_sheet(title=scenario.sheet[:MAX_SHEET_TITLE_CHARS])
        sheet.append(COLUMNS)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, width in enumerate(_WIDTHS):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        sheet.freeze_panes = "A2"
        for section in scenario.sections:
            chosen = [r for r in results if r.step in section.steps]
            if not chosen:
                continue
            sheet.append((section.title,))
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
            for result in chosen:
                step = result.step
                # Step numbers stay text: as numbers, 7.10 would read 7.1 (as in AWS's own export).
                sheet.append((step.number, step.title, step.instructions, step.expected,
                              result.status.workbook_text, result.user_notes(mode=run.mode)))
                row = sheet.max_row
                for cell in sheet[row]:
                    cell.alignment = wrap
                sheet.cell(row=row, column=1).number_format = "@"
                sheet.cell(row=row, column=5).fill = PatternFill("solid", fgColor=_FILLS[result.status])
    book.save(path)
    return Path(path)
