"""The harness's command line and the sizes each workload runs at."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, replace
from pathlib import Path

#: The workloads of the performance issue, in the order they run.
WORKLOADS = ("outbound", "inbound", "results", "mapping", "scale-out", "memory", "growth")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class Options:
    records: int = 10_000
    latency_ms: int = 80
    #: The naive baseline runs on this many records; its figures are scaled to ``records``.
    baseline_records: int = 1_000
    growth_sizes: tuple[int, ...] = (1_000, 10_000, 100_000)
    #: Runs of each growth size but the largest; the cheapest counts.
    growth_rounds: int = 2
    memory_big_file_mb: float = 50.0
    memory_small_files: int = 10
    memory_small_file_mb: float = 5.0
    scale_out_processes: tuple[int, ...] = (1, 2)
    #: Runs of each process count (alternating); the best of each is compared.
    scale_out_rounds: int = 2
    worker_threads: int = 1
    mapping_records: int = 20_000
    only: tuple[str, ...] = WORKLOADS
    json_path: Path | None = None
    redis_url: str = DEFAULT_REDIS_URL
    work_dir: Path | None = None
    quick: bool = False

    @property
    def baseline_subset(self) -> int:
        return min(self.baseline_records, self.records)


#: ``--quick``: every workload at a size a CI run affords (a few seconds each).
QUICK = {"records": 240, "baseline_records": 40, "growth_sizes": (60, 240, 960), "memory_big_file_mb": 1.0,
         "memory_small_files": 3, "memory_small_file_mb": 0.2, "mapping_records": 500,
         "scale_out_rounds": 1, "growth_rounds": 1}


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part.replace("_", "").lower().replace("k", "000")) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 1k,10k,100k, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive, got {text!r}")
    return sizes


def _workloads(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [name for name in names if name not in WORKLOADS]
    if unknown or not names:
        what = f"unknown workload {', '.join(map(repr, unknown))}" if unknown else "no workload named"
        raise argparse.ArgumentTypeError(f"{what}; choose from {', '.join(WORKLOADS)}")
    return names


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=(
        "The connector's performance harness: builds its own data, runs every workload against a moto "
        "S3 server and the Salesforce org emulator (with network latency injected), prints one table "
        "and optionally writes JSON."))
    p.add_argument("--latency-ms", type=_non_negative, default=None,
                   help="Latency the org emulator adds to every API call (default 80; 0 with --quick).")
    p.add_argument("--records", type=_positive, default=None,
                   help="Records of the outbound, inbound, results and scale-out workloads (default 10000).")
    p.add_argument("--baseline-records", type=_positive, default=None,
                   help="Records the naive baseline runs on; scaled linearly to --records (default 1000).")
    p.add_argument("--growth-sizes", type=_sizes, default=None,
                   help="Sizes of the growth workload (default 1k,10k,100k).")
    p.add_argument("--memory-file-mb", type=float, default=None,
                   help="Size of the one big outbound file of the memory workload (default 50).")
    p.add_argument("--worker-threads", type=_positive, default=1,
                   help="Threads per worker process in the scale-out workload (default 1).")
    p.add_argument("--only", type=_workloads, default=WORKLOADS,
                   help=f"Comma-separated workloads to run: {', '.join(WORKLOADS)} (default all).")
    p.add_argument("--quick", action="store_true",
                   help="A CI-sized smoke run: every workload at a small size, no latency unless given.")
    p.add_argument("--json", dest="json_path", type=Path, default=None, help="Also write the figures here as JSON.")
    p.add_argument("--redis-url", default=os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
                   help="Redis for the broker, locks and state; the run uses a private key prefix "
                        "and removes it afterwards (default $REDIS_URL or redis://127.0.0.1:6379/0).")
    p.add_argument("--work-dir", type=Path, default=None,
                   help="Keep the emulator's data and the jobs' logs here (default: a temporary folder).")
    return p


def parse_options(argv: list[str] | None = None) -> Options:
    args = parser().parse_args(argv)
    options = Options(only=args.only, json_path=args.json_path, redis_url=args.redis_url,
                      work_dir=args.work_dir, worker_threads=args.worker_threads, quick=args.quick,
                      latency_ms=0 if args.quick else 80)
    if args.quick:
        options = replace(options, **QUICK)
    given = {"latency_ms": args.latency_ms, "records": args.records, "baseline_records": args.baseline_records,
             "growth_sizes": args.growth_sizes, "memory_big_file_mb": args.memory_file_mb}
    return replace(options, **{name: value for name, value in given.items() if value is not None})
