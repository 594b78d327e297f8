"""Small helpers the rules share: blank tests, field naming, shape and picklist checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from connector.ace.catalog import MULTI_VALUE_SEPARATOR, EntityCatalog, FieldKind, FieldSpec, is_masked
from connector.ace.jsonio import describe_type, quote_input
from connector.ace.rules.engine import Check, Violation

__all__ = ["MAX_LISTED_VALUES", "as_date", "field_name", "invalid_picklist", "is_blank", "is_number",
           "missing_message", "shape_violations"]

#: Picklists longer than this are not spelled out in error messages (country has 251 values).
MAX_LISTED_VALUES = 12

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-]00:?00)?)?")


def is_blank(value: Any) -> bool:
    """Absent, null, an empty or whitespace-only string, or an empty array: nothing given."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not value
    return False


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_date(value: Any) -> date | None:
    """A ``YYYY-MM-DD`` string as a date, None when it is not one."""
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def field_name(catalog: EntityCatalog, name: str) -> str:
    """``Industry Vertical (industry)``: the UI label people know, and the JSON name code uses."""
    spec = catalog.get(name)
    return f"{spec.label} ({name})" if spec is not None and spec.label != name else name


def missing_message(catalog: EntityCatalog, names: list[str]) -> str:
    """ACE's wording for missing mandatory fields: ``Required: <label>;<label>``."""
    labels = [catalog.get(n).label if catalog.get(n) else n for n in names]
    return "Required: " + ";".join(labels)


def invalid_picklist(spec: FieldSpec, value: Any) -> str | None:
    """Why ``value`` is not acceptable for picklist ``spec``, or None when it is."""
    if not isinstance(value, str):
        return None  # the shape check reports the type
    values = spec.values or ()
    parts = value.split(MULTI_VALUE_SEPARATOR) if spec.kind is FieldKind.MULTIPICKLIST else [value]
    bad = [p for p in parts if p not in values]
    if not bad:
        return None
    shown = ", ".join(quote_input(b) for b in bad)
    if any(is_masked(b) for b in bad):
        return f"Invalid {spec.label} ({spec.name}): {shown} is ACE's masking placeholder, not a value"
    if len(values) <= MAX_LISTED_VALUES:
        allowed = "allowed: " + "; ".join(values)
    else:
        allowed = f"it must be one of the {len(values)} standard values, spelled exactly"
    hint = " (multi-select values are joined by ';' with no spaces)" if (
        spec.kind is FieldKind.MULTIPICKLIST and any(p != p.strip() or not p for p in parts)) else ""
    noun = "are not standard values" if len(bad) > 1 else "is not a standard value"
    return f"Invalid {spec.label} ({spec.name}): {shown} {noun}{hint}; {allowed}"


def _shape_problem(spec: FieldSpec, value: Any) -> str | None:
    kind = spec.kind
    if kind is FieldKind.NUMBER:
        return None if is_number(value) else "must be a JSON number"
    if kind is FieldKind.STRING_ARRAY:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "must be a JSON array of strings"
        return None
    if not isinstance(value, str):
        return "must be a string"
    if kind is FieldKind.DATE and as_date(value) is None:
        return "must be a date as YYYY-MM-DD"
    if kind is FieldKind.DATETIME and not _DATETIME_RE.fullmatch(value):
        return "must be a UTC date and time as YYYY-MM-DDTHH:MM:SS.000Z"
    if spec.max_length is not None and len(value) > spec.max_length:
        return f"is {len(value)} characters long; at most {spec.max_length} are allowed"
    return None


def shape_violations(check: Check, *, rule_id: str, skip_length: frozenset[str] = frozenset()) -> Iterator[Violation]:
    """Type and length of every field that would be applied (nulls clear fields and pass)."""
    for name, value in check.changes.items():
        spec = check.catalog.get(name)
        if spec is None or value is None:
            continue
        if name in skip_length and isinstance(value, str):
            continue
        problem = _shape_problem(spec, value)
        if problem is not None:
            got = f"got {describe_type(value)} {quote_input(value)}"
            if problem.startswith("is "):
                yield Violation(rule_id, f"{field_name(check.catalog, name)} {problem}", name)
            else:
                yield Violation(rule_id, f"{field_name(check.catalog, name)} {problem}, {got}", name)
