"""The SOQL syntax tree: immutable dataclasses, free of any schema knowledge.

Names keep the spelling of the query text; resolving them against an org's
schema (case-insensitively) is the compiler's job. Positions are 0-based
offsets into the query text, kept out of equality so that two parses of the
same query compare equal whatever their layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Union

# Comparison operators, as the parser normalises them (``<>`` becomes ``!=``).
EQUALS, NOT_EQUALS = "=", "!="
LESS, LESS_OR_EQUAL, GREATER, GREATER_OR_EQUAL = "<", "<=", ">", ">="
LIKE, IN, NOT_IN, INCLUDES, EXCLUDES = "LIKE", "IN", "NOT IN", "INCLUDES", "EXCLUDES"
ORDERING_OPERATORS = frozenset({LESS, LESS_OR_EQUAL, GREATER, GREATER_OR_EQUAL})
LIST_OPERATORS = frozenset({IN, NOT_IN, INCLUDES, EXCLUDES})


@dataclass(frozen=True)
class FieldPath:
    """``Name``, or a parent path such as ``Account.Owner.Email`` (relationships, then a field)."""

    parts: tuple[str, ...]
    position: int = field(default=0, compare=False)

    @property
    def text(self) -> str:
        return ".".join(self.parts)

    @property
    def folded(self) -> tuple[str, ...]:
        """The parts in lower case: two paths naming the same field fold equal."""
        return tuple(part.lower() for part in self.parts)


@dataclass(frozen=True)
class StringValue:
    value: str
    #: the same text as a SQL LIKE pattern escaped with ``\``: wildcards the query
    #: wrote bare stay wildcards; ``\%``, ``\_`` and a literal ``\`` are escaped
    like_pattern: str = field(default="", compare=False)
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class NumberValue:
    value: Decimal
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class BooleanValue:
    value: bool
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class NullValue:
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class DateValue:
    value: date
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class DateTimeValue:
    #: always timezone-aware, in the offset the query gave
    value: datetime
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class DateLiteral:
    """A relative range such as ``TODAY`` or ``LAST_N_DAYS:7`` (``name`` upper-case)."""

    name: str
    n: int | None = None
    position: int = field(default=0, compare=False)


Value = Union[StringValue, NumberValue, BooleanValue, NullValue, DateValue, DateTimeValue,
              DateLiteral]


@dataclass(frozen=True)
class Comparison:
    field: FieldPath
    operator: str
    #: one value, or a tuple of values for IN / NOT IN / INCLUDES / EXCLUDES
    value: Value | tuple[Value, ...]
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class And:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    operand: Condition


Condition = Union[Comparison, And, Or, Not]


@dataclass(frozen=True)
class OrderItem:
    field: FieldPath
    descending: bool = False
    #: SOQL puts nulls first unless NULLS LAST is given
    nulls_last: bool = False


@dataclass(frozen=True)
class Query:
    object_name: str
    #: the selected fields in SELECT order; empty for COUNT()
    fields: tuple[FieldPath, ...] = ()
    count_only: bool = False
    where: Condition | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None
    #: the query text, so later errors can point into it
    text: str = field(default="", compare=False)
    object_position: int = field(default=0, compare=False)


def iter_comparisons(condition: Condition | None) -> Iterator[Comparison]:
    """Every comparison in ``condition``, left to right (e.g. to check the fields it names)."""
    if condition is None:
        return
    if isinstance(condition, Comparison):
        yield condition
    elif isinstance(condition, Not):
        yield from iter_comparisons(condition.operand)
    else:
        for operand in condition.operands:
            yield from iter_comparisons(operand)
