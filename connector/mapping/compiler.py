"""Compile a checked mapping into plain functions, once.

Each field rule becomes a small closure per direction (or, for plain copies,
one entry of a tuple walked by a tight loop); a record is then mapped by
calling them in order. Nothing of the YAML is looked at per record.

Per-record problems (a value missing from a value map, a bad date) never
raise: they are returned next to the values, one ``FieldProblem`` per field,
so the sync layer can write them onto the record and carry on.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from connector.ace.catalog import MULTI_VALUE_SEPARATOR, FieldKind, FieldSpec, catalog_for, is_masked
from connector.mapping.checks import PARTNER_KEY_ACE_FIELD, transform_of
from connector.mapping.content import ContentHasher
from connector.mapping.spec import FieldRule, Flow, MappingSpec, Masked, Nulls, Unmapped
from connector.mapping.transforms import Convert, split_full_name

_ABSENT = object()
#: ACE's placeholder ("Accept To View", any case or spacing) has at least 14 characters and a
#: 'v'; text shorter, much longer or without one is never it, so most values skip the full check.
_MASK_MIN_CHARS, _MASK_MAX_CHARS = 14, 40


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """Why one field of one record could not be mapped."""

    field: str  # the ACE field (or the Salesforce field, for a rule without one)
    salesforce_field: str | None
    value: Any
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(slots=True)
class ToSalesforce:
    #: Salesforce field -> value, for every field the ACE record says something about
    values: dict[str, Any]
    problems: list[FieldProblem]
    #: values to use only when the connector creates the record (masked fields with
    #: ``masked: default``): they never overwrite an existing record's data
    insert_values: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ToAce:
    #: the ACE JSON record (identity keys first)
    record: dict[str, Any]
    problems: list[FieldProblem]


class _Skip(Exception):
    """A value the rule says to leave out (``unmapped: skip``)."""


def _looks_masked(value: Any) -> bool:
    return (value.__class__ is str and _MASK_MIN_CHARS <= len(value) < _MASK_MAX_CHARS
            and ("v" in value or "V" in value) and is_masked(value))


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _getter(path: str) -> Callable[[Mapping[str, Any]], Any]:
    """Read ``Account.Name`` from ``{"Account": {"Name": ...}}`` (None when a parent is empty)."""
    parts = path.split(".")
    if len(parts) == 1:
        return operator.methodcaller("get", parts[0])
    head, rest = parts[:-1], parts[-1]

    def get(record: Mapping[str, Any]) -> Any:
        for part in head:
            record = record.get(part)
            if not record:
                return None
        return record.get(rest)
    return get


def _value_mapper(rule: FieldRule, *, to_ace: bool) -> Convert:
    """One value through the rule's value map, first matching pair wins."""
    table: dict[str, str] = {}
    for pair in rule.values:
        source, target = (pair.salesforce, pair.ace) if to_ace else (pair.ace, pair.salesforce)
        table.setdefault(source, target)
    default = rule.default_ace if to_ace else rule.default_salesforce
    policy = rule.unmapped
    side = "ACE" if to_ace else "Salesforce"

    def map_value(value: Any) -> Any:
        try:
            return table[value]
        except (KeyError, TypeError):
            if policy is Unmapped.SKIP:
                raise _Skip from None
            if policy is Unmapped.DEFAULT:
                return default
            raise ValueError(f"{value!r} has no {side} value in the mapping's value map") from None
    return map_value


def _per_part(map_value: Convert) -> Convert:
    def map_parts(value: Any) -> str:
        parts = value.split(MULTI_VALUE_SEPARATOR) if isinstance(value, str) else value
        mapped: list[str] = []
        for part in parts:
            part = part.strip()
            if not part:
                continue
            try:
                target = map_value(part)
            except _Skip:
                continue
            if target not in mapped:
                mapped.append(target)
        return MULTI_VALUE_SEPARATOR.join(mapped)
    return map_parts


def _converter(rule: FieldRule, spec: FieldSpec | None, *, to_ace: bool) -> Convert | None:
    """The rule's whole conversion in one direction; None for a plain copy."""
    transform = transform_of(rule, spec)
    convert = None
    if transform is not None:
        params = rule.transform.params if rule.transform is not None else {}
        to_salesforce_fn, to_ace_fn = transform.build(params)
        convert = to_ace_fn if to_ace else to_salesforce_fn
    if rule.values is None:
        return convert
    map_value = _value_mapper(rule, to_ace=to_ace)
    if spec is not None and spec.kind is FieldKind.MULTIPICKLIST:
        return _per_part(map_value)  # multi_select's normalising happens part by part
    return map_value if convert is None else (lambda value: map_value(convert(value)))


