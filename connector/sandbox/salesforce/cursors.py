"""SOQL queries and their pagination.

A query is evaluated once; its ordered rows are kept under a locator (an
``01g`` id), so later pages are a snapshot that later writes do not change.
Pages are shaped into records only when served.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

from connector.sandbox.salesforce.api_errors import ApiError
from connector.sandbox.salesforce.ids import IdAllocator
from connector.sandbox.salesforce.schema import OrgSchema
from connector.sandbox.salesforce.storage import Database

DEFAULT_PAGE_SIZE = 2000
MIN_PAGE_SIZE = 200
MAX_PAGE_SIZE = 2000
CURSOR_IDLE_SECONDS = 15 * 60
#: Open cursors kept at most (real orgs cap them per user too); the oldest go first.
MAX_OPEN_CURSORS = 200
LOCATOR_PREFIX = "01g"

_BATCH_SIZE = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
_NEXT_PAGE = re.compile(r"^(01g[0-9A-Za-z]{15})-(\d+)$")


def page_size_from(header: str | None) -> int:
    """Sforce-Query-Options: batchSize=N, honoured exactly within 200..2000."""
    match = _BATCH_SIZE.search(header or "")
    if not match:
        return DEFAULT_PAGE_SIZE
    return max(MIN_PAGE_SIZE, min(MAX_PAGE_SIZE, int(match.group(1))))


@dataclass
class Cursor:
    rows: list
    shape_row: object
    page_size: int
    last_used: float = field(default_factory=time.monotonic)


def query_error(code: str, message: str) -> ApiError:
    return ApiError(code, message, status=400, include_fields=False)


class QueryCursors:
    def __init__(self, *, db: Database, schema: OrgSchema, ids: IdAllocator) -> None:
        self.db = db
        self.schema = schema
        self.ids = ids
        self._lock = threading.Lock()
        self._cursors: dict[str, Cursor] = {}

    def run(self, soql: str | None, *, include_deleted: bool, api_version: str,
            page_size: int = DEFAULT_PAGE_SIZE) -> dict:
        from connector.sandbox.salesforce.query import compile_query
        from connector.soql import SoqlError, parse_soql

        if not soql:
            raise query_error("MALFORMED_QUERY", "A query string (q=) is required")
        try:
            compiled = compile_query(parse_soql(soql), schema=self.schema,
                                     include_deleted=include_deleted, api_version=api_version)
        except SoqlError as exc:
            raise query_error(exc.code, exc.message) from None
        rows = self.db.connection().execute(compiled.sql, compiled.params).fetchall()
        if compiled.count_only:
            count = rows[0][0] if rows and len(rows) == 1 and len(rows[0]) == 1 else len(rows)
            return {"totalSize": count, "done": True, "records": []}
        cursor = Cursor(rows=rows, shape_row=compiled.shape_row, page_size=page_size)
        if len(rows) <= page_size:
            return self._page(cursor, start=0, locator=None, api_version=api_version)
        locator = self.ids.new(LOCATOR_PREFIX)
        with self._lock:
            self._expire_locked()
            self._cursors[locator] = cursor
        return self._page(cursor, start=0, locator=locator, api_version=api_version)

    def more(self, token: str, *, api_version: str) -> dict:
        match = _NEXT_PAGE.match(token)
        with self._lock:
            self._expire_locked()
            cursor = self._cursors.get(match.group(1)) if match else None
            if cursor is not None:
                cursor.last_used = time.monotonic()
        if cursor is None or int(match.group(2)) > len(cursor.rows):
            raise query_error("INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(cursor, start=int(match.group(2)), locator=match.group(1),
                          api_version=api_version)

    def _page(self, cursor: Cursor, *, start: int, locator: str | None, api_version: str) -> dict:
        end = start + cursor.page_size
        shape = cursor.shape_row
        page = {"totalSize": len(cursor.rows), "done": end >= len(cursor.rows),
                "records": [shape(row) for row in cursor.rows[start:end]]}  # type: ignore[operator]
        if page["done"]:
            if locator is not None:
                with self._lock:
                    self._cursors.pop(locator, None)
        else:
            page["nextRecordsUrl"] = f"/services/data/v{api_version}/query/{locator}-{end}"
        return page

    def _expire_locked(self) -> None:
        deadline = time.monotonic() - CURSOR_IDLE_SECONDS
        for locator in [key for key, cursor in self._cursors.items() if cursor.last_used < deadline]:
            del self._cursors[locator]
        while len(self._cursors) >= MAX_OPEN_CURSORS:
            del self._cursors[next(iter(self._cursors))]

    def reset(self) -> None:
        with self._lock:
            self._cursors.clear()
