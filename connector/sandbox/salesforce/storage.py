"""SQLite storage of the emulated org: one table per object, one column per field.

The layout is the one ``schema.py`` documents (the SOQL compiler relies on it).
Readers get one connection per thread (WAL mode, so they never wait for a
writer); writers take one lock, which also serialises concurrent writes to a
record the way an org's row locks do.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from connector.sandbox.salesforce.schema import FieldDef, ObjectDef, OrgSchema

SQL_TYPES = {"boolean": "INTEGER", "int": "INTEGER", "double": "REAL", "currency": "REAL",
             "percent": "REAL"}
#: How long a reader waits for SQLite's own locks before giving up.
BUSY_TIMEOUT_MILLISECONDS = 10_000


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def sql_type(definition: FieldDef) -> str:
    return SQL_TYPES.get(definition.type, "TEXT")


def _index_worthy(definition: FieldDef) -> bool:
    return definition.external_id or definition.unique or definition.name in ("SystemModstamp",)


class Database:
    def __init__(self, path: Path, schema: OrgSchema) -> None:
        self.path = Path(path)
        self.schema = schema
        self.write_lock = threading.RLock()
        self._local = threading.local()
        self._all_connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._create_tables()

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MILLISECONDS / 1000)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            # The emulator's data is disposable; durability on power loss is not worth the fsyncs.
            conn.execute("PRAGMA synchronous=OFF")
            self._local.conn = conn
            with self._connections_lock:
                self._all_connections.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.write_lock:
            conn = self.connection()
            if conn.in_transaction:  # nested use inside an outer transaction
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._all_connections:
                try:
                    conn.close()
                except sqlite3.ProgrammingError:  # closed from its own thread already
                    pass
            self._all_connections.clear()
        self._local = threading.local()

    # --- schema --------------------------------------------------------------------

    def _create_tables(self) -> None:
        with self.transaction() as conn:
            for obj in self.schema.objects.values():
                self._create_table(conn, obj)

    def _create_table(self, conn: sqlite3.Connection, obj: ObjectDef) -> None:
        table = quote(obj.name)
        columns = [f"{quote(d.name)} {sql_type(d)}" + (" PRIMARY KEY" if d.name == "Id" else "")
                   for d in obj.fields.values()]
        if obj.field("IsDeleted") is None:
            columns.append('"IsDeleted" INTEGER NOT NULL DEFAULT 0')
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns)})")
        # A persistent data dir may predate fields added to the sfdx source since.
        existing = {row["name"].lower() for row in conn.execute(f"PRAGMA table_info({table})")}
        for definition in obj.fields.values():
            if definition.name.lower() not in existing:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {quote(definition.name)} "
                             f"{sql_type(definition)}")
        for definition in obj.fields.values():
            if not _index_worthy(definition):
                continue
            column = quote(definition.name)
            expression = column if definition.case_sensitive or definition.type == "datetime" \
                else f"lower({column})"
            conn.execute(f"CREATE INDEX IF NOT EXISTS {quote(f'ix_{obj.name}_{definition.name}')} "
                         f"ON {table} ({expression})")

    # --- rows ----------------------------------------------------------------------

    def fetch(self, conn: sqlite3.Connection, obj: ObjectDef, record_id: str) -> sqlite3.Row | None:
        return conn.execute(f"SELECT * FROM {quote(obj.name)} WHERE Id = ?", (record_id,)).fetchone()

    def find_by_value(self, conn: sqlite3.Connection, obj: ObjectDef, definition: FieldDef,
                      value: object, *, exclude_id: str | None = None) -> list[str]:
        """Ids of live records whose ``definition`` field equals ``value`` (case rules applied)."""
        column = quote(definition.name)
        if definition.case_sensitive or not isinstance(value, str):
            condition, parameter = f"{column} = ?", value
        else:
            condition, parameter = f"lower({column}) = ?", value.lower()
        sql = f"SELECT Id FROM {quote(obj.name)} WHERE {condition} AND IsDeleted = 0"
        parameters: tuple = (parameter,)
        if exclude_id is not None:
            sql += " AND Id != ?"
            parameters += (exclude_id,)
        return [row[0] for row in conn.execute(sql + " ORDER BY Id", parameters)]

    def insert(self, conn: sqlite3.Connection, obj: ObjectDef, values: dict[str, object]) -> None:
        names = list(values)
        conn.execute(f"INSERT INTO {quote(obj.name)} ({', '.join(map(quote, names))}) "
                     f"VALUES ({', '.join('?' * len(names))})", [values[name] for name in names])

    def update(self, conn: sqlite3.Connection, obj: ObjectDef, record_id: str,
               values: dict[str, object]) -> None:
        assignments = ", ".join(f"{quote(name)} = ?" for name in values)
        conn.execute(f"UPDATE {quote(obj.name)} SET {assignments} WHERE Id = ?",
                     [*values.values(), record_id])

    def max_ids(self) -> dict[str, str]:
        """The largest Id per key prefix, so ids keep increasing across restarts."""
        conn = self.connection()
        found = {}
        for obj in self.schema.objects.values():
            row = conn.execute(f"SELECT max(Id) FROM {quote(obj.name)}").fetchone()
            if row[0]:
                found[obj.key_prefix] = row[0]
        return found

    def wipe(self, *, keep_objects: tuple[str, ...]) -> None:
        with self.transaction() as conn:
            for obj in self.schema.objects.values():
                if obj.name not in keep_objects:
                    conn.execute(f"DELETE FROM {quote(obj.name)}")
