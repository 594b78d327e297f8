"""A self-contained HTML page (no scripts, no external files): every step, what was checked, what it touched."""

from __future__ import annotations

from html import escape
from pathlib import Path

from connector.uat.outcome import RunResult, Status, StepResult

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#16191f}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}h3{font-size:1rem;color:#545b64}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #d5dbdb;padding:.35rem .5rem;vertical-align:top;text-align:left;font-size:.9rem}
th{background:#f2f3f3}td.num{white-space:nowrap}
.passed{background:#e9f7ef}.failed,.error{background:#fdecea}
.not-provable-in-sandbox,.not-run{background:#fff8e1}
ul{margin:0;padding-left:1.1rem}li.bad{color:#b0281a;font-weight:600}
.summary td{font-weight:600}code{font-size:.85rem}
"""


def _css_class(status: Status) -> str:
    return status.value.replace(" ", "-")


def _checks_cell(result: StepResult) -> str:
    items = []
    if result.reason:
        items.append(f"<li class='bad'>{escape(result.reason)}</li>" if result.status.is_failure
                     else f"<li>{escape(result.reason)}</li>")
    for check in result.checks:
        text = escape(check.description)
        if not check.ok:
            detail = f": {escape(check.detail)}" if check.detail else ""
            items.append(f"<li class='bad'>✗ {text}{detail}</li>")
        else:
            items.append(f"<li>✓ {text}</li>")
    return "<ul>" + "".join(items) + "</ul>" if items else ""


def _touched_cell(result: StepResult) -> str:
    lines = [escape(r) for r in result.records] + [f"<code>{escape(f)}</code>" for f in result.files]
    return "<br>".join(lines)


def _step_row(result: StepResult) -> str:
    step = result.step
    return (f"<tr class='{_css_class(result.status)}'><td class='num'>{escape(step.number)}</td>"
            f"<td>{escape(step.title)}</td><td>{escape(result.status.value)}</td>"
            f"<td>{_checks_cell(result)}</td><td>{_touched_cell(result)}</td>"
            f"<td class='num'>{result.duration_seconds:.2f} s</td></tr>")


def render_html(run: RunResult) -> str:
    totals = run.counts()
    summary = "".join(f"<tr><td>{escape(status.value)}</td><td>{count}</td></tr>"
                      for status, count in totals.items())
    body = [f"<h1>ace-connector UAT report ({escape(run.mode)})</h1>",
            f"<p>Started {escape(run.started_at.isoformat(timespec='seconds'))}, "
            f"{run.duration_seconds:.1f} s, {len(run.steps)} step(s): "
            f"<strong>{'all passed' if run.ok else 'FAILURES'}</strong>.</p>",
            f"<table class='summary'><tr><th>Result</th><th>Steps</th></tr>{summary}</table>"]
    header = ("<tr><th>Step</th><th>Title</th><th>Result</th><th>What was checked</th>"
              "<th>Records and files</th><th>Time</th></tr>")
    for scenario in run.scenarios:
        results = run.for_scenario(scenario)
        if not results:
            continue
        body.append(f"<h2>{escape(scenario.sheet)}</h2>")
        if scenario.description:
            body.append(f"<p>{escape(scenario.description)}</p>")
        for section in scenario.sections:
            rows = [_step_row(r) for r in results if r.step in section.steps]
            if rows:
                body.append(f"<h3>{escape(section.title)}</h3><table>{header}{''.join(rows)}</table>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>ace-connector UAT report</title><style>{_STYLE}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")


def write_html(run: RunResult, path: str | Path) -> Path:
    Path(path).write_text(render_html(run), encoding="utf-8")
    return Path(path)
