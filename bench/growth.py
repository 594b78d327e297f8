"""Workload 7: workloads 1 and 2 at growing sizes; the cost per record must stay flat.

"Flat within 25%" is read as: over all sizes, the highest wall time per record
is at most 1.25 times the lowest. A run of the outbound or inbound workload at
one of the sizes (workload 1 or 2 in the same harness run) is reused.
"""

from __future__ import annotations

from bench.inbound import run_inbound
from bench.measure import Measurement
from bench.outbound import TARGET_LATENCY_MS, run_connector_outbound
from bench.report import Row, WorkloadResult, check
from bench.stage import Bench

MAX_SPREAD = 0.25


def spread(measurements: list[Measurement]) -> float:
    """How far the dearest record is above the cheapest, as a fraction (0.25 = 25%)."""
    costs = [m.ms_per_record for m in measurements]
    return max(costs) / min(costs) - 1 if min(costs) > 0 else float("inf")


def growth_workload(bench: Bench, *, known: dict) -> WorkloadResult:
    options = bench.options
    result = WorkloadResult("growth", "7. growth, cost per record")
    runs: dict[str, list[Measurement]] = {"outbound": [], "inbound": []}
    for size in options.growth_sizes:
        earlier = known.get("outbound")
        runs["outbound"].append(earlier if earlier is not None and earlier.records == size else
                                run_connector_outbound(bench, records=size, name=f"growth-outbound-{size}"))
        earlier_inbound = known.get("inbound")
        runs["inbound"].append(earlier_inbound.measurement if earlier_inbound is not None
                               and earlier_inbound.measurement.records == size else
                               run_inbound(bench, records=size, name=f"growth-inbound-{size}").measurement)
    for flow, measurements in runs.items():
        for m in measurements:
            result.add(Row(f"{flow} {m.records:,}",
                           f"{m.ms_per_record:.2f} ms/rec, {1000 * m.salesforce.total / m.records:.1f} calls/1k, "
                           f"{m.peak_rss_mib:.0f} MiB"))
        value = f"{100 * spread(measurements):.0f}%"
        label = f"{flow}: dearest ÷ cheapest record − 1"
        target = f"≤ {100 * MAX_SPREAD:.0f}% (at {TARGET_LATENCY_MS} ms)"
        result.add(check(label, value, target=target, met=spread(measurements) <= MAX_SPREAD)
                   if options.latency_ms == TARGET_LATENCY_MS else Row(label, value, target))
        result.data[flow] = [m.as_json() for m in measurements]
    return result