def _assign(targets: tuple[str, ...]) -> Callable[[dict[str, Any], Any], None]:
    if len(targets) == 1:
        name = targets[0]

        def assign_one(out: dict[str, Any], value: Any) -> None:
            out[name] = value
        return assign_one

    def assign_split(out: dict[str, Any], value: Any) -> None:
        if value is None:
            parts: tuple = (None,) * len(targets)
        else:
            parts = value if isinstance(value, tuple) else split_full_name(value)
        for name, part in zip(targets, parts):
            out[name] = part
    return assign_split


def _salesforce_step(rule: FieldRule, spec: FieldSpec | None) -> Callable[..., None]:
    ace, targets = rule.ace, rule.salesforce
    convert = _converter(rule, spec, to_ace=False)
    assign = _assign(targets)
    on_null = rule.nulls_for(to_ace=False)
    null_value = rule.default_salesforce if on_null is Nulls.DEFAULT else None
    masked_default = rule.default_salesforce if rule.masked is Masked.DEFAULT else _ABSENT
    reads_source = not (rule.transform is not None and rule.transform.name == "constant")
    check_current = rule.values is not None and rule.direction.writes_ace
    current_to_ace = _converter(rule, spec, to_ace=True) if check_current else None
    first_target = targets[0]

    def step(record: Mapping[str, Any], values: dict, insert_values: dict, problems: list,
             current: Mapping[str, Any] | None) -> None:
        value = record.get(ace, _ABSENT) if reads_source else None
        if value is _ABSENT:
            return
        if reads_source and _is_empty(value):
            if on_null is not Nulls.KEEP:
                assign(values, null_value)
            return
        if _looks_masked(value):
            if masked_default is not _ABSENT:
                assign(insert_values, masked_default)
            return
        try:
            converted = convert(value) if convert is not None else value
            if current is not None and current_to_ace is not None and current.get(first_target):
                # The record's own value already stands for this ACE value (several
                # Salesforce values can map to one ACE value): keep the admin's choice.
                if current_to_ace(current[first_target]) == value:
                    return
        except _Skip:
            return
        except ValueError as exc:
            problems.append(FieldProblem(ace or first_target, first_target, value, str(exc)))
            return
        assign(values, converted)
    return step


def _ace_step(rule: FieldRule, spec: FieldSpec | None) -> Callable[..., None]:
    ace = rule.ace
    convert = _converter(rule, spec, to_ace=True)
    getters = [_getter(path) for path in rule.salesforce]
    constant = rule.transform is not None and rule.transform.name == "constant"
    on_null = rule.nulls_for(to_ace=True)
    null_value = rule.default_ace if on_null is Nulls.DEFAULT else None
    source = "+".join(rule.salesforce) or None

    def read(record: Mapping[str, Any]) -> Any:
        if constant:
            return True  # anything non-empty: the constant ignores it
        parts = tuple(get(record) for get in getters)
        return None if all(_is_empty(part) for part in parts) else parts

    if not constant and len(getters) == 1:
        read = getters[0]  # noqa: F811 - the common case, without a wrapper call

    def step(record: Mapping[str, Any], out: dict, problems: list) -> None:
        value = read(record)
        if value is None or value == "" or value == []:
            if on_null is not Nulls.KEEP:
                out[ace] = null_value
            return
        if _looks_masked(value):
            return  # never send ACE its own placeholder back
        try:
            out[ace] = convert(value) if convert is not None else value
        except _Skip:
            return
        except ValueError as exc:
            problems.append(FieldProblem(ace, source, value, str(exc)))
    return step


def _is_plain_copy(rule: FieldRule, spec: FieldSpec | None, *, to_ace: bool) -> bool:
    return (transform_of(rule, spec) is None and rule.values is None and len(rule.salesforce) == 1
            and rule.nulls_for(to_ace=to_ace) is Nulls.KEEP and (to_ace or rule.masked is Masked.KEEP)
            and "." not in rule.salesforce[0])


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            unique.append(name)
    return unique


