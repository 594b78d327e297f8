"""Compiled queries run against an in-memory org: which rows come back, and in what shape."""

from __future__ import annotations

import pytest

from connector.sandbox.salesforce.ids import to_id18


def test_record_shape_follows_select_order_with_canonical_names_and_decoded_values(org):
    (record,) = org.query("select name, ACCOUNT.name, amount, closedate, iswon, systemmodstamp, "
                          "ID, account.owner.EMAIL from OPPORTUNITY where name = 'edge rollout'")
    o1, a1 = org.ids["O1"], org.ids["A1"]
    assert record == {
        "attributes": {"type": "Opportunity", "url": f"/services/data/v58.0/sobjects/Opportunity/{o1}"},
        "Name": "Edge rollout",
        "Account": {
            "attributes": {"type": "Account", "url": f"/services/data/v58.0/sobjects/Account/{a1}"},
            "Name": "Acme Ltd",
            "Owner": {"attributes": {"type": "User",
                                     "url": f"/services/data/v58.0/sobjects/User/{org.ids['U1']}"},
                      "Email": "una@example.com"},
        },
        "Amount": 125000.0, "CloseDate": "2024-09-30", "IsWon": False,
        "SystemModstamp": "2024-06-03T09:12:44.000+0000", "Id": o1,
    }
    assert list(record) == ["attributes", "Name", "Account", "Amount", "CloseDate", "IsWon",
                            "SystemModstamp", "Id"]


def test_missing_parents_are_null_at_the_level_where_the_chain_breaks(org):
    records = {r["Name"]: r for r in org.query(
        "SELECT Name, Account.Name, Account.Owner.Name, Parent__r.Name FROM Opportunity")}
    assert records["50% off_deal"]["Account"] is None
    assert records["50% off_deal"]["Parent__r"]["Name"] == "Edge rollout"
    assert records["edge Migration"]["Account"]["Owner"] is None
    assert records["edge Migration"]["Account"]["Name"] == "beta GmbH"
    assert records["Edge rollout"]["Parent__r"] is None


def test_field_names_and_object_name_are_canonical(org):
    compiled = org.compile("SELECT id, account.owner.email FROM opportunity")
    assert compiled.object_name == "Opportunity"
    assert compiled.field_names == ("Id", "Account.Owner.Email")
    assert compiled.count_only is False


def test_without_order_by_rows_come_in_id_order_and_deleted_rows_only_when_asked(org):
    assert org.keys("SELECT Id FROM Opportunity") == ["O1", "O2", "O3", "O5"]
    assert org.keys("SELECT Id FROM Opportunity", include_deleted=True) == [
        "O1", "O2", "O3", "O4", "O5"]


@pytest.mark.parametrize(("where", "expected"), [
    ("Ext__c = 'ace-1'", ["O1"]),
    ("Ext__c != 'ACE-1'", ["O2", "O3", "O5"]),      # the null Ext__c of O2 satisfies !=
    ("Ext__c = null", ["O2"]),
    ("Ext__c != null", ["O1", "O3", "O5"]),
    ("Ext__c = ''", ["O2"]),                         # '' means null, as in an org
    ("Ext__c != ''", ["O1", "O3", "O5"]),
    ("Ext__c IN ('', 'ace-3')", ["O2", "O3"]),
    ("Ext__c IN ('ACE-1', 'ACE-3')", ["O1", "O3"]),
    ("Ext__c IN (null, 'ace-1')", ["O1", "O2"]),
    ("Ext__c NOT IN ('ace-1')", ["O2", "O3", "O5"]),
    ("Ext__c NOT IN (null, 'ace-1')", ["O3", "O5"]),
    ("Amount < 1000", ["O5"]),                       # a null Amount is never < anything
    ("Amount >= 5000", ["O1", "O2"]),
    ("NOT Amount < 1000", ["O1", "O2", "O3"]),       # ...so NOT of it is true
    ("NOT (Amount < 1000 OR Amount > 100000)", ["O2", "O3"]),
    ("NOT NOT Amount < 1000", ["O5"]),
    ("Amount = 999.5", ["O5"]),
    ("Amount <> 5000", ["O1", "O3", "O5"]),
    ("Name LIKE 'edge%'", ["O1", "O2"]),
    ("Name LIKE '%E_GE%'", ["O1", "O2"]),
    ("Name LIKE '50\\% off\\_%'", ["O3"]),
    ("Name LIKE '50_ off%'", ["O3"]),
    ("Name LIKE '5\\_%'", []),
    ("Ext__c LIKE 'x\\\\y'", ["O5"]),                  # an escaped backslash is literal
    ("NOT Ext__c LIKE 'ACE%'", ["O2", "O5"]),        # null never matches LIKE
    ("StageName = 'closed won'", ["O2", "O5"]),
    ("IsWon = TRUE", ["O2", "O5"]),
    ("IsWon = false", ["O1", "O3"]),
    ("IsWon != true", ["O1", "O3"]),
    ("Name > 'b'", ["O1", "O2"]),                    # text compares ignoring case
    ("Account.Name = 'ACME LTD'", ["O1", "O5"]),
    ("Account.Name != 'acme ltd'", ["O2", "O3"]),    # no parent: null satisfies !=
    ("Account.Owner.Email LIKE '%@example.com'", ["O1", "O5"]),
    ("Parent__r.Ext__c = 'ACE-1'", ["O3"]),
    ("Amount > 100 AND (Ext__c = null OR Name LIKE 'a%')", ["O2", "O5"]),
    ("(Amount > 100000 OR IsWon = true) AND NOT Name = 'alpha'", ["O1", "O2"]),
    ("Name = 'alpha' OR Name = 'zeta' OR Ext__c = 'ace-3'", ["O3", "O5"]),
])
def test_where_semantics(org, where, expected):
    assert org.keys(f"SELECT Id FROM Opportunity WHERE {where}") == expected


