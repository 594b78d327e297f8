"""The Salesforce adapter the sync layer uses: queries, describes and batched writes.

Every failure leaves here as a ``connector.errors.SalesforceError``:
``SalesforceAuthError``, ``SalesforceRequestError``, ``SalesforceLimitExceeded``
(stop and resume later) or ``TransientSalesforceError`` (retry later).
Per-record problems of a write are not raised: they are in its results.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from simple_salesforce import Salesforce

from connector.salesforce.bulk import BULK_FIRST_POLL_SECONDS, BulkWriter
from connector.salesforce.composite import LOCKED_ROW_CODE, CollectionWriter
from connector.salesforce.errors import translated_errors
from connector.salesforce.records import Operation
from connector.salesforce.results import WriteResult
from connector.salesforce.retry import RetryPolicy, call_with_retries
from connector.salesforce.session import open_salesforce
from connector.salesforce.soql import field_name, lookup_queries
from connector.salesforce.soql import object_name as checked_name
from connector.salesforce.transport import ApiUsage, RateLimiter, install_metered_adapter
from connector.settings import Settings

#: Writes of more records than this go through Bulk API 2.0 (``SF_BULK_THRESHOLD_RECORDS``).
DEFAULT_BULK_THRESHOLD_RECORDS = 2000
#: Salesforce's bounds for ``Sforce-Query-Options: batchSize``.
MIN_QUERY_PAGE_SIZE, MAX_QUERY_PAGE_SIZE = 200, 2000

# Describes change only when an admin deploys metadata: one fetch per object per process.
_describe_cache: dict[tuple[str, str, str], dict[str, Any]] = {}
_describe_lock = threading.Lock()


def clear_describe_cache() -> None:
    """Forget every cached describe (after a metadata deploy, or between tests)."""
    with _describe_lock:
        _describe_cache.clear()


class SalesforceClient:
    """Talks to one org through one logged-in simple-salesforce session.

    ``limiter.acquire(1)`` is called before every API call this client makes
    (bulk polls included); login calls are free and not limited.
    """

    def __init__(self, sf: Salesforce, *, limiter: RateLimiter | None = None,
                 bulk_threshold_records: int = DEFAULT_BULK_THRESHOLD_RECORDS,
                 retry_policy: RetryPolicy | None = None,
                 bulk_first_poll_seconds: float = BULK_FIRST_POLL_SECONDS,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if bulk_threshold_records < 1:
            raise ValueError(f"bulk_threshold_records must be at least 1, not {bulk_threshold_records}")
        self._sf = sf
        self._adapter = install_metered_adapter(sf.session)
        if limiter is not None:
            # The limiter sits on the session: clients sharing it share the limiter.
            self._adapter.limiter = limiter
        self._bulk_threshold_records = bulk_threshold_records
        self._retry_policy = retry_policy or RetryPolicy()
        self._sleep = sleep
        self._collections = CollectionWriter(sf, retry_policy=self._retry_policy, sleep=sleep)
        self._bulk = BulkWriter(sf, retry_policy=self._retry_policy, sleep=sleep,
                                first_poll_seconds=bulk_first_poll_seconds)

    @classmethod
    def from_settings(cls, settings: Settings, *, limiter: RateLimiter | None = None,
                      **options: Any) -> SalesforceClient:
        """Log in as configured (see ``connector.salesforce.session``)."""
        options.setdefault("bulk_threshold_records", settings.sf_bulk_threshold_records)
        return cls(open_salesforce(settings), limiter=limiter, **options)

    @property
    def sf(self) -> Salesforce:
        """The underlying simple-salesforce session, for calls this class does not cover."""
        return self._sf

    # --- API usage ------------------------------------------------------------------------

    def api_usage(self) -> tuple[int, int] | None:
        """``(used, max)`` from the latest ``Sforce-Limit-Info`` header; None before any call."""
        usage: ApiUsage | None = self._adapter.meter.usage
        return None if usage is None else (usage.used, usage.max)

    @property
    def calls_made(self) -> int:
        """API calls made through this client's session (shared by clients on one session)."""
        return self._adapter.meter.calls

    def limits(self) -> dict[str, Any]:
        """``GET limits/``: each org limit as ``{"Max": n, "Remaining": m}``."""
        return self._call(lambda: self._sf.limits(), what="limits")

    # --- Reading --------------------------------------------------------------------------

    def query(self, soql: str, *, include_deleted: bool = False,
              page_size: int | None = None) -> Iterator[dict[str, Any]]:
        """Every record the query matches, fetched one page at a time as they are consumed.

        ``include_deleted`` uses ``queryAll`` (recycle-bin rows too). ``page_size``
        (200-2000) asks Salesforce for another page size.
        """
        headers: dict[str, str] = {}
        if page_size is not None:
            if not MIN_QUERY_PAGE_SIZE <= page_size <= MAX_QUERY_PAGE_SIZE:
                raise ValueError(f"page_size must be {MIN_QUERY_PAGE_SIZE}..{MAX_QUERY_PAGE_SIZE}, "
                                 f"not {page_size}")
            headers["Sforce-Query-Options"] = f"batchSize={page_size}"
        page = self._call(lambda: self._sf.query(soql, include_deleted=include_deleted, headers=headers),
                          what="query")
        while True:
            records, done, next_url = page["records"], page.get("done", True), page.get("nextRecordsUrl")
            del page  # hold one page at a time, not two
            yield from records
            if done or not next_url:
                return
            page = self._call(lambda: self._sf.query_more(next_url, identifier_is_url=True, headers=headers),
                              what="query_more")

    def find_by(self, object_name: str, fields: Iterable[str], *, key_field: str, values: Iterable[Any],
                extra_where: str | None = None) -> Iterator[dict[str, Any]]:
        """Records whose ``key_field`` is one of ``values`` (e.g. existing records by ACE id).

        The values are escaped and spread over as many queries as the URL length needs.
        """
        for soql in lookup_queries(object_name, fields, key_field=key_field, values=values,
                                   extra_where=extra_where):
            yield from self.query(soql)

    def describe(self, object_name: str) -> dict[str, Any]:
        """The object's describe, fetched once per process and org."""
        checked_name(object_name)
        cache_key = (self._sf.sf_instance, str(self._sf.sf_version), object_name.lower())
        with _describe_lock:
            cached = _describe_cache.get(cache_key)
        if cached is not None:
            return cached
        described = self._call(lambda: self._sf.restful(f"sobjects/{object_name}/describe"),
                               what=f"describe {object_name}")
        with _describe_lock:
            return _describe_cache.setdefault(cache_key, described)

    # --- Writing --------------------------------------------------------------------------

    def upsert(self, object_name: str, records: Sequence[Mapping[str, Any]], *,
               external_id_field: str) -> list[WriteResult]:
        """Create or update by external id; one result per record, in input order."""
        checked_name(object_name)
        field_name(external_id_field)
        return self._write(Operation.UPSERT, object_name, records, external_id_field=external_id_field)

    def update(self, object_name: str, records: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        """Update by ``Id``; one result per record, in input order."""
        checked_name(object_name)
        return self._write(Operation.UPDATE, object_name, records)

    def create(self, object_name: str, records: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        """Insert; one result per record, in input order. Always sObject Collections."""
        checked_name(object_name)
        return self._write(Operation.CREATE, object_name, records)

    def _write(self, operation: Operation, object_name: str, records: Sequence[Mapping[str, Any]], *,
               external_id_field: str | None = None) -> list[WriteResult]:
        records = list(records)
        if operation is Operation.CREATE or len(records) <= self._bulk_threshold_records:
            return self._collections.write(operation, object_name, records,
                                           external_id_field=external_id_field)
        results = self._bulk.write(operation, object_name, records, external_id_field=external_id_field)
        return self._retry_locked(operation, object_name, records, results, external_id_field)

    def _retry_locked(self, operation: Operation, object_name: str, records: list[Mapping[str, Any]],
                      results: list[WriteResult], external_id_field: str | None) -> list[WriteResult]:
        """Records a bulk job could not lock get another chance, through Collections.

        A fresh bulk job for a handful of rows would cost more calls and seconds
        than one Collections call per 200 of them.
        """
        locked = [r.index for r in results if not r.success and r.has_error(LOCKED_ROW_CODE)]
        if locked:
            again = self._collections.write(operation, object_name, [records[i] for i in locked],
                                            external_id_field=external_id_field)
            for original_index, result in zip(locked, again):
                results[original_index] = replace(result, index=original_index)
        return results

    # --- plumbing --------------------------------------------------------------------------

    def _call(self, operation: Callable[[], Any], *, what: str) -> Any:
        """One read-only call: errors translated, transient ones retried."""
        def once() -> Any:
            with translated_errors():
                return operation()

        return call_with_retries(once, policy=self._retry_policy, what=what, sleep=self._sleep)