class CompiledMapping:
    """One mapping file, ready to map records in both directions. See the package docstring."""

    def __init__(self, spec: MappingSpec) -> None:
        catalog = catalog_for(spec.entity)
        self.spec = spec
        self.file = spec.file
        self.entity = spec.entity
        self.salesforce_object = spec.salesforce_object
        self.ace_id_field = spec.ace_id_field
        self.partner_key_field = spec.partner_key_field
        self.partner_key_ace_field = PARTNER_KEY_ACE_FIELD[spec.entity]
        self.send_when = spec.send_when
        self.sync_fields: Mapping[str, str] = MappingProxyType(dict(spec.sync_fields))
        copies_to_salesforce, copies_to_ace, salesforce_steps, ace_steps = [], [], [], []
        selected = ["Id", spec.partner_key_field, spec.ace_id_field, *spec.sync_fields.values()]
        for rule in spec.rules:
            field_spec = catalog.get(rule.ace) if rule.ace else None
            if rule.direction.writes_salesforce:
                if _is_plain_copy(rule, field_spec, to_ace=False):
                    copies_to_salesforce.append((rule.ace, rule.salesforce[0]))
                else:
                    salesforce_steps.append(_salesforce_step(rule, field_spec))
            if rule.direction.writes_ace:
                selected.extend(rule.salesforce)
                if _is_plain_copy(rule, field_spec, to_ace=True):
                    copies_to_ace.append((rule.ace, rule.salesforce[0]))
                else:
                    ace_steps.append(_ace_step(rule, field_spec))
        self._copies_to_salesforce = tuple(copies_to_salesforce)
        self._copies_to_ace = tuple(copies_to_ace)
        self._salesforce_steps = tuple(salesforce_steps)
        self._ace_steps = tuple(ace_steps)
        self._last_modified = _salesforce_step(
            FieldRule(at=spec.at, direction=Flow.TO_SALESFORCE, ace="lastModifiedDate",
                      salesforce=(spec.sync_fields["ace_last_modified"],)),
            catalog.get("lastModifiedDate"))
        self._soql_fields = tuple(_unique(selected))
        sent = [rule.ace for rule in spec.rules if rule.direction.writes_ace and rule.ace]
        self._hasher = ContentHasher([catalog.get(name) for name in sent])

    @property
    def soql_fields(self) -> list[str]:
        """Every Salesforce field (parent paths included) to SELECT before calling ``to_ace``."""
        return list(self._soql_fields)

    def to_salesforce(self, ace_record: Mapping[str, Any], *,
                      current: Mapping[str, Any] | None = None) -> ToSalesforce:
        """The Salesforce values an ACE record asks for.

        Only fields the record carries are set; masked values and (by default)
        nulls leave the Salesforce field alone. ``current`` (the record as it is
        in Salesforce) keeps a value the admin chose when it already maps to
        the incoming ACE value.
        """
        values: dict[str, Any] = {}
        insert_values: dict[str, Any] = {}
        problems: list[FieldProblem] = []
        ace_id = ace_record.get("apnCrmUniqueIdentifier")
        if ace_id:
            values[self.ace_id_field] = ace_id
        get = ace_record.get
        for ace, salesforce in self._copies_to_salesforce:
            value = get(ace, _ABSENT)
            if value is _ABSENT or value is None or value == "":
                continue
            if value.__class__ is str and _MASK_MIN_CHARS <= len(value) < _MASK_MAX_CHARS and \
                    ("v" in value or "V" in value) and is_masked(value):
                continue
            values[salesforce] = value
        for step in self._salesforce_steps:
            step(ace_record, values, insert_values, problems, current)
        self._last_modified(ace_record, values, insert_values, problems, None)
        return ToSalesforce(values, problems, insert_values)

    def to_ace(self, sf_record: Mapping[str, Any]) -> ToAce:
        """The ACE JSON record for a Salesforce record (as returned by a query on ``soql_fields``)."""
        record: dict[str, Any] = {}
        problems: list[FieldProblem] = []
        ace_id = sf_record.get(self.ace_id_field)
        if ace_id:
            record["apnCrmUniqueIdentifier"] = ace_id
        partner_key = sf_record.get(self.partner_key_field)
        if partner_key:
            record[self.partner_key_ace_field] = partner_key
        get = sf_record.get
        for ace, salesforce in self._copies_to_ace:
            value = get(salesforce)
            if value is None or value == "":
                continue
            if value.__class__ is str and _MASK_MIN_CHARS <= len(value) < _MASK_MAX_CHARS and \
                    ("v" in value or "V" in value) and is_masked(value):
                continue
            record[ace] = value
        for step in self._ace_steps:
            step(sf_record, record, problems)
        return ToAce(record, problems)

    def content_hash(self, ace_record: Mapping[str, Any]) -> str:
        """A stable hash of what the mapping sends to ACE (identity keys excluded).

        Equal hashes mean ACE would receive the same content: the inbound flow
        skips such records, so what the outbound flow just wrote is not echoed back.
        """
        return self._hasher.digest(ace_record)

    def __repr__(self) -> str:
        return f"<CompiledMapping {self.entity} -> {self.salesforce_object} from {self.file}>"


def compile_mapping(spec: MappingSpec) -> CompiledMapping:
    return CompiledMapping(spec)
