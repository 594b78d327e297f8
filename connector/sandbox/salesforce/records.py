"""Record operations of the emulated org: create, read, update, upsert, delete.

Every surface (REST, sObject Collections, Bulk 2.0) goes through these, so a
record is validated and stamped the same way whichever API wrote it. Callers
pass the connection of an open transaction; a failing operation raises
ApiError before it writes anything.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

from connector.sandbox.salesforce import validation
from connector.sandbox.salesforce.api_errors import ApiError, MultipleMatches, entity_deleted, not_found
from connector.sandbox.salesforce.clock import Clock
from connector.sandbox.salesforce.ids import IdAllocator, to_id18
from connector.sandbox.salesforce.schema import FieldDef, ObjectDef, OrgSchema
from connector.sandbox.salesforce.storage import Database
from connector.sandbox.salesforce.values import format_datetime_storage, to_json, to_storage


def record_url(obj: ObjectDef, record_id: str, *, api_version: str) -> str:
    return f"/services/data/v{api_version}/sobjects/{obj.name}/{record_id}"


class RecordStore:
    def __init__(self, *, db: Database, schema: OrgSchema, ids: IdAllocator, clock: Clock) -> None:
        self.db = db
        self.schema = schema
        self.ids = ids
        self.clock = clock
        self.writes: Counter[str] = Counter()
        self._objects_by_prefix = {obj.key_prefix: obj for obj in schema.objects.values()}

    # --- look-ups ------------------------------------------------------------------

    def object_named(self, name: str) -> ObjectDef:
        obj = self.schema.object(name)
        if obj is None:
            raise not_found(f"The requested resource does not exist (sObject type '{name}')")
        return obj

    def object_of_id(self, record_id: str) -> ObjectDef | None:
        return self._objects_by_prefix.get(record_id[:3])

    def external_id_field(self, obj: ObjectDef, name: str) -> FieldDef:
        definition = obj.field(name)
        if definition is None or not (definition.external_id or definition.name == "Id"):
            raise not_found(f"Provided external ID field does not exist or is not accessible: {name}")
        return definition

    def live_row(self, conn: sqlite3.Connection, obj: ObjectDef, raw_id: str) -> sqlite3.Row:
        record_id = to_id18(raw_id)
        if record_id is None or record_id[:3] != obj.key_prefix:
            raise not_found()
        row = self.db.fetch(conn, obj, record_id)
        if row is None:
            raise not_found()
        if row["IsDeleted"]:
            raise entity_deleted()
        return row

    def matches(self, conn: sqlite3.Connection, obj: ObjectDef, definition: FieldDef,
                value: str) -> list[str]:
        if definition.name == "Id":
            record_id = to_id18(value)
            row = self.db.fetch(conn, obj, record_id) if record_id is not None else None
            return [record_id] if row is not None and not row["IsDeleted"] else []
        return self.db.find_by_value(conn, obj, definition, to_storage(definition, value))

    def record_json(self, obj: ObjectDef, row: sqlite3.Row, *, api_version: str,
                    fields: list[FieldDef] | None = None) -> dict:
        record: dict = {"attributes": {"type": obj.name,
                                       "url": record_url(obj, row["Id"], api_version=api_version)}}
        for definition in fields if fields is not None else obj.fields.values():
            record[definition.name] = to_json(definition, row[definition.name])
        return record

    # --- writes --------------------------------------------------------------------

    def _check_writable(self, obj: ObjectDef) -> None:
        if not obj.writable:
            raise ApiError("INSUFFICIENT_ACCESS_OR_READONLY",
                           f"insufficient access rights on object {obj.name}")

    def _resolve_relationships(self, conn: sqlite3.Connection, by_relationship: dict[FieldDef, dict],
                               values: dict[str, object]) -> None:
        for reference, lookup in by_relationship.items():
            target = self.object_named(reference.reference_to[0])
            if len(lookup) != 1:
                raise ApiError("INVALID_FIELD", f"{reference.relationship_name}: give exactly one "
                               "external id field to look the parent up by", fields=[reference.name])
            (field_name, value), = lookup.items()
            definition = target.field(field_name)
            if definition is None or not definition.external_id:
                raise ApiError("INVALID_FIELD", f"{field_name} is not an external id field of "
                               f"{target.name}", fields=[reference.name])
            found = self.db.find_by_value(conn, target, definition, to_storage(definition, value))
            if len(found) != 1:
                problem = "not found" if not found else "matches more than one record"
                raise ApiError("INVALID_FIELD", f"Foreign key external ID: {value} {problem} for field "
                               f"{definition.name} in entity {target.name}", fields=[reference.name])
            values[reference.name] = found[0]

    def _check_references(self, conn: sqlite3.Connection, obj: ObjectDef,
                          values: dict[str, object]) -> None:
        for name, value in values.items():
            definition = obj.field(name)
            if definition.type != "reference" or value is None:
                continue
            target = self.object_of_id(value)  # type: ignore[arg-type]
            if target is None or target.name not in definition.reference_to:
                raise ApiError("FIELD_INTEGRITY_EXCEPTION",
                               f"{definition.label}: id value of incorrect type: {value}", fields=[name])
            row = self.db.fetch(conn, target, value)  # type: ignore[arg-type]
            if row is None or row["IsDeleted"]:
                raise ApiError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", fields=[name])

    def _check_unique(self, conn: sqlite3.Connection, obj: ObjectDef, values: dict[str, object],
                      *, record_id: str | None) -> None:
        for name, value in values.items():
            definition = obj.field(name)
            if not definition.unique or value is None:
                continue
            clashes = self.db.find_by_value(conn, obj, definition, value, exclude_id=record_id)
            if clashes:
                raise ApiError("DUPLICATE_VALUE", f"duplicate value found: {definition.name} duplicates "
                               f"value on record with id: {clashes[0]}")

    def _prepared(self, conn: sqlite3.Connection, obj: ObjectDef, body: object, *, creating: bool,
                  record_id: str | None = None) -> dict[str, object]:
        self._check_writable(obj)
        plain, by_relationship = validation.split_body(obj, body, creating=creating, record_id=record_id)
        values = validation.coerce(plain)
        self._resolve_relationships(conn, by_relationship, values)
        return values

    def create(self, conn: sqlite3.Connection, obj: ObjectDef, body: object, *, user_id: str,
               preset: dict[str, object] | None = None) -> str:
        values = self._prepared(conn, obj, body, creating=True)
        values.update(preset or {})
        validation.apply_create_defaults(obj, values)
        if obj.field("OwnerId") is not None:
            values.setdefault("OwnerId", user_id)
        validation.check_required(obj, values, creating=True)
        self._check_references(conn, obj, values)
        self._check_unique(conn, obj, values, record_id=None)
        values.update(validation.derive(obj, values, values))
        record_id = self.ids.new(obj.key_prefix)
        now = format_datetime_storage(self.clock.now())
        values.update(Id=record_id, IsDeleted=0, CreatedDate=now, CreatedById=user_id,
                      LastModifiedDate=now, LastModifiedById=user_id, SystemModstamp=now)
        self.db.insert(conn, obj, values)
        self.writes["created"] += 1
        return record_id

    def update(self, conn: sqlite3.Connection, obj: ObjectDef, raw_id: str, body: object, *,
               user_id: str, preset: dict[str, object] | None = None) -> str:
        row = self.live_row(conn, obj, raw_id)
        record_id = row["Id"]
        values = self._prepared(conn, obj, body, creating=False, record_id=record_id)
        values.update(preset or {})
        validation.check_required(obj, values, creating=False)
        self._check_references(conn, obj, values)
        self._check_unique(conn, obj, values, record_id=record_id)
        values.update(validation.derive(obj, {**dict(row), **values}, values))
        self._stamp(conn, obj, record_id, values, user_id=user_id)
        self.writes["updated"] += 1
        return record_id

    def upsert(self, conn: sqlite3.Connection, obj: ObjectDef, definition: FieldDef, value: str,
               body: object, *, user_id: str, api_version: str) -> tuple[str, bool]:
        """(record id, created) for an upsert keyed on ``definition`` = ``value``."""
        self._check_writable(obj)
        if definition.name == "Id":
            if not value:
                return self.create(conn, obj, body, user_id=user_id), True
            return self.update(conn, obj, value, body, user_id=user_id), False
        found = self.matches(conn, obj, definition, value)
        if len(found) > 1:
            raise MultipleMatches([record_url(obj, i, api_version=api_version) for i in found],
                                  field_name=definition.name, value=value)
        if isinstance(body, dict):  # the URL's value wins over one repeated in the body
            body = {k: v for k, v in body.items() if k.lower() != definition.name.lower()}
        preset = {definition.name: to_storage(definition, value)}
        if found:
            return self.update(conn, obj, found[0], body, user_id=user_id), False
        return self.create(conn, obj, body, user_id=user_id, preset=preset), True

    def delete(self, conn: sqlite3.Connection, obj: ObjectDef, raw_id: str, *, user_id: str) -> str:
        self._check_writable(obj)
        row = self.live_row(conn, obj, raw_id)
        self._stamp(conn, obj, row["Id"], {"IsDeleted": 1}, user_id=user_id)
        self.writes["deleted"] += 1
        return row["Id"]

    def touch(self, conn: sqlite3.Connection, obj: ObjectDef, raw_id: str) -> None:
        """Move SystemModstamp alone, as org automation does."""
        row = self.live_row(conn, obj, raw_id)
        self.db.update(conn, obj, row["Id"],
                       {"SystemModstamp": format_datetime_storage(self.clock.now())})

    def _stamp(self, conn: sqlite3.Connection, obj: ObjectDef, record_id: str,
               values: dict[str, object], *, user_id: str) -> None:
        now = format_datetime_storage(self.clock.now())
        values.update(LastModifiedDate=now, LastModifiedById=user_id, SystemModstamp=now)
        self.db.update(conn, obj, record_id, values)
