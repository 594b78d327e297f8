"""A CI-sized run of the performance harness, so that it cannot rot.

Every workload runs at a tiny size with no injected latency, through the same
command line people use. Only that it runs, and that every workload reports
its rows and JSON keys, is asserted: timings are the harness's business, never
a test's.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from bench.harness import run
from bench.options import WORKLOADS, parse_options

pytestmark = pytest.mark.slow

TINY = ["--quick", "--latency-ms", "0", "--records", "20", "--baseline-records", "10",
        "--growth-sizes", "10,20", "--memory-file-mb", "0.1"]


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("bench")
    options = parse_options([*TINY, "--json", str(out / "bench.json"), "--redis-url", redis_url,
                             "--work-dir", str(out / "work")])
    printed = io.StringIO()
    run(options, console=Console(file=printed, width=200))
    return json.loads((out / "bench.json").read_text()), printed.getvalue()


def test_every_workload_reports_rows_and_figures(smoke_run: tuple[dict, str]) -> None:
    document, _ = smoke_run
    assert list(document["workloads"]) == list(WORKLOADS)
    for name, workload in document["workloads"].items():
        assert workload["rows"], f"{name} reported no rows"
        assert all(row["value"] for row in workload["rows"]), name
    workloads = document["workloads"]
    assert {"connector", "connector_bulk", "baseline", "baseline_scaled",
            "wall_time_speedup"} <= set(workloads["outbound"])
    assert workloads["outbound"]["connector"]["records"] == 20
    assert workloads["outbound"]["connector"]["salesforce_calls"]["writes"] >= 1
    assert workloads["inbound"]["connector"]["s3_by_operation"]["PutObject"] >= 1
    assert workloads["results"]["connector"]["records"] == 20
    assert {"to_salesforce", "to_ace"} <= set(workloads["mapping"])
    assert set(workloads["scale-out"]["records_per_second"]) == {"1", "2"}
    assert workloads["memory"]["big_file"]["peak_rss_mib"] > 0
    assert [m["records"] for m in workloads["growth"]["outbound"]] == [10, 20]
    assert [m["records"] for m in workloads["growth"]["inbound"]] == [10, 20]


def test_the_table_names_every_workload_and_the_machine(smoke_run: tuple[dict, str]) -> None:
    document, printed = smoke_run
    for title in (w["title"] for w in document["workloads"].values()):
        assert title in printed
    assert document["machine"]["nproc"] >= 1 and document["machine"]["cpu"]
    assert "scaled" in printed  # the baseline's subset is said, not hidden


def test_no_target_is_judged_without_the_latency_it_assumes(smoke_run: tuple[dict, str]) -> None:
    document, _ = smoke_run
    judged = {(t["workload"], t["measure"]) for t in document["targets"]}
    # At 0 ms and 20 records only the size-free mapping ratios can be judged.
    assert {workload for workload, _ in judged} <= {"mapping"}


def test_bad_arguments_are_refused_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_options(["--only", "outbound,nosuch"])
    assert "unknown workload 'nosuch'; choose from outbound" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_options(["--growth-sizes", "1k,zero"])
    assert "expected sizes like 1k,10k,100k" in capsys.readouterr().err


def test_quick_sizes_give_way_to_explicit_ones() -> None:
    options = parse_options(["--quick", "--records", "7"])
    assert options.records == 7 and options.latency_ms == 0 and options.quick
    assert parse_options([]).records == 10_000 and parse_options([]).latency_ms == 80
    assert parse_options(["--growth-sizes", "1k,10k,50k"]).growth_sizes == (1_000, 10_000, 50_000)


def test_readme_documents_the_command(repo_root: Path) -> None:
    readme = (Path(repo_root) / "bench" / "README.md").read_text()
    assert "python -m bench" in readme and "--quick" in readme
