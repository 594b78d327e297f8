"""SELECT builders: names validated, values escaped, URLs kept short."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus

import pytest

from connector.salesforce.soql import (
    MAX_QUERY_URL_BYTES,
    URL_OVERHEAD_BYTES,
    condition,
    field_list,
    lookup_queries,
    select,
    watermark_query,
    where_fragment,
)
from connector.soql import parse_soql
from connector.soql.nodes import iter_comparisons

HOSTILE = "' OR Id != '"


def test_hostile_value_stays_one_string_literal():
    text = select("Lead", ["Id"], where=[condition("Email", "=", HOSTILE)])
    assert text == "SELECT Id FROM Lead WHERE Email = '\\' OR Id != \\''"
    # The parser sees one comparison whose value is the whole hostile string.
    where = parse_soql(text).where
    assert where.value.value == HOSTILE


def test_backslashes_and_quotes_are_escaped():
    text = condition("Name", "=", "C:\\temp\\'x\"")
    assert text == "Name = 'C:\\\\temp\\\\\\'x\\\"'"
    assert parse_soql(f"SELECT Id FROM Lead WHERE {text}").where.value.value == "C:\\temp\\'x\""


def test_in_condition_escapes_every_value():
    text = condition("Id", "not in", ["a", HOSTILE])
    assert text == "Id NOT IN ('a', '\\' OR Id != \\'')"


@pytest.mark.parametrize("bad", ["Name; DELETE", "Name'", "1Name", "Account..Name", "", "Name OR Id", None])
def test_field_names_are_validated(bad):
    with pytest.raises(ValueError, match="field name"):
        field_list([bad])


def test_bad_object_operator_limit_and_order_are_refused():
    with pytest.raises(ValueError, match="object name"):
        select("Lead WHERE", ["Id"])
    with pytest.raises(ValueError, match="operator"):
        condition("Name", "= 'x' OR Name =", "y")
    with pytest.raises(ValueError, match="LIMIT"):
        select("Lead", ["Id"], limit=0)
    with pytest.raises(ValueError, match="ORDER BY"):
        select("Lead", ["Id"], order_by=["Name; x"])
    with pytest.raises(ValueError, match="list of values"):
        condition("Id", "IN", "abc")


def test_a_field_listed_twice_is_sent_once():
    assert select("Opportunity", ["Id", "Name", "id", "Account.Name"]) == \
        "SELECT Id, Name, Account.Name FROM Opportunity"


def test_watermark_query_shape():
    since = datetime(2024, 6, 3, 11, 12, 44, 987000, tzinfo=timezone(timedelta(hours=2)))
    text = watermark_query("Opportunity", ["Name", "SystemModstamp"], since=since,
                           extra_where="ACE_Share__c = true OR LeadSource = 'AWS'", limit=2000)
    assert text == (
        "SELECT Id, SystemModstamp, Name FROM Opportunity "
        "WHERE SystemModstamp >= 2024-06-03T09:12:44Z AND (ACE_Share__c = true OR LeadSource = 'AWS') "
        "ORDER BY SystemModstamp ASC, Id ASC LIMIT 2000")
    parse_soql(text)  # well-formed


def test_watermark_query_without_watermark_selects_everything():
    assert watermark_query("Lead", ["Company"], since=None) == \
        "SELECT Id, SystemModstamp, Company FROM Lead ORDER BY SystemModstamp ASC, Id ASC"


def test_naive_watermark_is_refused():
    with pytest.raises(ValueError, match="naive"):
        watermark_query("Lead", ["Company"], since=datetime(2024, 6, 3))


@pytest.mark.parametrize("fragment", ["A = 1) OR (B = 2", "Name = 'x' --", "Name = 'x' OR", "(Name = 'x'"])
def test_where_fragment_must_be_one_whole_condition(fragment):
    with pytest.raises(ValueError, match="not valid SOQL"):
        where_fragment(fragment)


def test_lookup_queries_chunk_under_the_url_limit_and_cover_every_value():
    values = [f"O{n:09d}" for n in range(3000)] + ["O000000001", None]
    queries = list(lookup_queries("Opportunity", ["Id", "Name"], key_field="ACE_Opportunity_Id__c",
                                  values=values, extra_where="IsDeleted = false"))
    assert len(queries) > 1
    seen: list[str] = []
    for text in queries:
        assert len(quote_plus(text)) + URL_OVERHEAD_BYTES <= MAX_QUERY_URL_BYTES
        query = parse_soql(text)
        in_condition = next(iter_comparisons(query.where))
        assert in_condition.operator == "IN"
        assert text.endswith(" AND (IsDeleted = false)")
        assert "ACE_Opportunity_Id__c IN (" in text
        seen.extend(v.value for v in in_condition.value)
    assert sorted(seen) == sorted(set(v for v in values if v))


def test_lookup_value_too_long_for_any_url_is_refused():
    with pytest.raises(ValueError, match="too long"):
        list(lookup_queries("Lead", ["Id"], key_field="Email", values=["x" * 20_000]))
