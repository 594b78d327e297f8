"""Check a compiled mapping against an org's describe (``mappings validate --org``).

Every Salesforce field the mapping names must exist (parent paths included),
be writable where the rule writes it, hold the ACE values (type, length) and,
for picklists, have the values the value map uses. ``describe`` is any
callable returning an object's describe, e.g. ``SalesforceClient.describe``;
it is called once per object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from connector.ace.catalog import FieldKind, FieldSpec, catalog_for, split_multi
from connector.errors import ConnectorError, MappingError
from connector.mapping.checks import listing, transform_of
from connector.mapping.compiler import CompiledMapping
from connector.mapping.parse import did_you_mean
from connector.mapping.spec import FieldRule, MappingSpec, Unmapped
from connector.mapping.transforms import COPY_TYPES, TEXT_TYPES
from connector.mapping.yamlnodes import Location
from connector.soql import nodes, parse_where

Describe = Callable[[str], dict[str, Any]]

PICKLIST_TYPES = frozenset({"picklist", "multipicklist"})
VALUE_MAP_TYPES = frozenset({"picklist", "multipicklist", "combobox", "string", "textarea"})
#: What each sync field must be able to hold.
SYNC_FIELD_TYPES = {
    "status": frozenset({"picklist", "string"}), "error": frozenset({"textarea", "string"}),
    "last_synced": frozenset({"datetime"}), "ace_last_modified": frozenset({"datetime"}),
    "content_hash": frozenset({"string"}),
}
CONTENT_HASH_CHARS = 64
#: Text types whose describe ``length`` limits what they hold.
SIZED_TYPES = TEXT_TYPES | {"multipicklist"}


class _OrgChecker:
    def __init__(self, mapping: CompiledMapping, describe: Describe) -> None:
        self.spec: MappingSpec = mapping.spec
        self.catalog = catalog_for(self.spec.entity)
        self._describe = describe
        self._described: dict[str, dict[str, dict[str, Any]] | None] = {}
        self.errors: list[MappingError] = []

    def fail(self, at: Location, message: str) -> None:
        self.errors.append(at.error(message))

    def fields_of(self, object_name: str) -> dict[str, dict[str, Any]] | None:
        key = object_name.lower()
        if key not in self._described:
            try:
                described = self._describe(object_name)
            except ConnectorError:
                self._described[key] = None
            else:
                self._described[key] = {f["name"].lower(): f for f in described.get("fields", [])}
        return self._described[key]

    def resolve(self, path: str, at: Location) -> dict[str, Any] | None:
        """The describe of ``path``'s last field, walking parent relationships."""
        object_name = self.spec.salesforce_object
        parts = path.split(".")
        for index, part in enumerate(parts):
            fields = self.fields_of(object_name)
            if fields is None:
                self.fail(at, f"object {object_name} cannot be described")
                return None
            if index == len(parts) - 1:
                found = fields.get(part.lower())
                if found is None:
                    names = [f["name"] for f in fields.values()]
                    self.fail(at, f"field {part!r} does not exist on {object_name} in this org"
                                  f"{did_you_mean(part, names)}")
                    return None
                if found["name"] != part:
                    self.fail(at, f"write {part!r} as {found['name']!r}: records come back with the "
                                  "org's spelling")
                return found
            reference = next((f for f in fields.values()
                              if (f.get("relationshipName") or "").lower() == part.lower()), None)
            if reference is None or not reference.get("referenceTo"):
                self.fail(at, f"{object_name} has no parent relationship {part!r} (in {path!r})")
                return None
            object_name = reference["referenceTo"][0]
        return None  # pragma: no cover - the loop always returns

    def run(self) -> list[MappingError]:
        spec = self.spec
        if self.fields_of(spec.salesforce_object) is None:
            self.fail(spec.where("salesforce_object"), f"object {spec.salesforce_object!r} does not exist in "
                                                       "this org, or the integration user cannot see it")
            return self.errors
        self._identity()
        self._sync_fields()
        self._send_when()
        for rule in spec.rules:
            self._rule(rule)
        return self.errors

    # --- identity, sync fields, filter ---------------------------------------------------

    def _identity(self) -> None:
        at = self.spec.where("identity.ace_id")
        found = self.resolve(self.spec.ace_id_field, at)
        if found is not None:
            if not found.get("externalId"):
                self.fail(at, f"{found['name']} must be an External ID field: the connector upserts by it")
            self._writable(found, at)
        self.resolve(self.spec.partner_key_field, self.spec.where("identity.partner_key"))

    def _sync_fields(self) -> None:
        for key, name in self.spec.sync_fields.items():
            at = self.spec.where(f"sync_fields.{key}")
            found = self.resolve(name, at)
            if found is None:
                continue
            self._writable(found, at)
            if found["type"] not in SYNC_FIELD_TYPES[key]:
                self.fail(at, f"{name} is a {found['type']} field; sync_fields.{key} needs "
                              f"{' or '.join(sorted(SYNC_FIELD_TYPES[key]))}")
            elif key == "content_hash" and found.get("length", 0) < CONTENT_HASH_CHARS:
                self.fail(at, f"{name} holds {found.get('length')} characters; the content hash has "
                              f"{CONTENT_HASH_CHARS}")

    def _send_when(self) -> None:
        if not self.spec.send_when:
            return
        for path in _field_paths(parse_where(self.spec.send_when)):
            self.resolve(".".join(path.parts), self.spec.where("send_when"))

    def _writable(self, found: dict[str, Any], at: Location) -> None:
        missing = [flag for flag in ("createable", "updateable") if not found.get(flag)]
        if missing:
            self.fail(at, f"{found['name']} is not {' or '.join(missing)} for the integration user: "
                          "the connector writes it (check field-level security)")

    # --- field rules ---------------------------------------------------------------------------

    def _rule(self, rule: FieldRule) -> None:
        field = self.catalog.get(rule.ace) if rule.ace else None
        at = rule.where("salesforce")
        for path in rule.salesforce:
            found = self.resolve(path, at)
            if found is None:
                continue
            if rule.direction.writes_salesforce:
                self._writable(found, at)
            if field is not None:
                self._fits(rule, field, found, at)

    def _fits(self, rule: FieldRule, field: FieldSpec, found: dict[str, Any], at: Location) -> None:
        name, kind = found["name"], found["type"]
        transform = transform_of(rule, field)
        if rule.values is not None:
            allowed = VALUE_MAP_TYPES
        elif transform is not None:
            allowed = transform.salesforce_types
        else:
            allowed = COPY_TYPES.get(field.kind)
        if allowed is not None and kind not in allowed:
            how = f"transform {transform.name}" if transform is not None and rule.values is None else \
                f"ACE's {field.kind.value} field {field.name}"
            self.fail(at, f"{name} is a {kind} field, which does not fit {how}; it needs "
                          f"{', '.join(sorted(allowed))}")
            return
        if kind in SIZED_TYPES and len(rule.salesforce) == 1:  # full_name's parts are each shorter
            self._lengths(rule, field, found, at)
        if kind in PICKLIST_TYPES:
            self._picklist(rule, field, found, at)

    def _lengths(self, rule: FieldRule, field: FieldSpec, found: dict[str, Any], at: Location) -> None:
        name, length = found["name"], found.get("length") or 0
        truncate = rule.transform.params.get("length") if rule.transform and rule.transform.name == "truncate" \
            else None
        if rule.direction.writes_salesforce and length:
            longest = self._longest_to_salesforce(rule, field)
            if truncate is not None and truncate > length:
                self.fail(rule.transform.param_at.get("length", at),
                          f"truncate keeps {truncate} characters but {name} holds {length}")
            elif truncate is None and longest is not None and longest > length:
                self.fail(at, f"{name} holds {length} characters but ACE's {field.name} can have {longest}: "
                              "use a longer field, or transform: {name: truncate, length: " f"{length}" "}")
        if rule.direction.writes_ace and field.max_length and length > field.max_length and \
                found["type"] not in PICKLIST_TYPES:
            if truncate is None or truncate > field.max_length:
                self.fail(at, f"{name} holds up to {length} characters but ACE takes at most "
                              f"{field.max_length} for {field.name}: add transform: "
                              "{name: truncate, length: " f"{field.max_length}" "}")

    @staticmethod
    def _longest_to_salesforce(rule: FieldRule, field: FieldSpec) -> int | None:
        if rule.values is not None:
            return max(len(pair.salesforce) for pair in rule.values) if rule.values else None
        if field.kind is FieldKind.MULTIPICKLIST and field.values:
            return len(";".join(field.values))
        if field.values:
            return max(len(value) for value in field.values)
        return field.max_length

    def _picklist(self, rule: FieldRule, field: FieldSpec, found: dict[str, Any], at: Location) -> None:
        name = found["name"]
        org_values = [entry["value"] for entry in found.get("picklistValues", []) if entry.get("active", True)]
        known = set(org_values)
        if rule.values is not None:
            for pair in rule.values:
                for part in split_multi(pair.salesforce) if found["type"] == "multipicklist" else [pair.salesforce]:
                    if part not in known:
                        self.fail(pair.at, f"{part!r} is not a value of picklist {name} in this org"
                                           f"{did_you_mean(part, org_values)}")
            if rule.direction.writes_ace and rule.unmapped is Unmapped.ERROR:
                mapped = {pair.salesforce for pair in rule.values}
                missing = [value for value in org_values if value not in mapped]
                if missing:
                    self.fail(rule.where("values"), f"picklist {name} has values the map leaves out: "
                                                    f"{listing(missing)}; map them or set unmapped: skip | default")
        elif field.values is not None:
            if rule.direction.writes_ace:
                foreign = [value for value in org_values if value not in field.values]
                if foreign:
                    self.fail(at, f"picklist {name} has values ACE does not accept for {field.name}: "
                                  f"{listing(foreign)}; add a value map ('values:')")
            if rule.direction.writes_salesforce and found.get("restrictedPicklist"):
                absent = [value for value in field.values if value not in known]
                if absent:
                    self.fail(at, f"restricted picklist {name} lacks ACE values {listing(absent)}: "
                                  "add them to the picklist or add a value map")
        default = rule.default_salesforce
        if isinstance(default, str) and rule.direction.writes_salesforce and default not in known:
            self.fail(rule.where("default"), f"default {default!r} is not a value of picklist {name} in this org")


def _field_paths(condition: Any) -> Iterator[nodes.FieldPath]:
    if isinstance(condition, nodes.Comparison):
        yield condition.field
    elif isinstance(condition, (nodes.And, nodes.Or)):
        for operand in condition.operands:
            yield from _field_paths(operand)
    elif isinstance(condition, nodes.Not):
        yield from _field_paths(condition.operand)


def check_against_org(mapping: CompiledMapping, describe: Describe) -> list[MappingError]:
    """Every problem of ``mapping`` against the org that ``describe`` describes."""
    return _OrgChecker(mapping, describe).run()
