"""A small org schema and an in-memory SQLite org stored the way the emulator stores records."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from connector.sandbox.salesforce.ids import make_id
from connector.sandbox.salesforce.query import CompiledQuery, compile_query
from connector.sandbox.salesforce.schema import FieldDef, ObjectDef, OrgSchema
from connector.soql import parse_soql

API_VERSION = "58.0"
#: "now" for date literals: Monday 3 June 2024, noon UTC
NOW = datetime(2024, 6, 3, 12, 0, tzinfo=timezone.utc)
_SQL_TYPES = {"boolean": "INTEGER", "int": "INTEGER", "double": "REAL", "currency": "REAL",
              "percent": "REAL"}


def _object(name: str, prefix: str, *fields: FieldDef) -> ObjectDef:
    obj = ObjectDef(name=name, key_prefix=prefix)
    for definition in (FieldDef("Id", "id", length=18, nillable=False),
                       FieldDef("IsDeleted", "boolean", nillable=False), *fields):
        obj.fields[definition.name.lower()] = definition
    return obj


def build_schema() -> OrgSchema:
    schema = OrgSchema()
    schema.add(_object("User", "005", FieldDef("Name", "string", length=121),
                       FieldDef("Email", "email", length=80)))
    schema.add(_object(
        "Account", "001", FieldDef("Name", "string", length=255),
        FieldDef("Code__c", "string", length=20, case_sensitive=True, custom=True),
        FieldDef("Description", "textarea", length=32000),
        FieldDef("NumberOfEmployees", "int"),
        FieldDef("OwnerId", "reference", length=18, reference_to=("User",),
                 relationship_name="Owner")))
    schema.add(_object(
        "Opportunity", "006", FieldDef("Name", "string", length=120),
        FieldDef("StageName", "picklist", length=255, picklist_values=(
            "Prospecting", "Qualification", "Closed Won")),
        FieldDef("Amount", "currency", precision=18, scale=2),
        FieldDef("CloseDate", "date"),
        FieldDef("IsWon", "boolean"),
        FieldDef("SystemModstamp", "datetime"),
        FieldDef("Ext__c", "string", length=80, external_id=True, custom=True),
        FieldDef("Tags__c", "multipicklist", length=4099, custom=True,
                 picklist_values=("Red", "Blue", "Green")),
        FieldDef("AccountId", "reference", length=18, reference_to=("Account",),
                 relationship_name="Account"),
        FieldDef("Parent__c", "reference", length=18, reference_to=("Opportunity",),
                 relationship_name="Parent__r", custom=True)))
    return schema


def create_tables(conn: sqlite3.Connection, schema: OrgSchema) -> None:
    for obj in schema.objects.values():
        columns = ", ".join(f'"{d.name}" {_SQL_TYPES.get(d.type, "TEXT")}'
                            for d in obj.fields.values())
        conn.execute(f'CREATE TABLE "{obj.name}" ({columns})')


def insert(conn: sqlite3.Connection, table: str, **values: object) -> None:
    values.setdefault("IsDeleted", 0)
    names = ", ".join(f'"{name}"' for name in values)
    conn.execute(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(values))})',
                 list(values.values()))


@dataclass
class Org:
    conn: sqlite3.Connection
    schema: OrgSchema
    ids: dict[str, str]
    now: datetime = NOW
    api_version: str = API_VERSION

    def compile(self, soql: str, **options: object) -> CompiledQuery:
        options.setdefault("now", self.now)
        return compile_query(parse_soql(soql), schema=self.schema, api_version=self.api_version,
                             **options)  # type: ignore[arg-type]

    def query(self, soql: str, **options: object) -> list[dict]:
        compiled = self.compile(soql, **options)
        return [compiled.shape_row(row)
                for row in self.conn.execute(compiled.sql, compiled.params).fetchall()]

    def keys(self, soql: str, **options: object) -> list[str]:
        """The test's own names (``O1``…) of the records a query returns, in order."""
        by_id = {record_id: key for key, record_id in self.ids.items()}
        return [by_id[record["Id"]] for record in self.query(soql, **options)]

    def count(self, soql: str, **options: object) -> int:
        compiled = self.compile(soql, **options)
        assert compiled.count_only
        (row,) = self.conn.execute(compiled.sql, compiled.params).fetchall()
        return row[0]


@pytest.fixture(scope="session")
def schema() -> OrgSchema:
    return build_schema()


@pytest.fixture(scope="module")
def org(schema: OrgSchema) -> Org:
    """Users U1; accounts A1, A2; opportunities O1–O5 (O4 in the recycle bin).

    Ids are allocated so that the key order O1 < O2 < … is also Id order.
    """
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    create_tables(conn, schema)
    ids = {f"U{n}": make_id("005", n) for n in (1,)}
    ids |= {f"A{n}": make_id("001", n) for n in (1, 2)}
    ids |= {f"O{n}": make_id("006", n) for n in range(1, 6)}
    insert(conn, "User", Id=ids["U1"], Name="Una User", Email="una@example.com")
    insert(conn, "Account", Id=ids["A1"], Name="Acme Ltd", Code__c="abc", OwnerId=ids["U1"],
           NumberOfEmployees=50)
    insert(conn, "Account", Id=ids["A2"], Name="beta GmbH", Code__c="ABC")
    opportunities = [
        ("O1", "Edge rollout", "Prospecting", 125000.0, "2024-09-30", 0, "2024-06-03T09:12:44.000Z",
         "ACE-1", "Red;Blue", "A1", None),
        ("O2", "edge Migration", "Closed Won", 5000.0, "2024-06-01", 1, "2024-06-03T09:12:45.000Z",
         None, "Blue", "A2", None),
        ("O3", "50% off_deal", "Prospecting", None, "2024-06-03", 0, "2024-06-02T23:59:59.000Z",
         "ace-3", None, None, "O1"),
        ("O4", "Zeta", "Qualification", 10.0, "2024-07-15", 0, "2024-06-04T00:00:00.000Z",
         "ACE-4", "Green;Red;Blue", "A1", None),
        ("O5", "alpha", "Closed Won", 999.5, "2024-05-31", 1, "2024-06-01T10:00:00.000Z",
         "X\\Y", "Red", "A1", None),
    ]
    for key, name, stage, amount, close, won, stamp, ext, tags, account, parent in opportunities:
        insert(conn, "Opportunity", Id=ids[key], Name=name, StageName=stage, Amount=amount,
               CloseDate=close, IsWon=won, SystemModstamp=stamp, Ext__c=ext, Tags__c=tags,
               AccountId=ids.get(account), Parent__c=ids.get(parent),
               IsDeleted=int(key == "O4"))
    return Org(conn, schema, ids)
