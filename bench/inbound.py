"""Workloads 2 and 3: changed opportunities out to ACE, then ACE's results written back.

**Inbound**: the org holds N shared opportunities never sent (loaded through
Bulk API 2.0, outside the measurement); one inbound run maps, checks and sends
them as ACE files (``ACE_INBOUND_RECORDS_PER_FILE`` records a file: 1 by
default, as AWS advises), marks them Sent and advances the watermark.

**Results**: ACE answers every file the inbound run sent (the harness writes the
results files as ACE would: success, with a new ``O…`` id for each created
opportunity); one results run correlates them and writes the ids and statuses
back onto the records.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.inbound_data import load_partner_opportunities
from bench.measure import Measurement
from bench.outbound import IncompleteRun
from bench.report import Row, WorkloadResult
from bench.services import BENCH_SPMS_ID
from bench.stage import Bench, Stage
from connector.ace.jsonio import dump_json
from connector.ace.results import results_file_name
from connector.sandbox.ace.results import RecordOutcome, results_document
from connector.sync.state import SyncState

#: Salesforce record numbers of the inbound data (their ACE ids, once created, follow).
FIRST_INBOUND_NUMBER = 5_000_000
#: Threads the harness writes ACE's results files with (set-up, not measured).
RESULTS_WRITER_THREADS = 8


@dataclass
class InboundRun:
    """An inbound run and the stage it left behind (files sent, ledger), for the results workload."""

    stage: Stage
    measurement: Measurement


def run_inbound(bench: Bench, *, records: int, name: str = "inbound") -> InboundRun:
    stage = bench.stage(name)
    with bench.without_latency():
        load_partner_opportunities(bench.services.emulator.salesforce(), count=records,
                                   first_number=FIRST_INBOUND_NUMBER, mappings_dir=bench.mappings_dir)
    measurement = bench.measure("flow", {"flow": "inbound"}, stage=stage, records=records)
    counts = measurement.details.get("counts", {})
    if counts.get("records_ok", 0) != records:
        raise IncompleteRun(f"the inbound run sent {counts.get('records_ok', 0)} of {records} records: {counts}; "
                            f"first errors: {measurement.details.get('errors')}")
    return InboundRun(stage=stage, measurement=measurement)


def inbound_workload(bench: Bench) -> tuple[WorkloadResult, InboundRun]:
    n = bench.options.records
    run = run_inbound(bench, records=n)
    m = run.measurement
    result = WorkloadResult("inbound", f"2. inbound {n:,} changed opportunities")
    result.add(Row("SOQL calls", f"{m.salesforce.soql}"))
    result.add(Row("Salesforce API calls", f"{m.salesforce.total} ({m.salesforce.writes} writes)"))
    result.add(Row("S3 PUTs", f"{m.s3_operation('PutObject'):,} ({m.details['counts'].get('files_sent', 0):,} files)"))
    result.add(Row("wall time", f"{m.wall_seconds:.1f} s ({m.records_per_second:,.0f} rec/s)"))
    result.add(Row("peak RSS", f"{m.peak_rss_mib:.0f} MiB"))
    result.data.update(connector=m.as_json())
    return result, run


def answer_sent_files(bench: Bench, stage: Stage) -> int:
    """Write ACE's results for every file in the ledger, as ACE would; returns the records answered."""
    sent = SyncState(bench.services.redis, prefix=stage.redis_prefix).pending_files()
    results_prefix = stage.layout.for_entity("opportunity").results
    now = datetime.now(UTC)
    jobs = []
    next_number = FIRST_INBOUND_NUMBER
    for file in sent:
        outcomes = []
        for partner_key in file.partner_keys:
            outcomes.append(RecordOutcome(partner_key=partner_key, aws_id=f"O{next_number}"))
            next_number += 1
        document = results_document(file_key=file.key, spms_id=BENCH_SPMS_ID, outcomes=outcomes, processed_at=now)
        jobs.append((results_prefix + results_file_name(file.key), dump_json(document)))

    def put(job: tuple[str, bytes]) -> None:
        stage.bucket.client.put_object(Bucket=stage.bucket.name, Key=job[0], Body=job[1])

    with ThreadPoolExecutor(RESULTS_WRITER_THREADS) as pool:
        list(pool.map(put, jobs))
    return next_number - FIRST_INBOUND_NUMBER


def results_workload(bench: Bench, *, after: InboundRun | None = None) -> WorkloadResult:
    n = bench.options.records
    inbound = after or run_inbound(bench, records=n, name="results")
    answered = answer_sent_files(bench, inbound.stage)
    m = bench.measure("flow", {"flow": "results"}, stage=inbound.stage, records=answered)
    counts = m.details.get("counts", {})
    if counts.get("records_ok", 0) != answered:
        raise IncompleteRun(f"the results run wrote back {counts.get('records_ok', 0)} of {answered} results: "
                            f"{counts}; first errors: {m.details.get('errors')}")
    result = WorkloadResult("results", f"3. results for {answered:,} records")
    result.add(Row("Salesforce API calls", f"{m.salesforce.total} ({m.salesforce.writes} writes, "
                                           f"{m.salesforce.reads} reads)"))
    result.add(Row("S3 requests", f"{m.s3_requests:,}"))
    result.add(Row("wall time", f"{m.wall_seconds:.1f} s ({m.records_per_second:,.0f} rec/s)"))
    result.add(Row("peak RSS", f"{m.peak_rss_mib:.0f} MiB"))
    result.data.update(connector=m.as_json())
    return result