@pytest.mark.parametrize(("where", "expected"), [
    ("Tags__c INCLUDES ('red')", ["O1", "O5"]),
    ("Tags__c INCLUDES ('Red;Blue')", ["O1"]),        # ; inside one value means both
    ("Tags__c INCLUDES ('Green', 'blue')", ["O1", "O2"]),
    ("Tags__c EXCLUDES ('Red')", ["O2", "O3"]),        # a null multipicklist excludes everything
    ("Tags__c = 'Blue;Red'", ["O1"]),                  # the same set, in any order
    ("Tags__c = 'Blue'", ["O2"]),
    ("Tags__c != 'Blue'", ["O1", "O3", "O5"]),
    ("Tags__c = null", ["O3"]),
    ("Tags__c = ''", ["O3"]),
    ("Tags__c = ';'", ["O3"]),
    ("Tags__c INCLUDES (';', '')", []),
    ("Tags__c EXCLUDES ('')", ["O1", "O2", "O3", "O5"]),
    ("Tags__c = 'Blue;;blue; '", ["O2"]),             # empty and repeated parts do not count
])
def test_multipicklist_semantics(org, where, expected):
    assert org.keys(f"SELECT Id FROM Opportunity WHERE {where}") == expected


def test_case_sensitive_fields_compare_exactly(org):
    by_code = lambda where: [r["Name"] for r in org.query(f"SELECT Name FROM Account WHERE {where}")]
    assert by_code("Code__c = 'abc'") == ["Acme Ltd"]
    assert by_code("Code__c LIKE 'AB%'") == ["beta GmbH"]
    assert by_code("Code__c IN ('ABC')") == ["beta GmbH"]
    assert by_code("Name = 'BETA gmbh'") == ["beta GmbH"]


def test_15_and_18_character_ids_compare_equal(org):
    o1, a1 = org.ids["O1"], org.ids["A1"]
    assert to_id18(o1[:15]) == o1
    assert org.keys(f"SELECT Id FROM Opportunity WHERE Id = '{o1[:15]}'") == ["O1"]
    assert org.keys(f"SELECT Id FROM Opportunity WHERE Id IN ('{o1[:15]}', "
                    f"'{org.ids['O2']}')") == ["O1", "O2"]
    assert org.keys(f"SELECT Id FROM Opportunity WHERE AccountId = '{a1[:15]}'") == ["O1", "O5"]
    assert org.keys(f"SELECT Id FROM Opportunity WHERE Id != '{o1[:15]}'") == ["O2", "O3", "O5"]
    assert org.keys("SELECT Id FROM Opportunity WHERE Id = 'not-an-id'") == []


@pytest.mark.parametrize(("order_by", "expected"), [
    ("Amount", ["O3", "O5", "O2", "O1"]),                       # nulls first by default
    ("Amount ASC NULLS LAST", ["O5", "O2", "O1", "O3"]),
    ("Amount DESC", ["O3", "O1", "O2", "O5"]),
    ("Amount DESC NULLS LAST", ["O1", "O2", "O5", "O3"]),
    ("Name", ["O3", "O5", "O2", "O1"]),                         # 50%, alpha, edge M, Edge r
    ("Name DESC", ["O1", "O2", "O5", "O3"]),
    ("Account.Name NULLS LAST, Name DESC", ["O1", "O5", "O2", "O3"]),
    ("IsWon DESC, CloseDate", ["O5", "O2", "O3", "O1"]),
    # picklists sort in the order their values are defined: Prospecting, Qualification, Closed Won
    ("StageName, Id DESC", ["O3", "O1", "O5", "O2"]),
    ("StageName DESC", ["O2", "O5", "O1", "O3"]),
    ("SystemModstamp DESC", ["O2", "O1", "O3", "O5"]),
])
def test_order_by(org, order_by, expected):
    assert org.keys(f"SELECT Id FROM Opportunity ORDER BY {order_by}") == expected


