"""Workload 7: workloads 1 and 2 at growing sizes; the cost per record must stay flat.

"Flat within 25%" is read as: over all sizes, the highest wall time per record
is at most 1.25 times the lowest. A run of the outbound or inbound workload at
one of the sizes (workload 1 or 2 in the same harness run) is reused.

On a shared machine a burst of other work can slow one run by a third. So each
size but the largest runs ``growth_rounds`` times and its cheapest run counts
(the largest runs once: it is long enough to average bursts out). This can only
flatter the small sizes, which makes the check stricter where it matters: a cost
per record that grows with the size.
"""

from __future__ import annotations

from collections.abc import Callable

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


def cheapest_run(size: int, *, rounds: int, earlier: Measurement | None,
                 run: Callable[[int, int], Measurement]) -> tuple[Measurement, list[float]]:
    """The cheapest of ``rounds`` runs at ``size`` (an earlier run at that size counts as one)."""
    runs = [earlier] if earlier is not None and earlier.records == size else []
    while len(runs) < rounds:
        runs.append(run(size, len(runs)))
    return min(runs, key=lambda m: m.ms_per_record), [round(m.ms_per_record, 3) for m in runs]


def growth_workload(bench: Bench, *, known: dict) -> WorkloadResult:
    options = bench.options
    result = WorkloadResult("growth", "7. growth, cost per record")
    earlier_inbound = known.get("inbound")
    flows: dict[str, tuple[Measurement | None, Callable[[int, int], Measurement]]] = {
        "outbound": (known.get("outbound"), lambda size, round_: run_connector_outbound(
            bench, records=size, name=f"growth-outbound-{size}-{round_}")),
        "inbound": (earlier_inbound.measurement if earlier_inbound is not None else None,
                    lambda size, round_: run_inbound(bench, records=size,
                                                     name=f"growth-inbound-{size}-{round_}").measurement),
    }
    largest = max(options.growth_sizes)
    for flow, (earlier, run) in flows.items():
        measurements, samples = [], {}
        for size in options.growth_sizes:
            rounds = 1 if size == largest else options.growth_rounds
            measurement, samples[str(size)] = cheapest_run(size, rounds=rounds, earlier=earlier, run=run)
            measurements.append(measurement)
        for m in measurements:
            tried = len(samples[str(m.records)])
            best_of = f" (best of {tried})" if tried > 1 else ""
            result.add(Row(f"{flow} {m.records:,}",
                           f"{m.ms_per_record:.2f} ms/rec{best_of} (CPU {m.cpu_ms_per_record:.2f}), "
                           f"{1000 * m.salesforce.total / m.records:.1f} calls/1k, {m.peak_rss_mib:.0f} MiB"))
        value = f"{100 * spread(measurements):.0f}%"
        label = f"{flow}: dearest ÷ cheapest record − 1"
        target = f"≤ {100 * MAX_SPREAD:.0f}% (at {TARGET_LATENCY_MS} ms)"
        result.add(check(label, value, target=target, met=spread(measurements) <= MAX_SPREAD)
                   if options.latency_ms == TARGET_LATENCY_MS else Row(label, value, target))
        result.data[flow] = [m.as_json() for m in measurements]
        result.data[f"{flow}_ms_per_record_samples"] = samples
    return result
