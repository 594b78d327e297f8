"""Workload 4: the compiled YAML mapping against a hand-written dict mapping of the same fields.

The mapping benchmark (``bench.mapping``) holds both mappings and their data;
here they run in a child process of their own, each way, best of a few passes.
"""

from __future__ import annotations

from typing import Any

from bench.report import Row, WorkloadResult, check
from bench.stage import Bench

MIN_RATIO = 0.67
REPEAT = 5
DIRECTIONS = ("to_salesforce", "to_ace")


def measure_mapping(records: int, *, repeat: int = REPEAT) -> dict[str, Any]:
    """Records per second of both mappings, each way (runs in the measured child)."""
    from bench.mapping import (
        MAPPING,
        check_mapping_text,
        hand_to_ace,
        hand_to_salesforce,
        records_per_second,
        sample_records,
    )

    compiled, errors = check_mapping_text(MAPPING, file="bench mapping")
    if errors or compiled is None:
        raise RuntimeError("the benchmark mapping does not load: " + "; ".join(map(str, errors)))
    ace_records = sample_records(records)
    salesforce_records = [{"Id": f"006{index:015d}", **compiled.to_salesforce(record).values}
                          for index, record in enumerate(ace_records)]
    figures = {}
    for direction, mine, theirs, data in (
            ("to_salesforce", compiled.to_salesforce, hand_to_salesforce, ace_records),
            ("to_ace", compiled.to_ace, hand_to_ace, salesforce_records)):
        compiled_rate = records_per_second(mine, data, repeat=repeat)
        hand_rate = records_per_second(theirs, data, repeat=repeat)
        figures[direction] = {"compiled_records_per_second": round(compiled_rate),
                              "hand_written_records_per_second": round(hand_rate),
                              "ratio": round(compiled_rate / hand_rate, 3)}
    return figures


def mapping_workload(bench: Bench) -> WorkloadResult:
    stage = bench.stage("mapping")
    n = bench.options.mapping_records
    measurement = bench.measure("mapping", {"records": n}, stage=stage, records=n)
    result = WorkloadResult("mapping", f"4. mapping, {n:,} records")
    for direction in DIRECTIONS:
        figures = measurement.details[direction]
        result.add(Row(f"{direction}: compiled / hand-written",
                       f"{figures['compiled_records_per_second']:,} / "
                       f"{figures['hand_written_records_per_second']:,} rec/s"))
        result.add(check(f"{direction}: compiled ÷ hand-written", f"{figures['ratio']:.2f}x",
                         target=f"≥ {MIN_RATIO}x", met=figures["ratio"] >= MIN_RATIO))
        result.data[direction] = figures
    return result
