"""Workload 6: peak memory of the outbound flow on one big file, and on ten smaller ones.

A 50 MB outbound file holds about 12,000 records. The outbound flow streams it
(it never holds the file whole, nor all its records parsed at once), so its
peak resident memory must stay near that of a small run.
"""

from __future__ import annotations

from bench.data import write_sized_file
from bench.outbound import FIRST_RECORD_NUMBER, require_complete
from bench.report import Row, WorkloadResult, check
from bench.services import BENCH_SPMS_ID
from bench.stage import Bench

MIB = 1024 * 1024
MAX_PEAK_RSS_MIB = 250
#: The size the memory target is stated for.
TARGET_FILE_MB = 50


def run_files(bench: Bench, *, name: str, files: int, file_mb: float) -> tuple[float, int, int]:
    """(peak RSS MiB, records, bytes) of one outbound run over ``files`` files of ``file_mb`` each."""
    stage = bench.stage(name)
    records = total_bytes = 0
    for index in range(files):
        _, count, size = write_sized_file(stage.bucket, stage.layout, target_bytes=int(file_mb * 1_000_000),
                                          first_number=FIRST_RECORD_NUMBER + records, spms_id=BENCH_SPMS_ID,
                                          name=f"{name}-{index:02d}")
        records += count
        total_bytes += size
    measurement = bench.measure("flow", {"flow": "outbound"}, stage=stage, records=records)
    require_complete(measurement, records=records, files=files)
    return measurement.peak_rss_mib or 0.0, records, total_bytes


def memory_workload(bench: Bench) -> WorkloadResult:
    options = bench.options
    result = WorkloadResult("memory", "6. memory, outbound files")
    big_rss, big_records, big_bytes = run_files(bench, name="memory-big", files=1, file_mb=options.memory_big_file_mb)
    label = f"peak RSS, one {big_bytes / 1e6:.0f} MB file ({big_records:,} records)"
    value = f"{big_rss:.0f} MiB"
    judged = options.memory_big_file_mb >= TARGET_FILE_MB
    result.add(check(label, value, target=f"≤ {MAX_PEAK_RSS_MIB} MiB", met=big_rss <= MAX_PEAK_RSS_MIB)
               if judged else Row(label, value, f"≤ {MAX_PEAK_RSS_MIB} MiB (at {TARGET_FILE_MB} MB)"))
    small_rss, small_records, small_bytes = run_files(bench, name="memory-small", files=options.memory_small_files,
                                                      file_mb=options.memory_small_file_mb)
    result.add(Row(f"peak RSS, {options.memory_small_files} files of {options.memory_small_file_mb:g} MB "
                   f"({small_records:,} records)", f"{small_rss:.0f} MiB"))
    result.data.update(big_file={"bytes": big_bytes, "records": big_records, "peak_rss_mib": round(big_rss, 1)},
                       small_files={"files": options.memory_small_files, "bytes": small_bytes,
                                    "records": small_records, "peak_rss_mib": round(small_rss, 1)})
    return result
