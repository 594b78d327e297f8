"""The named transforms a field rule may use, and what each fits.

A transform is a pair of plain functions, one per direction, built once when
the mapping compiles. Each takes a non-empty source value and returns the
target value, or raises ``ValueError`` with a message fit for the record's
error field. There is no expression language: an admin picks a name (and, for
some, a parameter) from this registry; anything else is a load error.

When a rule names no transform, the ACE field's kind picks one
(``default_transform_for``): dates get ``iso_date``, datetimes ``gmt_datetime``,
multi-selects ``multi_select``, arrays ``list_as_text``, numbers ``number``;
text and picklists are copied as they are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any

from connector.ace.catalog import MULTI_VALUE_SEPARATOR, FieldKind

Convert = Callable[[Any], Any]

#: Salesforce describe types that hold text.
TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "picklist", "combobox",
                        "id", "reference", "encryptedstring"})
NUMBER_TYPES = frozenset({"double", "currency", "percent", "int", "long"})
LIST_TYPES = frozenset({"multipicklist", "string", "textarea"})


@dataclass(frozen=True)
class Param:
    name: str
    type: type
    description: str
    required: bool = True


@dataclass(frozen=True)
class Transform:
    name: str
    summary: str
    #: one line of YAML showing it in use
    example: str
    #: ACE field kinds it fits (None: any)
    ace_kinds: frozenset[FieldKind] | None
    #: Salesforce describe types it fits (None: any)
    salesforce_types: frozenset[str] | None
    #: builds (to_salesforce, to_ace) from the rule's parameters
    build: Callable[[Mapping[str, Any]], tuple[Convert, Convert]]
    params: tuple[Param, ...] = ()
    #: how many Salesforce fields the rule names
    salesforce_fields: int = 1
    #: False when the source value is not read at all (constant)
    reads_source: bool = True
    #: True when a value map may run with it (the values stay picklist text)
    takes_value_map: bool = False


# --- conversions -------------------------------------------------------------------------

_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}(?:$|[T ])")


def iso_date(value: Any) -> str:
    """``2024-01-31`` from a date, or from a datetime's date part."""
    if not isinstance(value, str) or not _DATE_PREFIX.match(value):
        raise ValueError(f"{value!r} is not a date like 2024-01-31")
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None
    return value[:10]


