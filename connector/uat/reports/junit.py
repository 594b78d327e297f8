"""JUnit XML for CI: one test suite per AWS sheet, one test case per step.

A failed check is a ``<failure>``, a step that could not be carried out an
``<error>``, and a step not provable in the sandbox (or not run live) a
``<skipped>`` carrying the reason, so CI shows it and never counts it as passed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from connector.uat.outcome import RunResult, Status, StepResult


def _case_name(result: StepResult) -> str:
    return f"{result.step.number} {result.step.title}"


def _add_case(suite: ET.Element, result: StepResult) -> None:
    case = ET.SubElement(suite, "testcase", classname=f"uat.{result.step.sheet}", name=_case_name(result),
                         time=f"{result.duration_seconds:.3f}")
    explanation = result.explanation()
    if result.status is Status.FAILED:
        first = result.failed_checks[0].description if result.failed_checks else "a check failed"
        ET.SubElement(case, "failure", message=first, type="UatCheckFailed").text = explanation
    elif result.status is Status.ERROR:
        ET.SubElement(case, "error", message=result.reason.splitlines()[0] if result.reason else "error",
                      type="UatStepError").text = explanation
    elif result.status in (Status.NOT_PROVABLE, Status.NOT_RUN):
        ET.SubElement(case, "skipped", message=f"{result.status.value}: {result.reason}")
    lines = [("PASS " if c.ok else "FAIL ") + c.description + (f" — {c.detail}" if c.detail and not c.ok else "")
             for c in result.checks]
    if result.records or result.files:
        lines.append("records: " + ", ".join(result.records))
        lines.append("files: " + ", ".join(result.files))
    if lines:
        ET.SubElement(case, "system-out").text = "\n".join(lines)


def build_junit(run: RunResult) -> ET.Element:
    root = ET.Element("testsuites", name=f"ace-connector UAT ({run.mode})", time=f"{run.duration_seconds:.3f}")
    for scenario in run.scenarios:
        results = run.for_scenario(scenario)
        if not results:
            continue
        suite = ET.SubElement(
            root, "testsuite", name=scenario.sheet, tests=str(len(results)),
            failures=str(sum(r.status is Status.FAILED for r in results)),
            errors=str(sum(r.status is Status.ERROR for r in results)),
            skipped=str(sum(r.status in (Status.NOT_PROVABLE, Status.NOT_RUN) for r in results)),
            time=f"{sum(r.duration_seconds for r in results):.3f}", timestamp=run.started_at.isoformat())
        for result in results:
            _add_case(suite, result)
    totals = run.counts()
    root.set("tests", str(len(run.steps)))
    root.set("failures", str(totals[Status.FAILED]))
    root.set("errors", str(totals[Status.ERROR]))
    root.set("skipped", str(totals[Status.NOT_PROVABLE] + totals[Status.NOT_RUN]))
    return root


def write_junit(run: RunResult, path: str | Path) -> Path:
    tree = ET.ElementTree(build_junit(run))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return Path(path)
