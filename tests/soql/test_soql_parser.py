"""The SOQL parser: every construct of the subset, and every refusal with its message."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from connector.soql import SoqlError, parse_soql, parse_where
from connector.soql.nodes import (And, BooleanValue, Comparison, DateLiteral, DateTimeValue,
                                  DateValue, FieldPath, Not, NullValue, NumberValue, Or,
                                  OrderItem, Query, StringValue, iter_comparisons)


def path(text: str) -> FieldPath:
    return FieldPath(tuple(text.split(".")))


def where(text: str):
    return parse_where(text)


def test_the_watermark_query_parses_to_the_expected_tree():
    query = parse_soql(
        "SELECT Id, Name, StageName, Account.Name, Ext__c, SystemModstamp FROM Opportunity\n"
        "WHERE SystemModstamp >= 2024-06-03T09:12:44Z AND (Ext__c != null OR LeadSource = 'AWS')\n"
        "ORDER BY SystemModstamp ASC, Id ASC LIMIT 2000")
    assert query == Query(
        object_name="Opportunity",
        fields=tuple(map(path, ["Id", "Name", "StageName", "Account.Name", "Ext__c",
                                "SystemModstamp"])),
        where=And((
            Comparison(path("SystemModstamp"), ">=",
                       DateTimeValue(datetime(2024, 6, 3, 9, 12, 44, tzinfo=timezone.utc))),
            Or((Comparison(path("Ext__c"), "!=", NullValue()),
                Comparison(path("LeadSource"), "=", StringValue("AWS")))),
        )),
        order_by=(OrderItem(path("SystemModstamp")), OrderItem(path("Id"))),
        limit=2000,
    )
    assert query.text.startswith("SELECT Id") and query.object_position == 70


def test_keywords_are_case_insensitive_and_names_keep_their_spelling():
    query = parse_soql("select id, account.OWNER.email from opportunity where name like 'a%' "
                       "order by name desc nulls last, CloseDate Asc Nulls First limit 5 offset 2")
    assert query.object_name == "opportunity"
    assert query.fields == (path("id"), path("account.OWNER.email"))
    assert query.where == Comparison(path("name"), "LIKE", StringValue("a%"))
    assert query.order_by == (OrderItem(path("name"), descending=True, nulls_last=True),
                              OrderItem(path("CloseDate")))
    assert (query.limit, query.offset) == (5, 2)


def test_count():
    query = parse_soql("SELECT COUNT() FROM Lead WHERE IsConverted = false")
    assert query.count_only and query.fields == ()
    assert parse_soql("select count ( ) from Lead").count_only


def test_a_field_named_count_is_still_a_field():
    assert parse_soql("SELECT Count FROM Thing__c").fields == (path("Count"),)


@pytest.mark.parametrize(("text", "operator"), [
    ("a = 1", "="), ("a != 1", "!="), ("a <> 1", "!="), ("a < 1", "<"), ("a <= 1", "<="),
    ("a > 1", ">"), ("a >= 1", ">="),
])
def test_comparison_operators(text, operator):
    assert where(text) == Comparison(path("a"), operator, NumberValue(Decimal(1)))


@pytest.mark.parametrize(("text", "value"), [
    ("'x'", StringValue("x")),
    ("''", StringValue("")),
    ("42", NumberValue(Decimal("42"))),
    ("-3.5", NumberValue(Decimal("-3.5"))),
    ("+7", NumberValue(Decimal("7"))),
    (".25", NumberValue(Decimal("0.25"))),
    ("TrUe", BooleanValue(True)),
    ("FALSE", BooleanValue(False)),
    ("NULL", NullValue()),
    ("2024-02-29", DateValue(date(2024, 2, 29))),
    ("2024-06-03T09:12:44Z", DateTimeValue(datetime(2024, 6, 3, 9, 12, 44, tzinfo=timezone.utc))),
    ("2024-06-03T09:12:44.5Z",
     DateTimeValue(datetime(2024, 6, 3, 9, 12, 44, 500000, tzinfo=timezone.utc))),
    ("2024-06-03T09:12:44.123-05:30",
     DateTimeValue(datetime(2024, 6, 3, 9, 12, 44, 123000,
                            tzinfo=timezone(-timedelta(hours=5, minutes=30))))),
    ("2024-06-03T09:12:44+00:00",   # what simple-salesforce's format_soql writes
     DateTimeValue(datetime(2024, 6, 3, 9, 12, 44, tzinfo=timezone.utc))),
    ("today", DateLiteral("TODAY")),
    ("THIS_MONTH", DateLiteral("THIS_MONTH")),
    ("last_n_days:30", DateLiteral("LAST_N_DAYS", 30)),
    ("NEXT_N_WEEKS : 2", DateLiteral("NEXT_N_WEEKS", 2)),
    ("N_DAYS_AGO:0", DateLiteral("N_DAYS_AGO", 0)),
])
def test_values(text, value):
    assert where(f"F = {text}").value == value


@pytest.mark.parametrize(("literal", "value", "like_pattern"), [
    (r"'it\'s'", "it's", "it's"),
    (r"'say \"hi\"'", 'say "hi"', 'say "hi"'),
    (r"'back\\slash'", "back\\slash", "back\\\\slash"),
    (r"'\n\r\t\b\f'", "\n\r\t\b\f", "\n\r\t\b\f"),
    (r"'\u00e9t\u00C9'", "étÉ", "étÉ"),
    (r"'100\%'", "100%", "100\\%"),
    (r"'a\_b_c%'", "a_b_c%", "a\\_b_c%"),
    (r"'\u0025'", "%", "\\%"),       # an escaped wildcard is literal however it is written
    ("'unicode ☃ 𝄞 ok'", "unicode ☃ 𝄞 ok", "unicode ☃ 𝄞 ok"),
    ("'multi\nline'", "multi\nline", "multi\nline"),
])
def test_string_escapes(literal, value, like_pattern):
    parsed = where(f"Name LIKE {literal}").value
    assert (parsed.value, parsed.like_pattern) == (value, like_pattern)


def test_lists_and_multipicklist_operators():
    assert where("Id IN ('a', 'b')") == Comparison(path("Id"), "IN",
                                                   (StringValue("a"), StringValue("b")))
    assert where("Id NOT IN ('a')").operator == "NOT IN"
    assert where("x in (1, null, TODAY)").value == (NumberValue(Decimal(1)), NullValue(),
                                                    DateLiteral("TODAY"))
    assert where("Tags__c INCLUDES ('A;B', 'C')").value == (StringValue("A;B"), StringValue("C"))
    assert where("Tags__c excludes ('A')").operator == "EXCLUDES"


def test_logic_chains_not_and_parentheses():
    a, b, c = (Comparison(path(n), "=", NumberValue(Decimal(1))) for n in "abc")
    assert where("a = 1 AND b = 1 AND c = 1") == And((a, b, c))
    assert where("a = 1 or b = 1 OR c = 1") == Or((a, b, c))
    assert where("a = 1 AND (b = 1 OR c = 1)") == And((a, Or((b, c))))
    assert where("(a = 1 AND b = 1) OR c = 1") == Or((And((a, b)), c))
    assert where("NOT a = 1 AND b = 1") == And((Not(a), b))
    assert where("NOT (a = 1 OR b = 1)") == Not(Or((a, b)))
    assert where("((a = 1))") == a
    assert [c.field.text for c in iter_comparisons(where("a = 1 AND NOT (b = 1 OR c = 1)"))] == [
        "a", "b", "c"]


def test_positions_are_not_part_of_equality():
    assert where("a = 1") == where("  a   =\n1  ")


# (query, detail fragment, column of the caret)
MALFORMED = [
    ("SELECT * FROM Account", "no viable alternative at character '*' (SOQL has no SELECT *", 8),
    ("SELECT Id FROM Account WHERE Name = \"x\"",
     "no viable alternative at character '\"' (string literals take single quotes)", 37),
    ("SELECT Id FROM A WHERE a = 1 AND b = 2 OR c = 3",
     "unexpected token: 'OR' (AND and OR cannot be mixed at one level; add parentheses)", 40),
    ("SELECT Id FROM A WHERE (a = 1 OR b = 2 AND c = 3)", "unexpected token: 'AND' (AND and OR", 40),
    ("SELECT Id FROM A WHERE d > 2024-06-03T09:12:44.000+0000",
     "invalid datetime literal '2024-06-03T09:12:44.000+0000'", 28),
    ("SELECT Id FROM A WHERE d > 2024-06-03T09:12:44", "invalid datetime literal", 28),
    ("SELECT Id FROM A WHERE d > 2024-06-03T09:12:44.1234Z", "invalid datetime literal", 28),
    ("SELECT Id FROM A WHERE d > 2024-06-03T25:00:00Z", "hour must be in 0..23", 28),
    ("SELECT Id FROM A WHERE d > 2024-06-03T09:00:00+15:00", "bad zone offset", 28),
    ("SELECT Id FROM A WHERE d > 2024-13-01", "invalid date '2024-13-01': no such day", 28),
    ("SELECT Id FROM A WHERE d > 2023-02-29", "invalid date '2023-02-29'", 28),
    ("SELECT Id FROM A WHERE d > 2024-6-3", "invalid number or date literal '2024-6-3'", 28),
    ("SELECT Id FROM A WHERE n = 12abc", "invalid number or date literal '12abc'", 28),
    ("SELECT Id FROM A WHERE n = 'open", "unterminated string literal", 28),
    ("SELECT Id FROM A WHERE n = 'a\\qb'", "illegal escape sequence '\\q'", 30),
    ("SELECT Id FROM A WHERE n = 'a\\u12'", "illegal escape sequence '\\u12'", 30),
    ("SELECT Id, Name, id FROM A", "duplicate field selected: id", 18),
    ("SELECT Account.Name, ACCOUNT.name FROM A", "duplicate field selected: ACCOUNT.name", 22),
    ("SELECT Id Name FROM A", "unexpected token: 'Name'; expected ',' or FROM", 11),
    ("SELECT FROM A", "unexpected token: 'A'; expected ',' or FROM", 13),
    ("SELECT Id, FROM A", "unexpected token: 'A'; expected ',' or FROM", 17),
    ("SELECT Id", "unexpected token: '<EOF>'; expected ',' or FROM", 10),
    ("SELECT Id FROM", "unexpected token: '<EOF>'; expected an object name", 15),
    ("Id FROM A", "unexpected token: 'Id'; expected SELECT", 1),
    ("", "unexpected token: '<EOF>'; expected SELECT", 1),
    ("SELECT COUNT(Id) FROM A", "COUNT(field) and other aggregate functions are not supported", 14),
    ("SELECT COUNT(), Name FROM A", "COUNT() must be the only item in the select list", 8),
    ("SELECT Name, COUNT() FROM A", "functions such as COUNT() are not supported", 14),
    ("SELECT FIELDS(ALL) FROM A", "functions such as FIELDS() are not supported", 8),
    ("SELECT Id, (SELECT Id FROM Contacts) FROM A", "subqueries in the select list", 12),
    ("SELECT Id FROM A WHERE Id IN (SELECT AccountId FROM B)", "semi-join subqueries", 31),
    ("SELECT Id FROM A GROUP BY Id", "unexpected token: 'GROUP' (GROUP BY is not supported)", 18),
    ("SELECT Id FROM A FOR UPDATE", "FOR VIEW/REFERENCE/UPDATE is not supported", 18),
    ("SELECT Id FROM A ALL ROWS", "ALL ROWS is not supported; use queryAll", 18),
    ("SELECT Id FROM A LIMIT 5 WHERE a = 1", "unexpected token: 'WHERE'; expected the end", 26),
    ("SELECT Id FROM A OFFSET 5 LIMIT 1", "unexpected token: 'LIMIT'; expected the end", 27),
    ("SELECT Id FROM A LIMIT -1", "expected a whole number after LIMIT", 24),
    ("SELECT Id FROM A LIMIT 1.5", "expected a whole number after LIMIT", 24),
    ("SELECT Id FROM A LIMIT '5'", "expected a whole number after LIMIT", 24),
    ("SELECT Id FROM A OFFSET", "expected a whole number after OFFSET", 24),
    ("SELECT Id FROM A ORDER Name", "unexpected token: 'Name'; expected BY", 24),
    ("SELECT Id FROM A ORDER BY Name NULLS", "expected FIRST or LAST after NULLS", 37),
    ("SELECT Id FROM A ORDER BY Name,", "expected a field name", 32),
    ("SELECT Id FROM A WHERE", "unexpected token: '<EOF>'; expected a field name", 23),
    ("SELECT Id FROM A WHERE Name", "expected a comparison operator", 28),
    ("SELECT Id FROM A WHERE Name =", "unexpected token: '<EOF>'; expected a value", 30),
    ("SELECT Id FROM A WHERE Name = foo", "unexpected token: 'foo'; expected a value", 31),
    ("SELECT Id FROM A WHERE Amount > null", "null can only be compared with = or !=", 31),
    ("SELECT Id FROM A WHERE Name LIKE 5", "LIKE takes a quoted string pattern", 29),
    ("SELECT Id FROM A WHERE Id IN ()", "unexpected token: ')'; expected a value", 31),
    ("SELECT Id FROM A WHERE Id IN 'a'", "expected '(' after IN", 30),
    ("SELECT Id FROM A WHERE Id IN ('a' 'b')", "expected ',' or ')'", 35),
    ("SELECT Id FROM A WHERE Id NOT = 'a'", "expected IN after NOT", 31),
    ("SELECT Id FROM A WHERE T INCLUDES (1)", "INCLUDES takes quoted strings", 36),
    ("SELECT Id FROM A WHERE Id = :ids", "bind variables (:name) exist only in Apex", 29),
    ("SELECT Id FROM A WHERE d = LAST_N_DAYS", "expected ':' and a number after LAST_N_DAYS", 39),
    ("SELECT Id FROM A WHERE d = LAST_N_DAYS:x", "expected a whole number after LAST_N_DAYS", 40),
    ("SELECT Id FROM A WHERE d = TODAY:3", "date literal TODAY takes no number", 33),
    ("SELECT Id FROM A WHERE (a = 1", "unexpected token: '<EOF>'; expected ')', AND or OR", 30),
    ("SELECT Id FROM A WHERE a = 1)", "unexpected token: ')'; expected the end", 29),
    ("SELECT Id FROM A WHERE a.= 1", "expected a field name after '.'", 26),
    ("SELECT Id FROM A WHERE a = 1 AND", "expected a field name", 33),
    ("SELECT Id FROM A; DROP TABLE A", "no viable alternative at character ';'", 17),
]


@pytest.mark.parametrize(("soql", "detail", "column"), MALFORMED)
def test_malformed_queries(soql, detail, column):
    with pytest.raises(SoqlError) as caught:
        parse_soql(soql)
    error = caught.value
    assert error.code == "MALFORMED_QUERY"
    assert detail in error.detail
    assert (error.row, error.column) == (1, column)
    assert error.message == (f"\n{soql}\n{' ' * (column - 1)}^\n"
                             f"ERROR at Row:1:Column:{column}\n{error.detail}")
    assert str(error) == f"MALFORMED_QUERY: {error.message}"


def test_parse_where_takes_a_bare_condition_and_nothing_more():
    assert where("LeadSource = 'AWS'") == Comparison(path("LeadSource"), "=", StringValue("AWS"))
    for text in ("WHERE a = 1", "a = 1 ORDER BY a", "a = 1 LIMIT 1", ""):
        with pytest.raises(SoqlError) as caught:
            parse_where(text)
        assert caught.value.code == "MALFORMED_QUERY"


def test_what_simple_salesforce_format_soql_writes_parses_to_the_same_values():
    from simple_salesforce import format_soql

    moment = datetime(2024, 6, 3, 9, 12, 44, tzinfo=timezone.utc)
    soql = format_soql("SELECT Id FROM Lead WHERE Name = {} AND D > {} AND E = {} AND F IN {} "
                       "AND G = {} AND H = {} AND I = {} AND J LIKE '{:like}%'",
                       "x'y\\z\n\"", moment, date(2024, 6, 3), ["a", "b"], True, None, 1.5, "50%_")
    values = [c.value for c in parse_soql(soql).where.operands]
    assert values == [StringValue("x'y\\z\n\""), DateTimeValue(moment), DateValue(date(2024, 6, 3)),
                      (StringValue("a"), StringValue("b")), BooleanValue(True), NullValue(),
                      NumberValue(Decimal("1.5")), StringValue("50%_%")]
    assert values[-1].like_pattern == "50\\%\\_%"