def gmt_datetime(value: Any) -> str:
    """``2024-01-31T13:15:35.000Z`` (UTC, milliseconds) from any ISO-8601 datetime or date.

    Salesforce returns ``...000+0000``; ACE writes ``...000Z``; a value without a
    zone is taken as UTC, which is what ACE uses everywhere.
    """
    if not isinstance(value, str) or not _DATE_PREFIX.match(value):
        raise ValueError(f"{value!r} is not a datetime like 2024-01-31T13:15:35.000Z")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a valid ISO-8601 datetime") from None
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{parsed.microsecond // 1000:03d}Z"


def _parts(value: Any) -> list[str]:
    if isinstance(value, str):
        raw = value.split(MULTI_VALUE_SEPARATOR)
    elif isinstance(value, (list, tuple)):
        raw = value
    else:
        raise ValueError(f"{value!r} is not a list of values")
    parts: list[str] = []
    for part in raw:
        if not isinstance(part, str):
            raise ValueError(f"{part!r} in {value!r} is not text")
        part = part.strip()
        if part and part not in parts:
            parts.append(part)
    return parts


def multi_select(value: Any) -> str:
    """``A;B``: parts trimmed, empties and repeats dropped, no spaces around ``;``."""
    return MULTI_VALUE_SEPARATOR.join(_parts(value))


def list_to_text(value: Any) -> str:
    return MULTI_VALUE_SEPARATOR.join(_parts(value))


def text_to_list(value: Any) -> list[str]:
    return _parts(value)


def yes_no_to_checkbox(value: Any) -> bool:
    if value is True or value == "Yes":
        return True
    if value is False or value == "No":
        return False
    raise ValueError(f"{value!r} is not Yes or No")


def checkbox_to_yes_no(value: Any) -> str:
    if value is True or (isinstance(value, str) and value.lower() == "true"):
        return "Yes"
    if value is False or (isinstance(value, str) and value.lower() == "false"):
        return "No"
    raise ValueError(f"{value!r} is not a checkbox value (true or false)")


def number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        result = value
    elif isinstance(value, str):
        try:
            result = float(value.strip().replace(",", ""))
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise ValueError(f"{value!r} is not a number")
    if isinstance(result, float) and not math.isfinite(result):
        raise ValueError(f"{value!r} is not a finite number")
    return result


def split_full_name(value: Any) -> tuple[str | None, str]:
    """``"Jane Q Doe"`` -> ``("Jane Q", "Doe")``; one word is a last name."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a name")
    first, _, last = " ".join(value.split()).rpartition(" ")
    return (first or None), last


def join_full_name(value: Any) -> str:
    first, last = value
    return " ".join(part.strip() for part in (first, last) if isinstance(part, str) and part.strip())


def _truncate(length: int) -> Convert:
    def truncate(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not text")
        return value[:length]
    return truncate


def _constant(value: Any) -> Convert:
    return lambda _ignored: value


def _same(convert: Convert) -> Callable[[Mapping[str, Any]], tuple[Convert, Convert]]:
    return lambda _params: (convert, convert)


# --- the registry ------------------------------------------------------------------------

_TRANSFORMS = (
    Transform("iso_date", "ISO date YYYY-MM-DD (a datetime keeps its date part).",
              "transform: iso_date", frozenset({FieldKind.DATE, FieldKind.DATETIME}),
              frozenset({"date", "datetime", "string"}), _same(iso_date)),
    Transform("gmt_datetime", "GMT datetime: ACE's 2024-01-31T13:15:35.000Z <-> Salesforce datetimes.",
              "transform: gmt_datetime", frozenset({FieldKind.DATETIME}),
              frozenset({"datetime", "string"}), _same(gmt_datetime)),
    Transform("multi_select", "ACE ';' multi-select <-> Salesforce multi-select picklist "
              "(values trimmed, repeats dropped; a value map applies to each value).",
              "transform: multi_select", frozenset({FieldKind.MULTIPICKLIST}), LIST_TYPES,
              _same(multi_select), takes_value_map=True),
    Transform("list_as_text", "ACE JSON array of text <-> ';'-separated Salesforce text or multi-select.",
              "transform: list_as_text", frozenset({FieldKind.STRING_ARRAY}), LIST_TYPES,
              lambda _params: (list_to_text, text_to_list)),
    Transform("yes_no_checkbox", "ACE Yes/No picklist <-> Salesforce checkbox.",
              "transform: yes_no_checkbox", frozenset({FieldKind.PICKLIST}), frozenset({"boolean"}),
              lambda _params: (yes_no_to_checkbox, checkbox_to_yes_no)),
    Transform("number", "A number (text like '1,200.50' is read as 1200.5).", "transform: number",
              frozenset({FieldKind.NUMBER}), NUMBER_TYPES, _same(number)),
    Transform("truncate", "Cut text to at most `length` characters, each way.",
              "transform: {name: truncate, length: 120}", frozenset({FieldKind.TEXT}), TEXT_TYPES,
              lambda params: (_truncate(params["length"]), _truncate(params["length"])),
              params=(Param("length", int, "the most characters to keep"),)),
    Transform("constant", "Always the given value, whatever the source says (the source is not read).",
              "transform: {name: constant, value: Net New Business}", None, None,
              lambda params: (_constant(params["value"]), _constant(params["value"])),
              params=(Param("value", object, "the value to write"),), reads_source=False),
    Transform("full_name", "Split a full name into first + last name going to Salesforce; "
              "join first + last going to ACE. Names two Salesforce fields: [FirstName, LastName].",
              "transform: full_name", frozenset({FieldKind.TEXT}), frozenset({"string"}),
              lambda _params: (split_full_name, join_full_name), salesforce_fields=2),
)

TRANSFORMS: Mapping[str, Transform] = MappingProxyType({t.name: t for t in _TRANSFORMS})

_DEFAULT_BY_KIND = {
    FieldKind.DATE: "iso_date", FieldKind.DATETIME: "gmt_datetime",
    FieldKind.MULTIPICKLIST: "multi_select", FieldKind.STRING_ARRAY: "list_as_text",
    FieldKind.NUMBER: "number",
}

#: Salesforce types a plain copy (no transform) fits, by ACE kind.
COPY_TYPES = {
    FieldKind.TEXT: TEXT_TYPES,
    FieldKind.PICKLIST: frozenset({"picklist", "combobox", "string", "textarea"}),
}


def default_transform_for(kind: FieldKind) -> str | None:
    """The transform a rule gets when it names none (None: the value is copied)."""
    return _DEFAULT_BY_KIND.get(kind)
