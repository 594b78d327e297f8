"""Generated queries: the parser and compiler either refuse with a SoqlError or produce SQL
that SQLite runs, with exactly one parameter per placeholder."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.soql import SoqlError, parse_soql

FIELDS = ["Id", "Name", "Amount", "CloseDate", "IsWon", "SystemModstamp", "Ext__c", "Tags__c",
          "AccountId", "Account.Name", "Account.Owner.Email", "Parent__r.Parent__r.Name",
          "StageName", "Account.Description", "Bogus__c"]
VALUES = ["'x'", "''", "'Red;Blue'", "'a\\%b'", "5", "-2.5", "true", "null", "2024-01-01",
          "2024-01-01T00:00:00Z", "TODAY", "LAST_N_DAYS:3", "'0068c0000000001'"]
OPERATORS = ["=", "!=", "<", ">=", "LIKE", "IN", "NOT IN", "INCLUDES", "EXCLUDES"]
LIST_OPERATORS = {"IN", "NOT IN", "INCLUDES", "EXCLUDES"}


@st.composite
def conditions(draw, depth=0):
    if depth < 2 and draw(st.booleans()):
        joiner = draw(st.sampled_from([" AND ", " OR "]))
        inner = "(" + joiner.join(draw(conditions(depth + 1))
                                  for _ in range(draw(st.integers(2, 3)))) + ")"
        return f"NOT {inner}" if draw(st.booleans()) else inner
    field, operator = draw(st.sampled_from(FIELDS)), draw(st.sampled_from(OPERATORS))
    if operator in LIST_OPERATORS:
        value = "(" + ", ".join(draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=3))) + ")"
    else:
        value = draw(st.sampled_from(VALUES))
    return f"{field} {operator} {value}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(select=st.one_of(st.just("COUNT()"), st.lists(st.sampled_from(FIELDS), min_size=1,
                                                     max_size=4, unique=True).map(", ".join)),
       where=conditions(),
       order_by=st.lists(st.sampled_from(FIELDS), max_size=2, unique=True))
def test_a_compiled_query_always_runs(org, select, where, order_by):
    soql = f"SELECT {select} FROM Opportunity WHERE {where}"
    if order_by:
        soql += " ORDER BY " + ", ".join(order_by)
    try:
        compiled = org.compile(soql)
    except SoqlError as error:
        assert error.code in ("INVALID_FIELD", "MALFORMED_QUERY"), soql
        return
    assert compiled.sql.count("?") == len(compiled.params)
    rows = org.conn.execute(compiled.sql, compiled.params).fetchall()
    if not compiled.count_only:
        for row in rows:
            assert compiled.shape_row(row)["attributes"]["type"] == "Opportunity"


TOKENS = ["SELECT", "Id", ",", "FROM", "A", "WHERE", "(", ")", "=", "'x'", "1", "AND", "OR", "NOT",
          "IN", "LIKE", "ORDER", "BY", "LIMIT", "OFFSET", "2024-01-01", "null", "TODAY", ":",
          "COUNT", ".", "NULLS", "LAST", "DESC", "INCLUDES", "'", "\\", '"', "*"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40),
                 st.lists(st.sampled_from(TOKENS), max_size=16).map(" ".join)))
def test_the_parser_refuses_garbage_only_with_malformed_query(text):
    try:
        parse_soql(text)
    except SoqlError as error:
        assert error.code == "MALFORMED_QUERY"
        assert error.row >= 1 and error.column >= 1
