"""What the compiler refuses, with the codes and messages a real org uses; and injection safety."""

from __future__ import annotations

import pytest

from connector.sandbox.salesforce.query import compile_query
from connector.soql import SoqlError, escape_soql_like, parse_soql, soql_literal


def refusal(org, soql: str) -> SoqlError:
    with pytest.raises(SoqlError) as caught:
        org.compile(soql)
    return caught.value


def test_unknown_object_is_invalid_type_pointing_at_the_name(org):
    error = refusal(org, "SELECT Id FROM Opportunty")
    assert error.code == "INVALID_TYPE"
    assert error.detail.startswith("sObject type 'Opportunty' is not supported.")
    assert error.message == ("\nSELECT Id FROM Opportunty\n               ^\n"
                             f"ERROR at Row:1:Column:16\n{error.detail}")


@pytest.mark.parametrize(("soql", "detail_start", "column"), [
    ("SELECT Id, Nme FROM Opportunity", "No such column 'Nme' on entity 'Opportunity'.", 12),
    ("SELECT Account.Nme FROM Opportunity", "No such column 'Nme' on entity 'Account'.", 8),
    ("SELECT Acount.Name FROM Opportunity",
     "Didn't understand relationship 'Acount' in field path.", 8),
    ("SELECT AccountId.Name FROM Opportunity",
     "Didn't understand relationship 'AccountId' in field path.", 8),
    ("SELECT Account FROM Opportunity", "No such column 'Account' on entity 'Opportunity'.", 8),
    ("SELECT Id FROM Opportunity WHERE Stage = 'x'",
     "No such column 'Stage' on entity 'Opportunity'.", 34),
    ("SELECT Id FROM Opportunity ORDER BY Account.Bogus__c",
     "No such column 'Bogus__c' on entity 'Account'.", 37),
])
def test_unknown_fields_and_relationships_are_invalid_field(org, soql, detail_start, column):
    error = refusal(org, soql)
    assert error.code == "INVALID_FIELD"
    assert error.detail.startswith(detail_start)
    assert error.column == column and error.row == 1


@pytest.mark.parametrize(("where", "detail"), [
    ("CloseDate = '2024-06-03'",
     "value of filter criterion for field 'CloseDate' must be of type date and should not be "
     "enclosed in quotes"),
    ("CloseDate = 2024-06-03T00:00:00Z", "must be of type date and should not be enclosed"),
    ("SystemModstamp > 2024-06-03", "must be of type dateTime and should not be enclosed"),
    ("SystemModstamp > '2024-06-03T00:00:00Z'", "must be of type dateTime"),
    ("Name = 5", "field 'Name' must be of type string and should be enclosed in quotes"),
    ("Name IN ('a', 5)", "field 'Name' must be of type string"),
    ("Amount = '5'", "field 'Amount' must be of type double and should not be enclosed"),
    ("IsWon = 'true'", "field 'IsWon' must be of type boolean"),
    ("IsWon = 1", "field 'IsWon' must be of type boolean"),
    ("AccountId = 5", "field 'AccountId' must be of type id"),
    ("Name = TODAY", "field 'Name' must be of type string"),
    ("Amount LIKE '5%'", "invalid operator LIKE on currency field 'Amount'"),
    ("IsWon > false", "invalid operator > on boolean field 'IsWon'"),
    ("Name INCLUDES ('a')", "INCLUDES operator only valid on multipicklist field"),
    ("Tags__c LIKE 'R%'", "invalid operator LIKE on multipicklist field 'Tags__c'"),
    ("Tags__c IN ('Red')", "invalid operator IN on multipicklist field 'Tags__c'"),
    ("Account.Description = 'x'", "field 'Description' can not be filtered in a query call"),
])
def test_literals_and_operators_must_suit_the_field(org, where, detail):
    error = refusal(org, f"SELECT Id FROM Opportunity WHERE {where}")
    assert error.code == "INVALID_FIELD"
    assert detail in error.detail


@pytest.mark.parametrize("field", ["Tags__c", "Account.Description"])
def test_unsortable_fields(org, field):
    error = refusal(org, f"SELECT Id FROM Opportunity ORDER BY {field}")
    assert error.code == "INVALID_FIELD"
    assert "can not be sorted in a query call" in error.detail


def test_offset_is_capped_at_2000(org):
    assert org.compile("SELECT Id FROM Opportunity OFFSET 2000")
    error = refusal(org, "SELECT Id FROM Opportunity OFFSET 2001")
    assert error.code == "NUMBER_OUTSIDE_VALID_RANGE"
    assert "2000" in error.message


def test_multi_line_queries_point_at_the_right_row(org):
    error = refusal(org, "SELECT Id,\n  Name\nFROM Opportunity\nWHERE Bogus = 1")
    assert (error.row, error.column) == (4, 7)
    assert error.message.startswith("\nWHERE Bogus = 1\n      ^\nERROR at Row:4:Column:7\n")


HOSTILE_VALUES = [
    "' OR Id != '",
    "x'); DROP TABLE \"Opportunity\"; --",
    "\" OR 1=1 --",
    "\\' OR Name LIKE '%",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_values_never_reach_the_sql_text(org, value):
    compiled = org.compile(f"SELECT Id FROM Opportunity WHERE Name = {soql_literal(value)} "
                           f"OR Name LIKE '%{escape_soql_like(value)}%'")
    assert value not in compiled.sql
    assert value in compiled.params
    assert org.conn.execute(compiled.sql, compiled.params).fetchall() == []
    assert org.count("SELECT COUNT() FROM Opportunity") == 4   # the table is still there


def test_escaped_like_wildcards_match_only_themselves(org):
    assert org.keys(f"SELECT Id FROM Opportunity WHERE Name LIKE '%{escape_soql_like('%')}%'"
                    ) == ["O3"]
    assert org.keys(f"SELECT Id FROM Opportunity WHERE Name LIKE '%{escape_soql_like('f_d')}%'"
                    ) == ["O3"]
    assert org.keys("SELECT Id FROM Opportunity WHERE Name LIKE '%f_d%'") == ["O3"]
    assert org.keys(f"SELECT Id FROM Opportunity WHERE Name LIKE '%{escape_soql_like('e_g')}%'"
                    ) == []


def test_identifiers_come_from_the_schema_not_the_query_text(org):
    compiled = org.compile("select NAME, account.NAME from OPPORTUNITY where EXT__C = 'a' "
                           "order by ACCOUNT.name")
    assert '"Opportunity"' in compiled.sql and '"Ext__c"' in compiled.sql
    assert "NAME" not in compiled.sql and "EXT__C" not in compiled.sql


def test_a_schema_name_that_is_not_an_identifier_is_refused(org):
    from connector.sandbox.salesforce.schema import FieldDef, ObjectDef, OrgSchema

    schema = OrgSchema()
    bad = ObjectDef(name='Bad"Table', key_prefix="a01")
    bad.fields["id"] = FieldDef("Id", "id")
    schema.objects["x"] = bad
    with pytest.raises(ValueError, match="not a valid SQL identifier"):
        compile_query(parse_soql("SELECT Id FROM x"), schema=schema)
