"""Reading and writing ACE JSON files: UTF-8 without BOM, precise reasons for bad input."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from connector.errors import MalformedFileError

__all__ = ["MAX_NESTING_DEPTH", "MAX_QUOTED_INPUT_CHARS", "check_nesting", "describe_type", "dump_json",
           "load_json_object", "quote_input", "validation_reason"]

#: How much of a bad input an error message quotes before cutting it short.
MAX_QUOTED_INPUT_CHARS = 120
#: ACE documents nest a few levels; deeper input is refused before Python's recursion limit
#: (about 1000 frames, shared with the caller's stack) turns it into a RecursionError.
MAX_NESTING_DEPTH = 64

_UTF8_BOM = b"\xef\xbb\xbf"

_JSON_TYPE_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
                    float: "number", type(None): "null"}


def describe_type(value: Any) -> str:
    """The JSON type name of a decoded value: object, array, string, number, boolean, null."""
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def quote_input(value: Any) -> str:
    """The value as compact JSON, cut to MAX_QUOTED_INPUT_CHARS (error messages quote the input)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > MAX_QUOTED_INPUT_CHARS:
        text = text[: MAX_QUOTED_INPUT_CHARS - 3] + "..."
    return text


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def check_nesting(value: Any, *, key: str | None = None) -> Any:
    """``value`` unchanged; MalformedFileError when arrays/objects nest deeper than MAX_NESTING_DEPTH.

    Iterative on purpose: a recursive walk would itself hit the recursion limit.
    """
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > MAX_NESTING_DEPTH:
                    raise MalformedFileError(f"JSON nested more than {MAX_NESTING_DEPTH} levels deep", key=key)
                pending.append((child, depth + 1))
    return value


def load_json(data: bytes, *, key: str | None = None) -> Any:
    """Decode UTF-8 JSON (a leading BOM is tolerated); MalformedFileError says where it breaks."""
    if not data.strip():
        raise MalformedFileError("empty file: expected a JSON object", key=key)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedFileError(f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}",
                                 key=key) from None
    try:
        return check_nesting(json.loads(text, parse_constant=_reject_constant), key=key)
    except RecursionError:
        raise MalformedFileError(f"JSON nested more than {MAX_NESTING_DEPTH} levels deep", key=key) from None
    except json.JSONDecodeError as exc:
        raise MalformedFileError(
            f"invalid JSON at line {exc.lineno} column {exc.colno} (char {exc.pos}): {exc.msg}", key=key,
        ) from None
    except ValueError as exc:  # NaN / Infinity
        raise MalformedFileError(f"invalid JSON: {exc}", key=key) from None


def load_json_object(data: bytes, *, key: str | None = None) -> dict[str, Any]:
    """Like ``load_json`` but the top level must be an object (ACE's wording when it is not)."""
    value = load_json(data, key=key)
    if not isinstance(value, dict):
        raise MalformedFileError(f"{quote_input(value)} is not of type 'object'", key=key)
    return value


def dump_json(value: Any, *, indent: int | None = None) -> bytes:
    """UTF-8 JSON without BOM; NaN and infinities are refused (they are not JSON)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent).encode("utf-8")


def validation_reason(exc: ValidationError, *, max_listed: int = 3) -> str:
    """A pydantic error as a short reason: ``opportunities[1].targetCloseDate: <why>``."""
    parts = []
    errors = exc.errors(include_url=False)
    for error in errors[:max_listed]:
        path = ""
        for item in error["loc"]:
            path += f"[{item}]" if isinstance(item, int) else (f".{item}" if path else str(item))
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{path}: {message}" if path else message)
    more = len(errors) - max_listed
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
