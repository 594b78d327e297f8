"""Large writes through Bulk API 2.0 ingest jobs (upsert and update).

simple-salesforce runs the job (create, upload, close, poll) and this module
maps the job's result CSVs back onto the caller's records. Bulk results come
in no particular order and carry no row number, only the uploaded columns, so
each record is found again by its key: the external id for an upsert, the
``Id`` for an update. That is why a create never goes through here.

simple-salesforce sleeps ``wait`` seconds before its first poll (5 by
default) and then polls at slowly growing intervals; a short first wait keeps
small jobs quick without flooding a real org with polls on long ones.
"""

from __future__ import annotations

import csv
import io
import time
from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from simple_salesforce import Salesforce

from connector.logs import get_logger
from connector.salesforce.errors import translated_errors
from connector.salesforce.records import Operation, csv_row, find_key, key_field, key_value, missing_key_error
from connector.salesforce.results import WriteResult, failed, parse_bulk_error
from connector.salesforce.retry import RetryPolicy, call_with_retries

#: Seconds simple-salesforce waits before its first look at a job.
BULK_FIRST_POLL_SECONDS = 0.2

log = get_logger(__name__)


class BulkWriter:
    def __init__(self, sf: Salesforce, *, retry_policy: RetryPolicy,
                 first_poll_seconds: float = BULK_FIRST_POLL_SECONDS,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._sf = sf
        self._retry_policy = retry_policy
        self._first_poll_seconds = first_poll_seconds
        self._sleep = sleep

    def write(self, operation: Operation, object_name: str, records: Sequence[Mapping[str, Any]], *,
              external_id_field: str | None = None) -> list[WriteResult]:
        """One result per record, in input order. A job that fails as a whole raises."""
        key = key_field(operation, external_id_field)
        if key is None:
            raise ValueError("Bulk API writes need a key to find each record's result; create has none")
        results: list[WriteResult | None] = [None] * len(records)
        rows: list[dict[str, str]] = []
        pending: dict[str, deque[int]] = defaultdict(deque)
        for index, record in enumerate(records):
            if key_value(record, key) is None:
                results[index] = failed(index, *missing_key_error(operation, key))
                continue
            row = csv_row(record)
            own_spelling = find_key(record, key)
            if own_spelling != key:  # one spelling, so the result column is found by name
                row[key] = row.pop(own_spelling)  # type: ignore[arg-type]
            rows.append(row)
            pending[row[key]].append(index)
        if rows:
            for job_id in self._run_jobs(operation, object_name, rows, key):
                self._collect(object_name, job_id, key, pending, results)
        return [r if r is not None else
                failed(i, "NO_RESULT", "the bulk job reported no result for this record")
                for i, r in enumerate(results)]

    def _run_jobs(self, operation: Operation, object_name: str, rows: list[dict[str, str]],
                  key: str) -> list[str]:
        def run_once() -> list[dict[str, Any]]:
            with translated_errors():
                bulk_type = getattr(self._sf.bulk2, object_name)
                if operation is Operation.UPSERT:
                    return bulk_type.upsert(records=rows, external_id_field=key,
                                            wait=self._first_poll_seconds)
                return bulk_type.update(records=rows, wait=self._first_poll_seconds)

        # Upsert and update are idempotent, so a job that broke off may simply run again.
        jobs = call_with_retries(run_once, policy=self._retry_policy, sleep=self._sleep,
                                 what=f"bulk {operation.value} {object_name}")
        log.info("salesforce.bulk_jobs_done", object=object_name, operation=operation.value,
                 records=len(rows), jobs=[job["job_id"] for job in jobs],
                 failed=sum(job["numberRecordsFailed"] for job in jobs))
        return [job["job_id"] for job in jobs]

    def _collect(self, object_name: str, job_id: str, key: str, pending: dict[str, deque[int]],
                 results: list[WriteResult | None]) -> None:
        for row in self._result_rows(object_name, job_id, "successful"):
            index = _take(pending, row, key)
            if index is not None:
                results[index] = WriteResult(index=index, id=row.get("sf__Id") or None,
                                             created=(row.get("sf__Created") or "").lower() == "true",
                                             success=True)
        for row in self._result_rows(object_name, job_id, "failed"):
            index = _take(pending, row, key)
            if index is not None:
                error = parse_bulk_error(row.get("sf__Error") or "")
                results[index] = WriteResult(index=index, id=row.get("sf__Id") or None, created=False,
                                             success=False, errors=(error,))
        for row in self._result_rows(object_name, job_id, "unprocessed"):
            index = _take(pending, row, key)
            if index is not None:
                results[index] = failed(index, "NOT_PROCESSED",
                                        f"bulk job {job_id} ended before this record was processed")

    def _result_rows(self, object_name: str, job_id: str, kind: str) -> list[dict[str, str]]:
        def fetch_once() -> str:
            with translated_errors():
                bulk_type = getattr(self._sf.bulk2, object_name)
                getter = {"successful": bulk_type.get_successful_records,
                          "failed": bulk_type.get_failed_records,
                          "unprocessed": bulk_type.get_unprocessed_records}[kind]
                return getter(job_id)

        text = call_with_retries(fetch_once, policy=self._retry_policy, sleep=self._sleep,
                                 what=f"bulk {kind} results of job {job_id}")
        return list(csv.DictReader(io.StringIO(text)))


def _take(pending: dict[str, deque[int]], row: Mapping[str, str], key: str) -> int | None:
    """The input index of the record a result row speaks of, matched by its key column."""
    column = next((name for name in row if name is not None and name.lower() == key.lower()), None)
    value = row.get(column) if column is not None else None
    waiting = pending.get(value) if value is not None else None
    if not waiting:
        log.warning("salesforce.bulk_result_unmatched", key=key)
        return None
    return waiting.popleft()
