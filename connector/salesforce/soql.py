"""SELECT statements built safely: names validated, values always escaped.

Values never reach a query as raw text: every one goes through
``connector.soql.soql_literal``. Field and object names are checked against
Salesforce's identifier shape. The only raw SOQL accepted is a mapping's own
WHERE fragment, written by the org's admin; it is parsed first and always
wrapped in parentheses, so it cannot change the meaning of the conditions
around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

from connector.soql import SoqlError, parse_where, soql_literal

FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")
OBJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
COMPARISON_OPERATORS = frozenset({"=", "!=", "<", "<=", ">", ">=", "LIKE"})
LIST_OPERATORS = frozenset({"IN", "NOT IN"})
_ORDER_ITEM = re.compile(r"^(?P<field>\S+)(?:\s+(?P<direction>ASC|DESC))?"
                         r"(?:\s+(?P<nulls>NULLS\s+(?:FIRST|LAST)))?$", re.IGNORECASE)

#: Salesforce refuses request URIs over 16 KB; a query travels in the URL (``?q=``).
MAX_QUERY_URL_BYTES = 16_000
#: ``https://<my-domain host>/services/data/vNN.N/query/?q=``, with room to spare.
URL_OVERHEAD_BYTES = 300

WATERMARK_FIELD = "SystemModstamp"


def field_name(name: str) -> str:
    """``name`` if it is a field path Salesforce accepts (``Account.Name``), else ValueError."""
    if not isinstance(name, str) or not FIELD_NAME.match(name):
        raise ValueError(f"not a valid SOQL field name: {name!r}")
    return name


def object_name(name: str) -> str:
    if not isinstance(name, str) or not OBJECT_NAME.match(name):
        raise ValueError(f"not a valid Salesforce object name: {name!r}")
    return name


def field_list(fields: Iterable[str]) -> list[str]:
    """Validated field names, each once (Salesforce refuses a field listed twice)."""
    seen: set[str] = set()
    unique: list[str] = []
    for name in fields:
        if field_name(name).lower() not in seen:
            seen.add(name.lower())
            unique.append(name)
    if not unique:
        raise ValueError("a SELECT needs at least one field")
    return unique


def condition(field: str, operator: str, value: Any) -> str:
    """``field <operator> <escaped value>``; ``IN``/``NOT IN`` take an iterable of values."""
    op = " ".join(operator.upper().split())
    if op in LIST_OPERATORS:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise ValueError(f"{op} needs a list of values, not {value!r}")
        values = list(value)
        if not values:
            raise ValueError(f"{op} needs at least one value")
        return f"{field_name(field)} {op} ({', '.join(soql_literal(v) for v in values)})"
    if op not in COMPARISON_OPERATORS:
        raise ValueError(f"unsupported SOQL operator {operator!r}")
    return f"{field_name(field)} {op} {soql_literal(value)}"


def where_fragment(text: str) -> str:
    """An admin-written WHERE fragment, checked to be one whole condition, in parentheses."""
    try:
        parse_where(text)
    except SoqlError as exc:
        raise ValueError(f"the WHERE fragment {text!r} is not valid SOQL: {exc.detail}") from None
    return f"({text.strip()})"


def select(obj: str, fields: Iterable[str], *, where: Sequence[str] = (),
           order_by: Sequence[str] = (), limit: int | None = None) -> str:
    """``SELECT … FROM obj [WHERE a AND b …] [ORDER BY …] [LIMIT n]``.

    ``where`` holds conditions made by :func:`condition` or :func:`where_fragment`;
    they are joined with AND.
    """
    text = f"SELECT {', '.join(field_list(fields))} FROM {object_name(obj)}"
    if where:
        text += " WHERE " + " AND ".join(where)
    if order_by:
        text += " ORDER BY " + ", ".join(_order_item(item) for item in order_by)
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"LIMIT must be a positive integer, not {limit!r}")
        text += f" LIMIT {limit}"
    return text


def watermark_query(obj: str, fields: Iterable[str], *, since: datetime | None,
                    extra_where: str | None = None, limit: int | None = None) -> str:
    """Records of ``obj`` changed at or after ``since``, oldest change first.

    ``>=`` rather than ``>``: ``SystemModstamp`` has whole-second resolution, so
    records written in the watermark's own second would otherwise be missed;
    the caller drops the ones it has already seen. ``Id`` breaks ties so pages
    and repeated runs see one stable order. ``since=None`` selects everything
    (the first run).
    """
    conditions = []
    if since is not None:
        conditions.append(condition(WATERMARK_FIELD, ">=", since))
    if extra_where and extra_where.strip():
        conditions.append(where_fragment(extra_where))
    return select(obj, ["Id", WATERMARK_FIELD, *fields], where=conditions,
                  order_by=[f"{WATERMARK_FIELD} ASC", "Id ASC"], limit=limit)


def lookup_queries(obj: str, fields: Iterable[str], *, key_field: str, values: Iterable[Any],
                   extra_where: str | None = None,
                   max_url_bytes: int = MAX_QUERY_URL_BYTES) -> Iterator[str]:
    """Queries fetching the records whose ``key_field`` is one of ``values``.

    Values are de-duplicated and split over as many ``key_field IN (…)``
    queries as needed to keep each request URL under ``max_url_bytes``.
    """
    fields = field_list([*fields, key_field])
    where = [where_fragment(extra_where)] if extra_where and extra_where.strip() else []
    head = select(obj, fields) + f" WHERE {field_name(key_field)} IN ("
    tail = ")" + "".join(f" AND {w}" for w in where)
    budget = max_url_bytes - URL_OVERHEAD_BYTES - _encoded_len(head) - _encoded_len(tail)
    chunk: list[str] = []
    used = 0
    for literal in _unique_literals(values):
        cost = _encoded_len(literal) + (_encoded_len(", ") if chunk else 0)
        if chunk and used + cost > budget:
            yield head + ", ".join(chunk) + tail
            chunk, used = [], 0
            cost = _encoded_len(literal)
        if cost > budget:
            raise ValueError(f"a {key_field} value is too long to look up in one query "
                             f"({_encoded_len(literal)} encoded bytes)")
        chunk.append(literal)
        used += cost
    if chunk:
        yield head + ", ".join(chunk) + tail


def _unique_literals(values: Iterable[Any]) -> Iterator[str]:
    seen: set[str] = set()
    for value in values:
        if value is None:
            continue  # ``IN (null)`` matches nothing useful; a missing key is looked up elsewhere
        literal = soql_literal(value)
        if literal not in seen:
            seen.add(literal)
            yield literal


def _order_item(item: str) -> str:
    match = _ORDER_ITEM.match(item.strip())
    if not match:
        raise ValueError(f"not a valid ORDER BY item: {item!r}")
    parts = [field_name(match["field"])]
    if match["direction"]:
        parts.append(match["direction"].upper())
    if match["nulls"]:
        parts.append(" ".join(match["nulls"].upper().split()))
    return " ".join(parts)


def _encoded_len(text: str) -> int:
    return len(quote_plus(text))
