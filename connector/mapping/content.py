"""The content hash: one stable fingerprint of what a mapping sends to ACE.

The sync layer stores it on the Salesforce record and skips records whose hash
did not change. Values are normalised the way ACE compares them, so the same
content always gives the same hash: multi-selects and arrays as sorted sets,
numbers as floats (``100`` and ``100.0`` are equal), empty values and masked
placeholders left out (the connector never sends them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from connector.ace.catalog import FieldKind, FieldSpec, is_masked
from connector.mapping.transforms import number, text_to_list


def _as_set(value: Any) -> Any:
    try:
        return sorted(text_to_list(value))
    except ValueError:
        return value


def _as_number(value: Any) -> Any:
    try:
        return float(number(value))
    except ValueError:
        return value


_NORMALISERS: dict[FieldKind, Callable[[Any], Any]] = {
    FieldKind.MULTIPICKLIST: _as_set,
    FieldKind.STRING_ARRAY: _as_set,
    FieldKind.NUMBER: _as_number,
}


def _same(value: Any) -> Any:
    return value


class ContentHasher:
    def __init__(self, fields: Iterable[FieldSpec | None]) -> None:
        known = [spec for spec in fields if spec is not None]
        self._fields = tuple(sorted((spec.name, _NORMALISERS.get(spec.kind, _same)) for spec in known))

    def digest(self, record: Mapping[str, Any]) -> str:
        content = []
        for name, normalise in self._fields:
            value = record.get(name)
            if value is None or value == "" or value == [] or is_masked(value):
                continue
            content.append((name, normalise(value)))
        encoded = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
        return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
