"""Safe SOQL from Python values: quoting and escaping done once, correctly.

Build queries with these instead of string formatting, so that a value such as
``' OR Id != '`` stays a value.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from decimal import Decimal

# Escapes the SOQL parser understands; everything else may appear literally in quotes.
_ESCAPES = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\b": "\\b", "\f": "\\f"}
_LIKE_ESCAPES = {"%": "\\%", "_": "\\_"}


def escape_soql_string(value: str) -> str:
    """The body of a SOQL string literal for ``value`` (without the surrounding quotes)."""
    return "".join(_ESCAPES.get(char, char) for char in value)


def escape_soql_like(value: str) -> str:
    """Like ``escape_soql_string``, and ``%``/``_`` escaped too: a LIKE pattern matching ``value`` literally.

    Add wildcards around the result yourself: ``f"'{escape_soql_like(prefix)}%'"``.
    """
    return "".join(_LIKE_ESCAPES.get(char) or _ESCAPES.get(char, char) for char in value)


def soql_literal(value: object) -> str:
    """``value`` written as a SOQL literal.

    str → quoted and escaped; bool → ``true``/``false``; None → ``null``; int, float and
    Decimal → plain decimal notation; date → ``YYYY-MM-DD``; datetime → UTC
    ``YYYY-MM-DDTHH:MM:SSZ``. Sub-second digits are dropped: Salesforce stamps whole
    seconds, and truncating keeps a ``>=`` watermark inclusive. A naive datetime is
    refused rather than guessed to be UTC.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{escape_soql_string(value)}'"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value) or (
                isinstance(value, Decimal) and not value.is_finite()):
            raise ValueError(f"{value!r} has no SOQL literal")
        # repr() gives the shortest exact text; SOQL has no exponent notation.
        text = format(Decimal(repr(value)) if isinstance(value, float) else value, "f")
        return text
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: attach a timezone")
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"no SOQL literal for a value of type {type(value).__name__}")
