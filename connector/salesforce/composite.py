"""Writes through sObject Collections: 200 records a call, ``allOrNone=false``.

One bad record never sinks its neighbours: Salesforce saves the good ones and
reports the bad ones per record. Whole-call failures that may pass on a second
try (503, a locked row, a timeout) are retried with backoff, but a create is
only repeated when the failure proves nothing was saved, since a second create
would duplicate records. Records that individually hit ``UNABLE_TO_LOCK_ROW``
are sent once more on their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from simple_salesforce import Salesforce

from connector.errors import SalesforceError
from connector.logs import get_logger
from connector.salesforce.errors import translated_errors, was_not_applied
from connector.salesforce.records import Operation, collection_body, key_field, key_value, missing_key_error
from connector.salesforce.results import WriteResult, failed, from_collection_entry
from connector.salesforce.retry import RetryPolicy, call_with_retries, is_transient

#: Salesforce's limit per sObject Collections call.
MAX_RECORDS_PER_COLLECTION = 200
LOCKED_ROW_CODE = "UNABLE_TO_LOCK_ROW"

log = get_logger(__name__)


class CollectionWriter:
    def __init__(self, sf: Salesforce, *, retry_policy: RetryPolicy,
                 batch_size: int = MAX_RECORDS_PER_COLLECTION,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not 1 <= batch_size <= MAX_RECORDS_PER_COLLECTION:
            raise ValueError(f"batch_size must be 1..{MAX_RECORDS_PER_COLLECTION}, not {batch_size}")
        self._sf = sf
        self._retry_policy = retry_policy
        self._batch_size = batch_size
        self._sleep = sleep

    def write(self, operation: Operation, object_name: str, records: Sequence[Mapping[str, Any]], *,
              external_id_field: str | None = None) -> list[WriteResult]:
        """One result per record, in input order. Whole-call failures raise ``SalesforceError``."""
        key = key_field(operation, external_id_field)
        results: list[WriteResult | None] = [None] * len(records)
        sendable: list[int] = []
        for index, record in enumerate(records):
            if key is not None and key_value(record, key) is None:
                results[index] = failed(index, *missing_key_error(operation, key))
            else:
                sendable.append(index)
        for start in range(0, len(sendable), self._batch_size):
            batch = sendable[start:start + self._batch_size]
            for result in self._write_batch(operation, object_name, records, batch, external_id_field):
                results[result.index] = result
        return [r for r in results if r is not None]

    def _write_batch(self, operation: Operation, object_name: str, records: Sequence[Mapping[str, Any]],
                     indexes: list[int], external_id_field: str | None) -> list[WriteResult]:
        results = self._send(operation, object_name, records, indexes, external_id_field)
        locked = [r.index for r in results if not r.success and r.has_error(LOCKED_ROW_CODE)]
        if not locked:
            return results
        # A locked row is released within moments; those records were not saved, so
        # sending them again is safe for every operation. Once only: a row that stays
        # locked is reported, and the next sync picks the record up again.
        log.info("salesforce.locked_rows_retry", object=object_name, records=len(locked))
        self._sleep(self._retry_policy.delay_seconds(1))
        retried = {r.index: r for r in self._send(operation, object_name, records, locked, external_id_field)}
        return [retried.get(r.index, r) for r in results]

    def _send(self, operation: Operation, object_name: str, records: Sequence[Mapping[str, Any]],
              indexes: list[int], external_id_field: str | None) -> list[WriteResult]:
        body = collection_body(object_name, [records[i] for i in indexes])
        method, path = _endpoint(operation, object_name, external_id_field)

        def send_once() -> Any:
            with translated_errors():
                return self._sf.restful(path, method=method, data=body)

        retry_if = is_transient if operation.idempotent else was_not_applied
        answer = call_with_retries(send_once, policy=self._retry_policy, sleep=self._sleep,
                                   what=f"{operation.value} {object_name}", retry_if=retry_if)
        if not isinstance(answer, list) or len(answer) != len(indexes):
            got = len(answer) if isinstance(answer, list) else type(answer).__name__
            raise SalesforceError(
                f"Salesforce answered a {operation.value} of {len(indexes)} {object_name} records "
                f"with {got} results", code="INVALID_RESPONSE")
        created_default = operation is Operation.CREATE
        return [from_collection_entry(index, entry, created_default=created_default)
                for index, entry in zip(indexes, answer)]


def _endpoint(operation: Operation, object_name: str, external_id_field: str | None) -> tuple[str, str]:
    if operation is Operation.UPSERT:
        return "PATCH", f"composite/sobjects/{object_name}/{external_id_field}"
    if operation is Operation.UPDATE:
        return "PATCH", "composite/sobjects"
    return "POST", "composite/sobjects"
