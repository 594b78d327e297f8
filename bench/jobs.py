"""What a measured child process runs (see ``bench.child``).

Each job reads the connector's settings from its environment (the harness
points them at the stand-ins), times only the work itself, and answers a
JSON-able dict: ``wall_seconds``, the S3 requests it sent, and what it did.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from typing import Any

from bench.child import current_rss_bytes
from connector.settings import Settings


def cpu_seconds() -> float:
    """CPU time this process has used (user and system, every thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def flow(spec: dict[str, Any]) -> dict[str, Any]:
    """One run of a connector flow, as ``ace-connector sync --once --flow F`` does it.

    The flow's modules and the metrics are loaded before the clock starts: a worker loads
    them once and runs flows for days, so their import is start-up, not the flow's cost.
    """
    from connector.sync.context import SyncContext
    from connector.sync.service import flow_function, run_flow
    from connector.worker.metrics import connector_metrics

    flow_function(spec["flow"])
    connector_metrics()
    ctx = SyncContext.from_settings(Settings())
    rss_before_work = current_rss_bytes()
    cpu_started, started = cpu_seconds(), time.perf_counter()
    report = run_flow(ctx, spec["flow"])
    wall_seconds = time.perf_counter() - started
    counter = ctx.bucket.counter
    return {"wall_seconds": wall_seconds, "cpu_seconds": cpu_seconds() - cpu_started,
            "rss_before_work_bytes": rss_before_work,
            "counts": report.as_counts(), "errors": report.errors[:5],
            "errors_total": len(report.errors) + report.errors_dropped,
            "s3_requests": counter.total if counter else None,
            "s3_by_operation": counter.by_operation if counter else {}}


def baseline(spec: dict[str, Any]) -> dict[str, Any]:
    """The naive outbound sync: one simple-salesforce upsert per record."""
    from bench.baseline import run_naive_outbound

    return run_naive_outbound(Settings(), max_records=spec["max_records"])


def mapping(spec: dict[str, Any]) -> dict[str, Any]:
    """The compiled mapping against the hand-written one, records per second each way."""
    from bench.mapping_speed import measure_mapping

    started = time.perf_counter()
    figures = measure_mapping(spec["records"])
    return {"wall_seconds": time.perf_counter() - started, **figures}


JOBS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"flow": flow, "baseline": baseline, "mapping": mapping}
