"""Workload 1: ACE outbound opportunities into Salesforce, the connector against the naive baseline.

The connector runs its outbound flow once over all the files (as
``ace-connector sync --once --flow outbound`` does), with sObject Collections
and then with Bulk API 2.0 enabled. The baseline upserts one record per call on
a subset of the same files; its figures are scaled linearly to the full size.
"""

from __future__ import annotations

from bench.data import split_counts, write_outbound_files
from bench.measure import Measurement
from bench.report import INFO, Row, WorkloadResult, check
from bench.services import BENCH_SPMS_ID
from bench.stage import Bench

#: The size the issue's targets are stated for.
TARGET_RECORDS = 10_000
#: Latency the ratio targets assume (a realistic network round trip to Salesforce).
TARGET_LATENCY_MS = 80
MAX_CALLS, MAX_WRITES, MAX_BULK_CALLS = 80, 55, 20
MIN_SPEEDUP = 30.0
#: Outbound record numbers (ACE ids O<n>) start here: realistic 7-digit ids.
FIRST_RECORD_NUMBER = 1_000_000
#: Records per write with Bulk API 2.0 "enabled": writes of more records than this use it.
BULK_THRESHOLD_RECORDS = 100


class IncompleteRun(RuntimeError):
    """A measured run did not apply every record: its figures would mean nothing."""


def run_connector_outbound(bench: Bench, *, records: int, name: str, counts: list[int] | None = None,
                           **settings: object) -> Measurement:
    """A fresh stage holding ``records`` outbound records in files, then one outbound run over them."""
    stage = bench.stage(name, **settings)
    counts = counts or split_counts(records)
    write_outbound_files(stage.bucket, stage.layout, counts=counts, first_number=FIRST_RECORD_NUMBER,
                         spms_id=BENCH_SPMS_ID)
    measurement = bench.measure("flow", {"flow": "outbound"}, stage=stage, records=records)
    require_complete(measurement, records=records, files=len(counts))
    return measurement


def require_complete(measurement: Measurement, *, records: int, files: int) -> None:
    counts = measurement.details.get("counts", {})
    if counts.get("records_ok", 0) != records or counts.get("files_done", 0) != files:
        raise IncompleteRun(f"the outbound run wrote {counts.get('records_ok', 0)} of {records} records and "
                            f"finished {counts.get('files_done', 0)} of {files} files: {counts}; "
                            f"first errors: {measurement.details.get('errors')}")


def run_baseline(bench: Bench, *, records: int) -> Measurement:
    stage = bench.stage("baseline")
    write_outbound_files(stage.bucket, stage.layout, counts=split_counts(records),
                         first_number=FIRST_RECORD_NUMBER, spms_id=BENCH_SPMS_ID)
    measurement = bench.measure("baseline", {"max_records": records}, stage=stage, records=records)
    if measurement.details.get("records") != records or measurement.details.get("failed"):
        raise IncompleteRun(f"the baseline wrote {measurement.details.get('records')} of {records} records, "
                            f"{measurement.details.get('failed')} failed")
    return measurement


def calls_text(m: Measurement) -> str:
    s = m.salesforce
    return f"{s.total} ({s.writes} writes, {s.reads} reads, {s.other} other)"


def outbound_workload(bench: Bench) -> tuple[WorkloadResult, Measurement]:
    options = bench.options
    n = options.records
    judged = n == TARGET_RECORDS
    judged_latency = options.latency_ms == TARGET_LATENCY_MS
    result = WorkloadResult("outbound", f"1. outbound {n:,} opportunities")
    connector = run_connector_outbound(bench, records=n, name="outbound")
    bulk = run_connector_outbound(bench, records=n, name="outbound-bulk",
                                  sf_bulk_threshold_records=BULK_THRESHOLD_RECORDS)
    subset = options.baseline_subset
    naive = run_baseline(bench, records=subset)
    factor = n / subset
    scaled = naive.scaled(factor)

    calls = connector.salesforce
    target = f"≤ {MAX_CALLS} in all, ≤ {MAX_WRITES} writes (at {TARGET_RECORDS:,})"
    value = calls_text(connector)
    result.add(check("Salesforce API calls", value, target=target, met=calls.total <= MAX_CALLS
                     and calls.writes <= MAX_WRITES) if judged else Row("Salesforce API calls", value, target))
    value = calls_text(bulk)
    target = f"≤ {MAX_BULK_CALLS} (at {TARGET_RECORDS:,})"
    result.add(check("… with Bulk API 2.0", value, target=target, met=bulk.salesforce.total <= MAX_BULK_CALLS)
               if judged else Row("… with Bulk API 2.0", value, target))
    result.add(Row("S3 requests", f"{connector.s3_requests}"))
    result.add(Row("wall time", f"{connector.wall_seconds:.1f} s ({connector.records_per_second:,.0f} rec/s)"))
    result.add(Row("wall time, Bulk API 2.0", f"{bulk.wall_seconds:.1f} s"))
    result.add(Row("peak RSS", f"{connector.peak_rss_mib:.0f} MiB"))
    baseline_label = f"naive baseline (×{factor:g} of {subset:,})" if factor != 1 else "naive baseline"
    result.add(Row(f"{baseline_label}: API calls", f"{scaled['salesforce_calls']:,}"))
    result.add(Row(f"{baseline_label}: S3 requests", f"{scaled['s3_requests']:,}"))
    result.add(Row(f"{baseline_label}: wall time", f"{scaled['wall_seconds']:,.1f} s"))
    result.add(Row(f"{baseline_label}: peak RSS (unscaled)", f"{naive.peak_rss_mib:.0f} MiB"))
    call_ratio = scaled["salesforce_calls"] / calls.total if calls.total else float("inf")
    speedup = scaled["wall_seconds"] / connector.wall_seconds
    result.add(Row("API calls, baseline ÷ connector", f"{call_ratio:,.0f}x"))
    value, target = f"{speedup:,.1f}x", f"≥ {MIN_SPEEDUP:g}x (at {TARGET_LATENCY_MS} ms)"
    result.add(check("wall time, baseline ÷ connector", value, target=target, met=speedup >= MIN_SPEEDUP)
               if judged_latency else Row("wall time, baseline ÷ connector", value, target, INFO))
    if factor != 1:
        result.notes.append(f"the naive baseline ran on {subset:,} of the {n:,} records; its calls, S3 requests "
                            f"and wall time are scaled ×{factor:g} (one call per record: its cost per record "
                            "is constant).")
    result.data.update(connector=connector.as_json(), connector_bulk=bulk.as_json(),
                       baseline=naive.as_json(), baseline_scaled=scaled, baseline_scale_factor=factor,
                       api_call_ratio=round(call_ratio, 1), wall_time_speedup=round(speedup, 2))
    return result, connector