def test_limit_and_offset_apply_after_ordering(org):
    assert org.keys("SELECT Id FROM Opportunity ORDER BY Name LIMIT 2") == ["O3", "O5"]
    assert org.keys("SELECT Id FROM Opportunity ORDER BY Name LIMIT 2 OFFSET 1") == ["O5", "O2"]
    assert org.keys("SELECT Id FROM Opportunity ORDER BY Name OFFSET 3") == ["O1"]
    assert org.keys("SELECT Id FROM Opportunity LIMIT 0") == []


def test_count(org):
    assert org.count("SELECT COUNT() FROM Opportunity") == 4
    assert org.count("SELECT COUNT() FROM Opportunity", include_deleted=True) == 5
    assert org.count("SELECT count() FROM Opportunity WHERE Account.Name = 'acme ltd'") == 2
    assert org.count("SELECT COUNT() FROM Opportunity LIMIT 3") == 3
    assert org.count("SELECT COUNT() FROM Opportunity WHERE Name = 'nobody'") == 0
    assert org.compile("SELECT COUNT() FROM Opportunity").field_names == ()
    # ORDER BY means nothing to a count (and must not leave parameters behind)
    assert org.count("SELECT COUNT() FROM Opportunity WHERE IsWon = true ORDER BY StageName") == 2


def test_field_values_are_flat_and_decoded_in_select_order(org):
    compiled = org.compile("SELECT Account.Owner.Email, Amount, IsWon, SystemModstamp, Name "
                           "FROM Opportunity ORDER BY Name LIMIT 2")
    rows = org.conn.execute(compiled.sql, compiled.params).fetchall()
    assert compiled.field_names == ("Account.Owner.Email", "Amount", "IsWon", "SystemModstamp",
                                    "Name")
    assert [compiled.field_values(row) for row in rows] == [
        [None, None, False, "2024-06-02T23:59:59.000+0000", "50% off_deal"],
        ["una@example.com", 999.5, True, "2024-06-01T10:00:00.000+0000", "alpha"],
    ]


@pytest.mark.parametrize(("where", "expected"), [
    ("CloseDate > 2024-06-01", ["O1", "O3"]),
    ("CloseDate = 2024-06-03", ["O3"]),
    ("CloseDate <= 2024-06-01", ["O2", "O5"]),
    ("SystemModstamp >= 2024-06-03T09:12:44Z", ["O1", "O2"]),
    ("SystemModstamp >= 2024-06-03T11:12:44+02:00", ["O1", "O2"]),
    ("SystemModstamp > 2024-06-03T09:12:44Z", ["O2"]),
    ("SystemModstamp >= 2024-06-03T09:12:44.500Z", ["O2"]),
    ("SystemModstamp < 2024-06-02T20:00:00-04:00", ["O3", "O5"]),
    ("SystemModstamp = 2024-06-03T09:12:45.000Z", ["O2"]),
    # date literals, seen from Monday 2024-06-03 12:00 UTC
    ("CloseDate = TODAY", ["O3"]),
    ("CloseDate = LAST_N_DAYS:3", ["O2", "O3", "O5"]),
    ("CloseDate < THIS_MONTH", ["O5"]),
    ("CloseDate > THIS_MONTH", ["O1"]),
    ("CloseDate >= THIS_MONTH", ["O1", "O2", "O3"]),
    ("CloseDate <= LAST_MONTH", ["O5"]),
    ("CloseDate != TODAY", ["O1", "O2", "O5"]),
    ("CloseDate IN (TODAY, 2024-09-30)", ["O1", "O3"]),
    ("CloseDate NOT IN (TODAY, 2024-09-30)", ["O2", "O5"]),
    ("CloseDate = NEXT_N_MONTHS:4", ["O1"]),
    ("SystemModstamp = TODAY", ["O1", "O2"]),
    ("SystemModstamp = YESTERDAY", ["O3"]),
    ("SystemModstamp < THIS_WEEK", ["O5"]),              # weeks start on Sunday 2024-06-02
    ("SystemModstamp = THIS_WEEK", ["O1", "O2", "O3"]),
])
def test_date_and_datetime_comparisons(org, where, expected):
    assert org.keys(f"SELECT Id FROM Opportunity WHERE {where}") == expected
