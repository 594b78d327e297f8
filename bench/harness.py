"""The benchmark harness: start the stand-ins, run the chosen workloads, print and save the figures.

    python -m bench [--latency-ms 80] [--records 10000] [--only outbound,memory] [--quick] [--json out.json]

Every workload builds its own data on a clean stage (empty org, new bucket,
private Redis prefix) and runs the code under test in a child process of its
own (see ``bench.child``), so its peak memory is its own. See bench/README.md.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from bench.options import Options
from bench.report import WorkloadResult, machine, make_console, render, write_json
from bench.services import Services
from bench.stage import Bench

REPO_ROOT = Path(__file__).resolve().parent.parent
MAPPINGS_DIR = REPO_ROOT / "mappings"


def _workload_functions() -> dict[str, Callable[[Bench, dict], WorkloadResult]]:
    from bench import growth, inbound, mapping_speed, memory, outbound, scaleout

    def run_outbound(bench: Bench, shared: dict) -> WorkloadResult:
        result, shared["outbound"] = outbound.outbound_workload(bench)
        return result

    def run_inbound(bench: Bench, shared: dict) -> WorkloadResult:
        result, shared["inbound"] = inbound.inbound_workload(bench)
        return result

    return {
        "outbound": run_outbound,
        "inbound": run_inbound,
        "results": lambda bench, shared: inbound.results_workload(bench, after=shared.get("inbound")),
        "mapping": lambda bench, shared: mapping_speed.mapping_workload(bench),
        "scale-out": lambda bench, shared: scaleout.scale_out_workload(bench),
        "memory": lambda bench, shared: memory.memory_workload(bench),
        "growth": lambda bench, shared: growth.growth_workload(bench, known=shared),
    }


def run(options: Options, *, console: Console | None = None) -> list[WorkloadResult]:
    """Run the workloads ``options.only`` names; print the table (and write JSON when asked)."""
    console = console or make_console()
    functions = _workload_functions()
    results: list[WorkloadResult] = []
    shared: dict = {}
    info = machine()
    header = (f"ace-connector benchmark — latency {options.latency_ms} ms per API call, {options.records:,} records"
              f"{' (quick)' if options.quick else ''} — {info['nproc']} × {info['cpu']}, {info['memory_gib']} GiB")
    with Services(redis_url=options.redis_url, latency_ms=options.latency_ms, work_dir=options.work_dir) as services:
        log_path = services.work_dir / "jobs.log"
        bench = Bench(services, options, log_path=log_path, mappings_dir=MAPPINGS_DIR)
        for name in options.only:
            started = time.monotonic()
            console.print(f"[dim]running {name}…[/]")
            result = functions[name](bench, shared)
            result.data["harness_seconds"] = round(time.monotonic() - started, 1)
            results.append(result)
            console.print(f"[dim]{name} done in {result.data['harness_seconds']:.0f} s[/]")
    render(results, header=header, console=console)
    if options.json_path is not None:
        write_json(options.json_path, results, options=_options_json(options))
        console.print(f"figures written to {options.json_path}")
    return results


def _options_json(options: Options) -> dict:
    return {name: (list(value) if isinstance(value, tuple) else value)
            for name, value in dataclasses.asdict(options).items()}
