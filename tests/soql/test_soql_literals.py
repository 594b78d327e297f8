"""soql_literal / escape_soql_string / escape_soql_like: whatever goes in comes back out."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from connector.soql import (escape_soql_like, escape_soql_string, parse_soql, parse_where,
                            soql_literal)
from connector.soql.nodes import (BooleanValue, DateTimeValue, DateValue, NullValue, NumberValue,
                                  StringValue)

# Text as a caller may hold it: every code point, including quotes, backslashes, control
# characters, SOQL keywords and astral characters (hypothesis leaves out lone surrogates).
any_text = st.one_of(
    st.text(),
    st.lists(st.sampled_from(["'", '"', "\\", "%", "_", " OR ", "Id != ", "\n", "\\u0041",
                              "é", "𝄞", ")", "("])).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(any_text)
@example("' OR Id != '")
@example("\\' OR Name != \\'")
@example("\\")
def test_strings_round_trip_through_the_parser(value):
    literal = soql_literal(value)
    assert literal == f"'{escape_soql_string(value)}'"
    condition = parse_where(f"Name = {literal} AND Id != null")
    assert condition.operands[0].value == StringValue(value)
    query = parse_soql(f"SELECT Id FROM Lead WHERE Email IN ({literal}, {literal}) LIMIT 1")
    assert query.where.value == (StringValue(value), StringValue(value))


# SQLite's LIKE stops at a NUL character and cannot store a lone surrogate; Salesforce
# text holds neither.
_NOT_NUL = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_NOT_NUL), st.text(alphabet=_NOT_NUL, max_size=3))
def test_escaped_like_patterns_match_exactly_their_text(value, other):
    """Compiled to SQLite's LIKE, an escaped pattern matches the value and nothing else."""
    pattern = parse_where(f"Name LIKE '{escape_soql_like(value)}'").value
    assert pattern.value == value
    conn = sqlite3.connect(":memory:")
    (matches,) = conn.execute("SELECT ? LIKE ? ESCAPE '\\'", (value, pattern.like_pattern)).fetchone()
    assert matches == 1
    if other.lower() != value.lower():
        (wrong,) = conn.execute("SELECT ? LIKE ? ESCAPE '\\'",
                                (other, pattern.like_pattern)).fetchone()
        assert wrong == 0


def test_escaping_of_the_characters_that_need_it():
    assert escape_soql_string("it's \"x\" \\ \n\r\t\b\f") == "it\\'s \\\"x\\\" \\\\ \\n\\r\\t\\b\\f"
    assert escape_soql_string("% _ é") == "% _ é"
    assert escape_soql_like("50%_off\\") == "50\\%\\_off\\\\"


@pytest.mark.parametrize(("value", "literal", "node"), [
    (None, "null", NullValue()),
    (True, "true", BooleanValue(True)),
    (False, "false", BooleanValue(False)),
    (42, "42", NumberValue(Decimal(42))),
    (-7, "-7", NumberValue(Decimal(-7))),
    (3.5, "3.5", NumberValue(Decimal("3.5"))),
    (1e20, "100000000000000000000", NumberValue(Decimal("1e20"))),
    (1.5e-7, "0.00000015", NumberValue(Decimal("1.5e-7"))),
    (Decimal("125000.00"), "125000.00", NumberValue(Decimal("125000"))),
    (date(2024, 6, 3), "2024-06-03", DateValue(date(2024, 6, 3))),
    (datetime(2024, 6, 3, 9, 12, 44, tzinfo=timezone.utc), "2024-06-03T09:12:44Z",
     DateTimeValue(datetime(2024, 6, 3, 9, 12, 44, tzinfo=timezone.utc))),
    # another zone is converted to UTC; sub-second digits are dropped
    (datetime(2024, 6, 3, 11, 12, 44, 999999, tzinfo=timezone(timedelta(hours=2))),
     "2024-06-03T09:12:44Z", DateTimeValue(datetime(2024, 6, 3, 9, 12, 44, tzinfo=timezone.utc))),
])
def test_other_values(value, literal, node):
    assert soql_literal(value) == literal
    assert parse_where(f"F = {literal}").value == node


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                 st.decimals(allow_nan=False, allow_infinity=False)))
def test_numbers_round_trip_exactly(number):
    parsed = parse_where(f"F = {soql_literal(number)}").value
    assert parsed.value == (Decimal(repr(number)) if isinstance(number, float) else number)


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=datetime(1700, 1, 1), max_value=datetime(9000, 1, 1),
                    timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=-8)),
                                               timezone(timedelta(hours=5, minutes=45))])))
def test_datetimes_round_trip_to_the_second(moment):
    parsed = parse_where(f"F >= {soql_literal(moment)}").value
    assert parsed.value == moment.replace(microsecond=0)


@pytest.mark.parametrize(("value", "error", "message"), [
    (datetime(2024, 6, 3, 9, 0), ValueError, "naive datetime 2024-06-03T09:00:00"),
    (float("nan"), ValueError, "has no SOQL literal"),
    (float("inf"), ValueError, "has no SOQL literal"),
    (Decimal("NaN"), ValueError, "has no SOQL literal"),
    (b"bytes", TypeError, "no SOQL literal for a value of type bytes"),
    ([1, 2], TypeError, "no SOQL literal for a value of type list"),
])
def test_values_without_a_literal_are_refused(value, error, message):
    with pytest.raises(error, match=message):
        soql_literal(value)
