"""sObject Collections (``…/composite/sobjects``): up to 200 records a call, allOrNone.

All records of a call are written in one transaction. With allOrNone, one
failure rolls the whole call back: the culprits keep their own errors, every
other entry reports ALL_OR_NONE_OPERATION_ROLLED_BACK.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable

from connector.sandbox.salesforce.api_errors import ApiError, MultipleMatches
from connector.sandbox.salesforce.ids import to_id18
from connector.sandbox.salesforce.records import RecordStore

MAX_RECORDS_PER_CALL = 200
ROLLED_BACK = {"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
               "message": "Record rolled back because not all records were valid and the request "
                          "was using AllOrNone header", "fields": []}


class _RolledBack(Exception):
    """Unwinds the transaction of an allOrNone call that had a failure."""


def parse_records(body: object) -> tuple[list, bool]:
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise ApiError("JSON_PARSER_ERROR", 'The request body must be {"allOrNone": …, "records": [...]}')
    all_or_none = body.get("allOrNone", False)
    if not isinstance(all_or_none, bool):
        raise ApiError("JSON_PARSER_ERROR", "allOrNone must be true or false")
    records = body["records"]
    check_batch_size(len(records))
    return records, all_or_none


def check_batch_size(count: int) -> None:
    if count > MAX_RECORDS_PER_CALL:
        raise ApiError("EXCEEDED_ID_LIMIT", f"record limit reached. cannot submit more than "
                       f"{MAX_RECORDS_PER_CALL} records into this call")


def record_type(store: RecordStore, record: object) -> str:
    attributes = record.get("attributes") if isinstance(record, dict) else None
    name = attributes.get("type") if isinstance(attributes, dict) else None
    if not isinstance(name, str) or store.schema.object(name) is None:
        raise ApiError("INVALID_TYPE", "Must specify a valid sObject type in the attributes "
                       f"of each record (got {name!r})")
    return name


def run_batch(store: RecordStore, items: list, operation: Callable[[sqlite3.Connection, object], dict],
              *, all_or_none: bool, fault: Callable[[], ApiError | None]) -> list[dict]:
    """Apply ``operation`` to each item in one transaction; per-item results in order."""
    results: list[dict] = []
    try:
        with store.db.transaction() as conn:
            for item in items:
                try:
                    injected = fault()
                    if injected is not None:
                        raise injected
                    results.append({**operation(conn, item), "success": True, "errors": []})
                except ApiError as exc:
                    results.append({"id": None, "success": False, "errors": [exc.record_error()]})
            if all_or_none and any(not result["success"] for result in results):
                raise _RolledBack
    except _RolledBack:
        return [{"id": None, "success": False,
                 "errors": result["errors"] if not result["success"] else [ROLLED_BACK]}
                for result in results]
    return results


def create(store: RecordStore, records: list, *, all_or_none: bool, user_id: str,
           fault: Callable[[], ApiError | None]) -> list[dict]:
    def one(conn: sqlite3.Connection, record: object) -> dict:
        obj = store.object_named(record_type(store, record))
        return {"id": store.create(conn, obj, record, user_id=user_id)}

    return _without_null_ids(run_batch(store, records, one, all_or_none=all_or_none, fault=fault))


def update(store: RecordStore, records: list, *, all_or_none: bool, user_id: str,
           fault: Callable[[], ApiError | None]) -> list[dict]:
    def one(conn: sqlite3.Connection, record: object) -> dict:
        obj = store.object_named(record_type(store, record))
        body = dict(record)  # type: ignore[call-overload]
        record_id = body.pop("Id", None) or body.pop("id", None)
        if not isinstance(record_id, str):
            raise ApiError("MISSING_ARGUMENT", "Id not specified in an update call", fields=["Id"])
        return {"id": store.update(conn, obj, record_id, body, user_id=user_id)}

    return run_batch(store, records, one, all_or_none=all_or_none, fault=fault)


def upsert(store: RecordStore, object_name: str, field_name: str, records: list, *,
           all_or_none: bool, user_id: str, api_version: str,
           fault: Callable[[], ApiError | None]) -> list[dict]:
    obj = store.object_named(object_name)
    definition = store.external_id_field(obj, field_name)
    keys = [_key_of(record, definition.name) for record in records]
    fold = (lambda value: value) if definition.case_sensitive else (lambda value: str(value).lower())
    repeated = Counter(fold(key) for key in keys if key is not None)

    def one(conn: sqlite3.Connection, record: object) -> dict:
        if record_type(store, record).lower() != obj.name.lower():
            raise ApiError("INVALID_TYPE", f"every record must be a {obj.name}")
        key = _key_of(record, definition.name)
        if key is None:
            raise ApiError("MISSING_ARGUMENT", f"{definition.name} not specified", fields=[definition.name])
        if repeated[fold(key)] > 1:
            raise ApiError("DUPLICATE_EXTERNAL_ID", "Duplicate external id specified: "
                           f"{key}", fields=[definition.name])
        try:
            record_id, created = store.upsert(conn, obj, definition, str(key), record,
                                              user_id=user_id, api_version=api_version)
        except MultipleMatches:
            raise ApiError("DUPLICATE_EXTERNAL_ID", f"{definition.name}: more than one record found "
                           f"for external id field: {key}", fields=[definition.name]) from None
        return {"id": record_id, "created": created}

    return run_batch(store, records, one, all_or_none=all_or_none, fault=fault)


def _key_of(record: object, field_name: str) -> object:
    if not isinstance(record, dict):
        return None
    for key, value in record.items():
        if key.lower() == field_name.lower():
            return value
    return None


def delete(store: RecordStore, raw_ids: list[str], *, all_or_none: bool, user_id: str,
           fault: Callable[[], ApiError | None]) -> list[dict]:
    check_batch_size(len(raw_ids))

    def one(conn: sqlite3.Connection, raw_id: object) -> dict:
        record_id = to_id18(str(raw_id))
        if record_id is None:
            raise ApiError("MALFORMED_ID", f"malformed id {raw_id}")
        obj = store.object_of_id(record_id)
        if obj is None:
            raise ApiError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        try:
            return {"id": store.delete(conn, obj, record_id, user_id=user_id)}
        except ApiError as exc:
            if exc.code == "NOT_FOUND":
                raise ApiError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id") from None
            raise

    results = run_batch(store, raw_ids, one, all_or_none=all_or_none, fault=fault)
    for raw_id, result in zip(raw_ids, results):
        result["id"] = result["id"] or to_id18(str(raw_id)) or raw_id
    return results


def _without_null_ids(results: list[dict]) -> list[dict]:
    for result in results:
        if result.get("id") is None:
            result.pop("id", None)
    return results
