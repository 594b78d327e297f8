"""Records on their way out: the write operations, their keys, and value encoding.

A record is a mapping of field API name to a Python value. ``None`` clears a
field. A nested mapping is a reference to a parent by external id
(``{"Account": {"ACE_Account_Id__c": "A1"}}``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

#: Bulk API 2.0 CSV: an empty cell leaves a field unchanged, this sets it to null.
BULK_NULL = "#N/A"


class Operation(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    UPSERT = "upsert"

    @property
    def idempotent(self) -> bool:
        """Repeating the same request leaves the org as one request would."""
        return self is not Operation.CREATE


def find_key(record: Mapping[str, Any], field: str) -> str | None:
    """The record's own spelling of ``field`` (field names are case-insensitive)."""
    if field in record:
        return field
    wanted = field.lower()
    return next((key for key in record if key.lower() == wanted), None)


def key_value(record: Mapping[str, Any], field: str) -> str | None:
    """The record's value for the key ``field`` as text, or None when absent or blank."""
    key = find_key(record, field)
    value = None if key is None else record[key]
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return str(value)


def key_field(operation: Operation, external_id_field: str | None) -> str | None:
    """The field that identifies a record for ``operation`` (None: create has none)."""
    if operation is Operation.UPSERT:
        if not external_id_field:
            raise ValueError("upsert needs external_id_field")
        return external_id_field
    return "Id" if operation is Operation.UPDATE else None


def missing_key_error(operation: Operation, field: str) -> tuple[str, str]:
    if operation is Operation.UPSERT:
        return "MISSING_EXTERNAL_ID", f"the record has no value for the external id field {field}"
    return "MISSING_ID", "the record has no Id to update"


# --- JSON (sObject Collections) -------------------------------------------------------------


def json_default(value: Any) -> Any:
    """``json.dumps`` hook for the Python types a mapping produces."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot send a {type(value).__name__} to Salesforce: {value!r}")


def collection_body(object_name: str, records: list[Mapping[str, Any]], *, all_or_none: bool = False) -> bytes:
    """The JSON body of an sObject Collections call, as UTF-8 bytes.

    Bytes, not text: requests would encode a text body as Latin-1 and fail on
    any other character.
    """
    body = {
        "allOrNone": all_or_none,
        "records": [{"attributes": {"type": object_name}, **_without_attributes(r)} for r in records],
    }
    return json.dumps(body, default=json_default, ensure_ascii=False).encode("utf-8")


def _without_attributes(record: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key != "attributes"}


# --- CSV (Bulk API 2.0) -------------------------------------------------------------------------


def csv_row(record: Mapping[str, Any]) -> dict[str, str]:
    """One CSV row: parent references become dotted columns (``Account.Ext__c``)."""
    row: dict[str, str] = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        if isinstance(value, Mapping):
            for parent_field, parent_value in value.items():
                if parent_field != "attributes":
                    row[f"{key}.{parent_field}"] = csv_cell(parent_value)
        else:
            row[key] = csv_cell(value)
    return row


def csv_cell(value: Any) -> str:
    if value is None:
        return BULK_NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Never scientific notation: Salesforce reads "1e+20" as text.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def format_datetime(value: datetime) -> str:
    """UTC with milliseconds and ``Z``; a naive datetime is taken to be UTC already."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
