"""Workload 5: the outbound workload on the Redis broker with 1, then 2, worker processes.

Files are the unit of parallelism on the outbound side: the ``outbound`` actor
enqueues one ``outbound_file`` message per pending file, and every worker
process takes files off the queue. For each process count the harness starts
``ace-connector worker --processes N --threads T`` on a fresh stage, waits until
every process has asked the broker for work (so start-up is not timed), sends one
``outbound`` trigger, and times until every file carries the processed tag.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from bench.data import split_counts, write_outbound_files
from bench.outbound import FIRST_RECORD_NUMBER, TARGET_LATENCY_MS
from bench.report import Row, WorkloadResult, check
from bench.services import BENCH_SPMS_ID, free_port
from bench.stage import Bench, Stage
from connector.ace.bucket import PROCESSED_TAG_KEY, PROCESSED_TAG_VALUE
from connector.settings import Settings

MIN_SCALE_OUT = 1.7
WORKERS_READY_TIMEOUT_SECONDS = 120
RUN_TIMEOUT_SECONDS = 3600
POLL_SECONDS = 0.2
STOP_TIMEOUT_SECONDS = 30


class ScaleOutFailed(RuntimeError):
    """The workers did not start, or did not finish the files in time."""


def _heartbeats_key(stage: Stage) -> str:
    from connector.worker.broker import broker_namespace

    return f"{broker_namespace(stage.redis_prefix)}:__heartbeats__"


def _wait_until_ready(bench: Bench, stage: Stage, worker: subprocess.Popen, *, processes: int) -> None:
    deadline = time.monotonic() + WORKERS_READY_TIMEOUT_SECONDS
    while bench.services.redis.zcard(_heartbeats_key(stage)) < processes:
        if worker.poll() is not None:
            raise ScaleOutFailed(f"the worker exited with {worker.returncode}; see {bench.log_path}")
        if time.monotonic() > deadline:
            raise ScaleOutFailed(f"{processes} worker processes not ready after {WORKERS_READY_TIMEOUT_SECONDS} s")
        time.sleep(POLL_SECONDS)


def _trigger_outbound(bench: Bench, stage: Stage) -> None:
    """Send the ``outbound`` trigger, as the scheduler would."""
    from connector.worker.actors import redis_actors

    settings = Settings(redis_url=bench.services.redis_url, redis_key_prefix=stage.redis_prefix)
    broker, actors = redis_actors(settings)
    try:
        actors["outbound"].send()
    finally:
        broker.close()


def _wait_until_tagged(stage: Stage, keys: list[str], worker: subprocess.Popen) -> None:
    """Wait until every file is tagged, asking about one file at a time (oldest first).

    Asking about all of them every time would load the S3 server, which shares the
    machine with the workers being measured, with a request per file per poll.
    """
    pending = list(keys)
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while pending:
        if stage.bucket.get_tags(pending[0]).get(PROCESSED_TAG_KEY) == PROCESSED_TAG_VALUE:
            pending.pop(0)
            continue
        if worker.poll() is not None:
            raise ScaleOutFailed(f"the worker exited with {worker.returncode} with {len(pending)} files left")
        if time.monotonic() > deadline:
            raise ScaleOutFailed(f"{len(pending)} files still untagged after {RUN_TIMEOUT_SECONDS} s")
        time.sleep(POLL_SECONDS)


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # dramatiq stops its processes cleanly on TERM
        try:
            worker.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def run_workers(bench: Bench, *, processes: int, records: int) -> float:
    """Seconds ``processes`` worker processes take to apply ``records`` outbound records."""
    stage = bench.stage(f"scale-{processes}")
    counts = split_counts(records, min_files=2 * max(bench.options.scale_out_processes))
    keys = write_outbound_files(stage.bucket, stage.layout, counts=counts, first_number=FIRST_RECORD_NUMBER,
                                spms_id=BENCH_SPMS_ID)
    env = bench.env(stage)
    command = [sys.executable, "-c", "from connector.cli import main; main()", "worker",
               "--processes", str(processes), "--threads", str(bench.options.worker_threads),
               "--metrics-port", str(free_port())]
    with open(bench.log_path, "ab") as log:
        log.write(f"\n=== worker --processes {processes} ===\n".encode())
        log.flush()
        worker = subprocess.Popen(command, env=env, cwd=bench.services.work_dir, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_ready(bench, stage, worker, processes=processes)
        started = time.perf_counter()
        _trigger_outbound(bench, stage)
        _wait_until_tagged(stage, keys, worker)
        return time.perf_counter() - started
    finally:
        _stop(worker)


def scale_out_workload(bench: Bench) -> WorkloadResult:
    """Each process count runs ``scale_out_rounds`` times, alternating (1, 2, 1, 2): the best of each
    is compared, so that a burst of other work on the machine does not decide the ratio."""
    options = bench.options
    n = options.records
    result = WorkloadResult("scale-out", f"5. scale-out, {n:,} outbound records")
    samples: dict[int, list[float]] = {processes: [] for processes in options.scale_out_processes}
    for _ in range(options.scale_out_rounds):
        for processes in options.scale_out_processes:
            samples[processes].append(run_workers(bench, processes=processes, records=n))
    throughput = {processes: n / min(seconds) for processes, seconds in samples.items()}
    for processes, seconds in samples.items():
        result.add(Row(f"{processes} worker process{'es' if processes > 1 else ''} × "
                       f"{options.worker_threads} thread{'s' if options.worker_threads > 1 else ''}",
                       f"{min(seconds):.1f} s ({throughput[processes]:,.0f} rec/s), best of "
                       + ", ".join(f"{s:.1f}" for s in seconds)))
    one, most = min(throughput), max(throughput)
    ratio = throughput[most] / throughput[one]
    label = f"throughput, {most} ÷ {one}"
    target = f"≥ {MIN_SCALE_OUT}x (at {TARGET_LATENCY_MS} ms)"
    result.add(check(label, f"{ratio:.2f}x", target=target, met=ratio >= MIN_SCALE_OUT)
               if options.latency_ms == TARGET_LATENCY_MS else Row(label, f"{ratio:.2f}x", target))
    result.data.update(records_per_second={str(p): round(t, 1) for p, t in throughput.items()},
                       seconds={str(p): [round(s, 2) for s in seconds] for p, seconds in samples.items()},
                       ratio=round(ratio, 2), worker_threads=options.worker_threads)
    return result
