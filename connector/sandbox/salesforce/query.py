"""Compiles a parsed SOQL query into one parameterised SQLite SELECT over the org's tables.

Storage follows ``schema.py``: one table per object, one column per field, an
``IsDeleted`` column. Table and column names come only from the schema's
definitions, never from the query text, and every value is a ``?`` parameter,
so a query cannot inject SQL. Parent paths (``Account.Owner.Email``) become
LEFT JOINs on the parent's ``Id``.

Salesforce's semantics differ from SQL's in ways this module reproduces:

* comparisons are two-valued: a null field satisfies ``!=`` and ``NOT IN`` and
  never ``<``, ``>``, ``LIKE`` (every generated predicate is 0 or 1, never NULL,
  so ``NOT`` stays two-valued too);
* text ``=``, ``!=``, ``IN`` and ``LIKE`` ignore case unless the field is
  case-sensitive, and text sorts case-insensitively (SQLite folds ASCII only);
* 15- and 18-character ids compare equal (literals are normalised to 18);
* nulls sort first unless NULLS LAST; without ORDER BY rows come in Id order,
  and Id breaks every other tie so that pagination is deterministic.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from connector.sandbox.salesforce.ids import to_id18
from connector.sandbox.salesforce.schema import FieldDef, ObjectDef, OrgSchema
from connector.sandbox.salesforce.values import to_json
from connector.soql import nodes
from connector.soql.date_literals import date_literal_range
from connector.soql.errors import (INVALID_FIELD, INVALID_TYPE, NUMBER_OUTSIDE_VALID_RANGE,
                                   SoqlError)

MAX_OFFSET_ROWS = 2000
#: a textarea longer than this is a long text area: Salesforce neither filters nor sorts it
MAX_FILTERABLE_TEXTAREA_LENGTH = 255
ROOT_ALIAS = "t0"
_TEXT_TYPES = frozenset({"string", "textarea", "picklist", "combobox", "email", "phone", "url",
                         "encryptedstring", "time"})
_NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})
_SQL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# What a literal must be for each kind of field, as Salesforce words it.
_EXPECTED_LITERAL = {
    "text": ("string", "should be enclosed in quotes", (nodes.StringValue,)),
    "id": ("id", "should be enclosed in quotes", (nodes.StringValue,)),
    "multi": ("string", "should be enclosed in quotes", (nodes.StringValue,)),
    "number": ("double", "should not be enclosed in quotes", (nodes.NumberValue,)),
    "boolean": ("boolean", "should not be enclosed in quotes", (nodes.BooleanValue,)),
    "date": ("date", "should not be enclosed in quotes", (nodes.DateValue, nodes.DateLiteral)),
    "datetime": ("dateTime", "should not be enclosed in quotes",
                 (nodes.DateTimeValue, nodes.DateLiteral)),
}
_OPERATORS_BY_KIND = {
    "boolean": {nodes.EQUALS, nodes.NOT_EQUALS, nodes.IN, nodes.NOT_IN},
    "multi": {nodes.EQUALS, nodes.NOT_EQUALS, nodes.INCLUDES, nodes.EXCLUDES},
}
_DEFAULT_OPERATORS = {nodes.EQUALS, nodes.NOT_EQUALS, nodes.LESS, nodes.LESS_OR_EQUAL,
                      nodes.GREATER, nodes.GREATER_OR_EQUAL, nodes.IN, nodes.NOT_IN}
_EQUALITY_OPERATORS = frozenset({nodes.EQUALS, nodes.NOT_EQUALS, nodes.IN, nodes.NOT_IN})
_NEGATIONS = {nodes.NOT_EQUALS: nodes.EQUALS, nodes.NOT_IN: nodes.IN,
              nodes.EXCLUDES: nodes.INCLUDES}


def field_kind(definition: FieldDef) -> str | None:
    """How SOQL compares this field: text, id, multi, number, boolean, date, datetime; None if it cannot."""
    kind = definition.type
    if kind in ("id", "reference"):
        return "id"
    if kind == "multipicklist":
        return "multi"
    if kind in _NUMBER_TYPES:
        return "number"
    if kind in ("boolean", "date", "datetime"):
        return kind
    if kind == "textarea" and definition.length > MAX_FILTERABLE_TEXTAREA_LENGTH:
        return None
    return "text" if kind in _TEXT_TYPES else None


def stored_datetime(value: datetime) -> str:
    """A datetime as the storage convention keeps it: UTC, milliseconds, ``Z``."""
    utc = value.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def like_to_glob(pattern: str) -> str:
    """A ``\\``-escaped LIKE pattern as a case-sensitive GLOB pattern."""
    out, chars = [], iter(pattern)
    for char in chars:
        if char == "\\":
            char = next(chars, "\\")
            out.append(f"[{char}]" if char in "*?[" else char)
        else:
            out.append({"%": "*", "_": "?"}.get(char) or (f"[{char}]" if char in "*?[" else char))
    return "".join(out)


def _sql_name(name: str) -> str:
    if not _SQL_NAME.fullmatch(name):
        raise ValueError(f"schema name {name!r} is not a valid SQL identifier")
    return f'"{name}"'


@dataclass(frozen=True)
class _Selected:
    #: canonical output keys: relationship names, then the field name
    keys: tuple[str, ...]
    definition: FieldDef
    column: int


@dataclass(frozen=True)
class _Parent:
    object_name: str
    id_column: int


@dataclass(frozen=True)
class _Target:
    """A field path resolved against the schema."""

    sql: str
    definition: FieldDef
    keys: tuple[str, ...]
    relationship: tuple[str, ...]  # lower-case relationship path, () for the root object


@dataclass(frozen=True)
class CompiledQuery:
    sql: str
    params: tuple[object, ...]
    count_only: bool
    object_name: str
    #: the selected fields in canonical dotted form (``Account.Name``), e.g. for CSV headers
    field_names: tuple[str, ...]
    api_version: str = "59.0"
    _selected: tuple[_Selected, ...] = field(default=(), repr=False)
    _parents: dict[tuple[str, ...], _Parent] = field(default_factory=dict, repr=False)

    def _attributes(self, object_name: str, record_id: object) -> dict[str, str]:
        return {"type": object_name,
                "url": f"/services/data/v{self.api_version}/sobjects/{object_name}/{record_id}"}

    def shape_row(self, row: sqlite3.Row | Sequence[object]) -> dict[str, object]:
        """One result row as a Salesforce record: ``attributes``, then fields in SELECT order."""
        record: dict[str, object] = {"attributes": self._attributes(self.object_name, row[0])}
        for selected in self._selected:
            container: dict[str, object] | None = record
            for depth in range(1, len(selected.keys)):
                key = selected.keys[depth - 1]
                if key not in container:
                    parent = self._parents[selected.keys[:depth]]
                    parent_id = row[parent.id_column]
                    container[key] = None if parent_id is None else {
                        "attributes": self._attributes(parent.object_name, parent_id)}
                container = container[key]  # type: ignore[assignment]
                if container is None:
                    break
            else:
                container[selected.keys[-1]] = to_json(selected.definition, row[selected.column])
        return record

    def field_values(self, row: sqlite3.Row | Sequence[object]) -> list[object]:
        """The selected values in SELECT order, decoded (a missing parent gives None)."""
        return [to_json(s.definition, row[s.column]) for s in self._selected]


def compile_query(query: nodes.Query, *, schema: OrgSchema, include_deleted: bool = False,
                  api_version: str = "59.0", now: datetime | None = None) -> CompiledQuery:
    """Compile ``query`` for ``schema``; ``now`` anchors date literals such as TODAY (UTC)."""
    root = schema.object(query.object_name)
    if root is None:
        raise SoqlError.at(INVALID_TYPE, f"sObject type '{query.object_name}' is not supported. If "
                           "you are attempting to use a custom object, be sure to append the '__c' "
                           "after the entity name. Please reference your WSDL or the describe call "
                           "for the appropriate names.", text=query.text,
                           position=query.object_position)
    if query.offset is not None and query.offset > MAX_OFFSET_ROWS:
        raise SoqlError(NUMBER_OUTSIDE_VALID_RANGE,
                        f"Maximum SOQL offset allowed is {MAX_OFFSET_ROWS}")
    today = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).date()
    return _Compiler(query, schema=schema, root=root, today=today).compile(
        include_deleted=include_deleted, api_version=api_version.lstrip("v"))


class _Compiler:
    def __init__(self, query: nodes.Query, *, schema: OrgSchema, root: ObjectDef,
                 today: date) -> None:
        self.query = query
        self.schema = schema
        self.root = root
        self.today = today
        self.params: list[object] = []
        #: lower-case relationship path -> (table alias, parent object)
        self.joins: dict[tuple[str, ...], tuple[str, ObjectDef]] = {}
        self.join_sql: list[str] = []

    def error(self, code: str, detail: str, position: int) -> SoqlError:
        return SoqlError.at(code, detail, text=self.query.text, position=position)

    def compile(self, *, include_deleted: bool, api_version: str) -> CompiledQuery:
        targets = [self.resolve(path) for path in self.query.fields]
        filters = [] if include_deleted else [f'{ROOT_ALIAS}."IsDeleted" = 0']
        if self.query.where is not None:
            filters.append(self.condition(self.query.where))
        # ORDER BY may add parameters, so it is compiled in SQL text order: after WHERE.
        order_sql = "" if self.query.count_only else self.order_by()
        self.params += [-1 if self.query.limit is None else self.query.limit,
                        self.query.offset or 0]
        tables = " ".join([f"{_sql_name(self.root.name)} AS {ROOT_ALIAS}", *self.join_sql])
        where_sql = f" WHERE {' AND '.join(filters)}" if filters else ""
        if self.query.count_only:
            sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {tables}{where_sql} LIMIT ? OFFSET ?)"
            return CompiledQuery(sql, tuple(self.params), True, self.root.name, (), api_version)
        columns = [f'{ROOT_ALIAS}."Id"'] + [target.sql for target in targets]
        parents: dict[tuple[str, ...], _Parent] = {}
        for target in targets:
            for depth in range(1, len(target.relationship) + 1):
                keys = target.keys[:depth]
                if keys not in parents:
                    alias, parent = self.joins[target.relationship[:depth]]
                    parents[keys] = _Parent(parent.name, len(columns))
                    columns.append(f'{alias}."Id"')
        sql = (f"SELECT {', '.join(columns)} FROM {tables}{where_sql} ORDER BY {order_sql} "
               "LIMIT ? OFFSET ?")
        selected = tuple(_Selected(t.keys, t.definition, index + 1)
                         for index, t in enumerate(targets))
        return CompiledQuery(sql, tuple(self.params), False, self.root.name,
                             tuple(".".join(t.keys) for t in targets), api_version,
                             selected, parents)

    # --- names --------------------------------------------------------------------------

    def resolve(self, path: nodes.FieldPath) -> _Target:
        obj, alias, keys, relationship = self.root, ROOT_ALIAS, [], ()
        for part in path.parts[:-1]:
            reference = obj.relationship(part)
            parent = next((self.schema.object(name) for name in (reference.reference_to if
                           reference else ()) if self.schema.object(name)), None)
            if reference is None or parent is None:
                raise self.error(INVALID_FIELD, f"Didn't understand relationship '{part}' in field "
                                 "path. If you are attempting to use a custom relationship, be "
                                 "sure to append the '__r' after the custom relationship name. "
                                 "Please reference your WSDL or the describe call for the "
                                 "appropriate names.", path.position)
            relationship += (part.lower(),)
            keys.append(reference.relationship_name)
            alias = self.join(relationship, from_alias=alias, reference=reference, parent=parent)
            obj = parent
        definition = obj.field(path.parts[-1])
        if definition is None:
            raise self.error(INVALID_FIELD, f"No such column '{path.parts[-1]}' on entity "
                             f"'{obj.name}'. If you are attempting to use a custom field, be sure "
                             "to append the '__c' after the custom field name. Please reference "
                             "your WSDL or the describe call for the appropriate names.",
                             path.position)
        return _Target(f"{alias}.{_sql_name(definition.name)}", definition,
                       (*keys, definition.name), relationship)

    def join(self, relationship: tuple[str, ...], *, from_alias: str, reference: FieldDef,
             parent: ObjectDef) -> str:
        if relationship not in self.joins:
            alias = f"t{len(self.joins) + 1}"
            self.joins[relationship] = (alias, parent)
            self.join_sql.append(f'LEFT JOIN {_sql_name(parent.name)} AS {alias} ON {alias}."Id" = '
                                 f"{from_alias}.{_sql_name(reference.name)}")
        return self.joins[relationship][0]

    # --- WHERE ----------------------------------------------------------------------------

    def condition(self, condition: nodes.Condition, *, negated: bool = False) -> str:
        """SQL for ``condition``; ``negated`` when it sits under an odd number of NOTs."""
        if isinstance(condition, nodes.Comparison):
            return self.comparison(condition, negated=negated)
        if isinstance(condition, nodes.Not):
            return f"NOT {self.condition(condition.operand, negated=not negated)}"
        joiner = " AND " if isinstance(condition, nodes.And) else " OR "
        return "(" + joiner.join(self.condition(operand, negated=negated)
                                 for operand in condition.operands) + ")"

    def comparison(self, comparison: nodes.Comparison, *, negated: bool) -> str:
        """A predicate that is 0 or 1 wherever SQL's NULL would change the answer.

        A bare predicate is NULL on a null field; outside any NOT that filters
        like false (and keeps indexes usable), but under NOT it must be a real 0,
        or ``NOT Amount < 5`` would drop the null rows Salesforce returns.
        """
        target = self.resolve(comparison.field)
        kind = self.checked_kind(target, comparison)
        values = comparison.value if isinstance(comparison.value, tuple) else (comparison.value,)
        for value in values:
            self.check_literal(target, kind, value)
        operator = comparison.operator
        if operator in _EQUALITY_OPERATORS:  # an org stores '' as null, and matches it so
            values = tuple(nodes.NullValue(v.position) if isinstance(v, nodes.StringValue)
                           and v.value == "" else v for v in values)
        if operator in _NEGATIONS:
            return f"NOT COALESCE({self.positive(target, kind, _NEGATIONS[operator], values)}, 0)"
        predicate = self.positive(target, kind, operator, values)
        return f"COALESCE({predicate}, 0)" if negated else predicate

    def checked_kind(self, target: _Target, comparison: nodes.Comparison) -> str:
        kind = field_kind(target.definition)
        name = target.definition.name
        if kind is None:
            raise self.error(INVALID_FIELD, f"field '{name}' can not be filtered in a query call",
                             comparison.field.position)
        allowed = _OPERATORS_BY_KIND.get(kind, _DEFAULT_OPERATORS | (
            {nodes.LIKE} if kind in ("text", "id") else set()))
        if comparison.operator not in allowed:
            detail = (f"{comparison.operator} operator only valid on multipicklist field"
                      if comparison.operator in (nodes.INCLUDES, nodes.EXCLUDES) else
                      f"invalid operator {comparison.operator} on {target.definition.type} "
                      f"field '{name}'")
            raise self.error(INVALID_FIELD, detail, comparison.position)
        return kind

    def check_literal(self, target: _Target, kind: str, value: nodes.Value) -> None:
        type_name, quoting, accepted = _EXPECTED_LITERAL[kind]
        if not isinstance(value, (nodes.NullValue, *accepted)):
            raise self.error(INVALID_FIELD, f"value of filter criterion for field "
                             f"'{target.definition.name}' must be of type {type_name} and "
                             f"{quoting}", value.position)

    def positive(self, target: _Target, kind: str, operator: str,
                 values: tuple[nodes.Value, ...]) -> str:
        """``=``, ``<``…, ``LIKE``, ``IN`` or ``INCLUDES``; NULL where the field is null."""
        if kind == "multi":
            return self.multipicklist(target.sql, operator, values)
        folds_case = kind == "text" and not target.definition.case_sensitive
        # lower() on both sides (not COLLATE NOCASE) so that lower(column) indexes apply.
        column = f"lower({target.sql})" if folds_case else target.sql
        placeholder = "lower(?)" if folds_case else "?"
        if operator == nodes.LIKE:
            (pattern,) = values
            if folds_case:
                self.params.append(pattern.like_pattern)  # type: ignore[union-attr]
                return f"{column} LIKE {placeholder} ESCAPE '\\'"
            self.params.append(like_to_glob(pattern.like_pattern))  # type: ignore[union-attr]
            return f"{column} GLOB ?"
        if operator != nodes.IN:
            (value,) = values
            return self.scalar(target.sql, column, placeholder, kind, operator, value)
        special = (nodes.NullValue, nodes.DateLiteral)  # each needs its own predicate
        plain = [v for v in values if not isinstance(v, special)]
        parts = []
        if plain:
            parts.append(f"{column} IN ({', '.join([placeholder] * len(plain))})")
            self.params.extend(self.param(kind, v) for v in plain)
        parts += [self.scalar(target.sql, column, placeholder, kind, nodes.EQUALS, v)
                  for v in values if isinstance(v, special)]
        return "(" + " OR ".join(parts) + ")"

    def scalar(self, raw_column: str, column: str, placeholder: str, kind: str, operator: str,
               value: nodes.Value) -> str:
        if isinstance(value, nodes.NullValue):
            return f"{raw_column} IS NULL"
        if isinstance(value, nodes.DateLiteral):
            start, end = (day.isoformat() + ("T00:00:00.000Z" if kind == "datetime" else "")
                          for day in date_literal_range(value.name, value.n, today=self.today))
            if operator == nodes.EQUALS:
                self.params += [start, end]
                return f"({column} >= ? AND {column} < ?)"
            bound, sql_operator = {nodes.LESS: (start, "<"), nodes.LESS_OR_EQUAL: (end, "<"),
                                   nodes.GREATER: (end, ">="),
                                   nodes.GREATER_OR_EQUAL: (start, ">=")}[operator]
            self.params.append(bound)
            return f"{column} {sql_operator} ?"
        self.params.append(self.param(kind, value))
        return f"{column} {operator} {placeholder}"

    def param(self, kind: str, value: nodes.Value) -> object:
        if isinstance(value, nodes.StringValue):
            return (to_id18(value.value) or value.value) if kind == "id" else value.value
        if isinstance(value, nodes.NumberValue):
            return int(value.value) if value.value == value.value.to_integral_value() else float(
                value.value)
        if isinstance(value, nodes.BooleanValue):
            return int(value.value)
        if isinstance(value, nodes.DateTimeValue):
            return stored_datetime(value.value)
        return value.value.isoformat()  # type: ignore[union-attr]

    def multipicklist(self, column: str, operator: str, values: tuple[nodes.Value, ...]) -> str:
        """``=`` matches the same set of values in any order; INCLUDES any listed combination."""
        if isinstance(values[0], nodes.NullValue):
            return f"{column} IS NULL"
        clauses = []
        for value in values:
            text = value.value  # type: ignore[union-attr]
            parts = list({p.strip().lower(): p.strip() for p in text.split(";")
                          if p.strip()}.values())
            if not parts:  # nothing but separators: an empty selection
                clauses.append(f"{column} IS NULL" if operator == nodes.EQUALS else "0")
                continue
            members = [f"instr(';' || lower({column}) || ';', ';' || lower(?) || ';') > 0"
                       for _ in parts]
            self.params.extend(parts)
            if operator == nodes.EQUALS:
                members.append(f"length({column}) - length(replace({column}, ';', '')) = ?")
                self.params.append(len(parts) - 1)
            clauses.append("(" + " AND ".join(members) + ")")
        return "(" + " OR ".join(clauses) + ")"

    # --- ORDER BY -------------------------------------------------------------------------

    def order_by(self) -> str:
        terms, orders_by_id = [], False
        for item in self.query.order_by:
            target = self.resolve(item.field)
            kind = field_kind(target.definition)
            if kind is None or kind == "multi":
                raise self.error(INVALID_FIELD, f"field '{target.definition.name}' can not be "
                                 "sorted in a query call", item.field.position)
            direction = (f"{'DESC' if item.descending else 'ASC'} "
                         f"NULLS {'LAST' if item.nulls_last else 'FIRST'}")
            values = target.definition.picklist_values
            if target.definition.type == "picklist" and values:
                # Picklists sort in the order their values are defined, not alphabetically;
                # values outside the list come after the defined ones.
                cases = " ".join("WHEN ? THEN ?" for _ in values)
                self.params += [param for index, value in enumerate(values)
                                for param in (value, index)]
                terms.append(f"CASE WHEN {target.sql} IS NULL THEN NULL ELSE COALESCE("
                             f"CASE {target.sql} {cases} END, {len(values)}) END {direction}")
            collate = " COLLATE NOCASE" if kind == "text" else ""
            terms.append(f"{target.sql}{collate} {direction}")
            orders_by_id |= target.sql == f'{ROOT_ALIAS}."Id"'
        if not orders_by_id:
            terms.append(f'{ROOT_ALIAS}."Id" ASC')
        return ", ".join(terms)
