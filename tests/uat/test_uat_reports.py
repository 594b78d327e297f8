"""The three report forms: JUnit XML that parses, a self-contained HTML page, and AWS's workbook filled in."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from connector.uat.outcome import CheckResult, RunResult, Status, StepResult
from connector.uat.reports import HTML_FILE, JUNIT_FILE, WORKBOOK_FILE, write_reports
from connector.uat.reports.workbook import COLUMNS
from connector.uat.scenario import parse_scenario

SHEET = textwrap.dedent("""
    version: 1
    key: sheet-a
    sheet: Partner Opp Referral - Create
    sections:
      - title: "Business process: the partner creates opportunities"
        steps:
          - {step: "1", title: Create <basic>, instructions: Do it, expected: It works, checks: [{synced: {record: o}}],
             action: [{create: {record: o}}]}
          - {step: "7.10", title: Solutions, instructions: Do it, expected: Error, checks: [{refused: {record: o}}],
             action: [{create: {record: o}}]}
      - title: "Business process: validations"
        steps:
          - {step: "7.11", title: Revenue, instructions: Do it, expected: Error, checks: [{refused: {record: o}}],
             action: [{create: {record: o}}]}
          - {step: "7.20", title: Version, instructions: Do it, expected: Error, not_provable: AWS only}
""")


@pytest.fixture
def run() -> RunResult:
    scenario = parse_scenario(SHEET, file="a.yaml")
    one, ten, eleven, twenty = scenario.steps
    results = [
        StepResult(one, Status.PASSED, [CheckResult("Opportunity o is Synced with an ACE id", True)],
                   duration_seconds=1.25, records=["Opportunity 006000000000001AAA (O1000001)"],
                   files=["opportunity-inbound/opp_1.json"]),
        StepResult(ten, Status.FAILED, [CheckResult("ACE refuses o", True),
                                        CheckResult("error mentions solutionOffered", False,
                                                    "the record's error is '<empty>'")]),
        StepResult(eleven, Status.ERROR, reason="the inbound flow crashed: boom"),
        StepResult(twenty, Status.NOT_PROVABLE, reason="AWS only"),
    ]
    return RunResult(mode="sandbox", scenarios=[scenario], steps=results,
                     started_at=datetime(2024, 5, 1, 12, tzinfo=UTC), duration_seconds=3.5)


def test_junit_xml_parses_and_counts_each_outcome(run: RunResult, tmp_path: Path) -> None:
    write_reports(run, tmp_path)
    root = ET.parse(tmp_path / JUNIT_FILE).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("4", "1", "1", "1")
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "Partner Opp Referral - Create"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"1 Create <basic>", "7.10 Solutions", "7.11 Revenue", "7.20 Version"}
    failure = cases["7.10 Solutions"].find("failure")
    assert failure is not None and "the record's error is '<empty>'" in failure.text
    assert cases["7.11 Revenue"].find("error").get("message") == "the inbound flow crashed: boom"
    assert cases["7.20 Version"].find("skipped").get("message") == "not provable in sandbox: AWS only"
    assert cases["1 Create <basic>"].get("classname") == "uat.sheet-a"
    assert "opportunity-inbound/opp_1.json" in cases["1 Create <basic>"].find("system-out").text


def test_html_is_self_contained_escaped_and_shows_what_was_checked(run: RunResult, tmp_path: Path) -> None:
    write_reports(run, tmp_path)
    page = (tmp_path / HTML_FILE).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "http" not in page  # nothing fetched, nothing executed
    assert "Create &lt;basic&gt;" in page and "Create <basic>" not in page
    assert "error mentions solutionOffered: the record&#x27;s error is &#x27;&lt;empty&gt;&#x27;" in page
    assert "Opportunity 006000000000001AAA (O1000001)" in page
    assert "not provable in sandbox" in page and "AWS only" in page
    assert "1.25 s" in page
    assert "Business process: validations" in page


def test_workbook_has_aws_sheets_columns_and_filled_in_results(run: RunResult, tmp_path: Path) -> None:
    write_reports(run, tmp_path)
    book = openpyxl.load_workbook(tmp_path / WORKBOOK_FILE)
    assert book.sheetnames == ["Partner Opp Referral - Create"]
    rows = list(book["Partner Opp Referral - Create"].iter_rows(values_only=True))
    assert tuple(v or "" for v in rows[0]) == COLUMNS
    assert rows[1][0] == "Business process: the partner creates opportunities"
    by_step = {row[0]: row for row in rows[2:] if row[1]}
    assert set(by_step) == {"1", "7.10", "7.11", "7.20"}  # 7.10 stays 7.10, not 7.1
    assert by_step["1"][1:5] == ("Create <basic>", "Do it", "It works", "Pass")
    assert by_step["7.10"][4] == "Fail" and "solutionOffered" in by_step["7.10"][5]
    assert by_step["7.11"][4] == "Fail" and "the inbound flow crashed" in by_step["7.11"][5]
    assert by_step["7.20"][4] == "Not provable in sandbox" and by_step["7.20"][5] == "AWS only"
    assert "Automated (sandbox): 1 check(s) passed." in by_step["1"][5]
