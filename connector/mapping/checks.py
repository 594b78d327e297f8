"""What a mapping means for ACE: fields, directions, transforms, value maps and defaults.

Runs on a parsed ``MappingSpec`` against the ACE field catalog, without any
org. Every problem is reported at the line of the key that causes it.
"""

from __future__ import annotations

from typing import Any

from connector.ace.catalog import (
    Direction, EntityCatalog, FieldKind, FieldSpec, catalog_for, split_multi,
)
from connector.ace.rules.update import REQUIRED_ON_UPDATE
from connector.errors import MappingError
from connector.mapping.parse import did_you_mean
from connector.mapping.spec import FieldRule, Flow, MappingSpec, Masked, Nulls, Unmapped
from connector.mapping.transforms import TRANSFORMS, Transform, default_transform_for
from connector.mapping.yamlnodes import Location

#: ACE fields the mapping's ``identity:`` and ``sync_fields:`` handle, per entity.
RESERVED_ACE_FIELDS = {
    "opportunity": {"apnCrmUniqueIdentifier": "identity.ace_id",
                    "partnerCrmUniqueIdentifier": "identity.partner_key",
                    "lastModifiedDate": "sync_fields.ace_last_modified"},
    "lead": {"apnCrmUniqueIdentifier": "identity.ace_id", "partnerCrmLeadId": "identity.partner_key",
             "lastModifiedDate": "sync_fields.ace_last_modified"},
}
PARTNER_KEY_ACE_FIELD = {"opportunity": "partnerCrmUniqueIdentifier", "lead": "partnerCrmLeadId"}
#: ACE fields an update must leave filled (ACE-CONTRACT §10.2 OU2): a null sent for one fails the record.
NEVER_EMPTY_ACE_FIELDS = {"opportunity": frozenset((*REQUIRED_ON_UPDATE, "salesActivities")), "lead": frozenset()}
#: Kinds whose values a value map may rewrite.
VALUE_MAP_KINDS = frozenset({FieldKind.PICKLIST, FieldKind.MULTIPICKLIST, FieldKind.TEXT})


def transform_of(rule: FieldRule, spec: FieldSpec | None) -> Transform | None:
    """The transform the rule runs: the one it names, or its ACE kind's default."""
    if rule.transform is not None:
        return TRANSFORMS.get(rule.transform.name)
    if spec is None:
        return None
    name = default_transform_for(spec.kind)
    return TRANSFORMS[name] if name else None


class _Checker:
    def __init__(self, spec: MappingSpec) -> None:
        self.spec = spec
        self.catalog: EntityCatalog = catalog_for(spec.entity)
        self.errors: list[MappingError] = []

    def fail(self, at: Location, message: str) -> None:
        self.errors.append(at.error(message))

    def run(self) -> list[MappingError]:
        for rule in self.spec.rules:
            self._rule(rule)
        self._duplicate_targets()
        return self.errors

    # --- one rule -----------------------------------------------------------------------------

    def _rule(self, rule: FieldRule) -> None:
        transform = self._transform(rule)
        field = self._ace_field(rule, transform)
        if not self._sides(rule, transform):
            return
        if field is None:
            return
        if transform is not None and transform.ace_kinds is not None and field.kind not in transform.ace_kinds:
            kinds = ", ".join(sorted(kind.value for kind in transform.ace_kinds))
            self.fail(rule.transform.at if rule.transform else rule.at,
                      f"transform {transform.name!r} does not fit ACE field {field.name!r}, which is "
                      f"{field.kind.value}; {transform.name} works on: {kinds}")
            return
        if transform is not None and transform.name == "yes_no_checkbox" and set(field.values or ()) != {"Yes", "No"}:
            self.fail(rule.transform.at, f"transform 'yes_no_checkbox' needs a Yes/No ACE field; "
                                         f"{field.name!r} takes other values")
            return
        self._value_map(rule, field, transform)
        self._defaults(rule, field, transform)

    def _transform(self, rule: FieldRule) -> Transform | None:
        ref = rule.transform
        if ref is None:
            return None
        transform = TRANSFORMS.get(ref.name)
        if transform is None:
            self.fail(ref.at, f"unknown transform {ref.name!r}{did_you_mean(ref.name, TRANSFORMS)}; "
                              f"known transforms: {', '.join(TRANSFORMS)}")
            return None
        wanted = {param.name: param for param in transform.params}
        for name in ref.params:
            if name not in wanted:
                allowed = ", ".join(wanted) or "none"
                self.fail(ref.param_at.get(name, ref.at), f"transform {ref.name!r} has no parameter "
                                                          f"{name!r}{did_you_mean(name, wanted)}; parameters: {allowed}")
        for param in transform.params:
            if param.name not in ref.params:
                self.fail(ref.at, f"transform {ref.name!r} needs '{param.name}:' ({param.description}); "
                                  f"e.g. {transform.example}")
            elif param.type is int and (not isinstance(ref.params[param.name], int)
                                        or isinstance(ref.params[param.name], bool)
                                        or ref.params[param.name] < 1):
                self.fail(ref.param_at[param.name], f"{param.name} must be a whole number of at least 1, "
                                                    f"not {ref.params[param.name]!r}")
        return transform

    def _ace_field(self, rule: FieldRule, transform: Transform | None) -> FieldSpec | None:
        if rule.ace is None:
            return None
        at = rule.where("ace")
        reserved = RESERVED_ACE_FIELDS[self.spec.entity].get(rule.ace)
        if reserved:
            self.fail(at, f"ACE field {rule.ace!r} is handled by '{reserved}', not by a field rule")
            return None
        field = self.catalog.get(rule.ace)
        if field is None:
            self.fail(at, f"unknown {self.spec.entity} field {rule.ace!r}"
                          f"{did_you_mean(rule.ace, self.catalog.names())}; ACE field names are case-sensitive")
            return None
        if field.deprecated:
            self.fail(at, f"ACE field {rule.ace!r} belongs to payload version 1 and is no longer part of "
                          "the contract; ACE ignores it")
            return None
        if field.direction is Direction.OUTBOUND_ONLY and rule.direction.writes_ace:
            self.fail(rule.where("direction"),
                      f"ACE field {rule.ace!r} is read-only for partners (ACE only sends it): use "
                      "direction: to_salesforce")
            return None
        if field.direction is Direction.INBOUND_ONLY and rule.direction.writes_salesforce:
            self.fail(rule.where("direction"),
                      f"ACE field {rule.ace!r} is never sent by ACE (partners send it): use direction: to_ace")
            return None
        return field

    def _sides(self, rule: FieldRule, transform: Transform | None) -> bool:
        """The rule names the Salesforce and ACE fields its direction and transform need."""
        constant = transform is not None and not transform.reads_source
        ok = True
        if rule.ace is None and not (constant and rule.direction is Flow.TO_SALESFORCE):
            self.fail(rule.at, "a field rule needs 'ace:' (only a constant going to_salesforce may leave it out)")
            ok = False
        if not rule.salesforce and not (constant and rule.direction is Flow.TO_ACE):
            self.fail(rule.at, "a field rule needs 'salesforce:' (only a constant going to_ace may leave it out)")
            ok = False
        if constant and rule.direction is Flow.BOTH:
            self.fail(rule.where("direction"), "a constant goes one way: use direction: to_salesforce or to_ace")
            ok = False
        wanted = transform.salesforce_fields if transform is not None else 1
        if rule.salesforce and len(rule.salesforce) != wanted:
            if wanted == 1:
                self.fail(rule.where("salesforce"), "salesforce names one field here; only transform "
                                                    "full_name takes two ([FirstName, LastName])")
            else:
                self.fail(rule.where("salesforce"), f"transform {transform.name!r} needs {wanted} Salesforce "
                                                    "fields, like salesforce: [FirstName, LastName]")
            ok = False
        if rule.direction.writes_salesforce:
            for name in rule.salesforce:
                if "." in name:
                    self.fail(rule.where("salesforce"),
                              f"{name!r} is a parent path: the connector can read it but never writes "
                              "through it; use direction: to_ace, or a field of the object itself")
                    ok = False
        return ok

    # --- value maps ----------------------------------------------------------------------------

    def _value_map(self, rule: FieldRule, field: FieldSpec, transform: Transform | None) -> None:
        if rule.values is None:
            if rule.unmapped is not Unmapped.ERROR:
                self.fail(rule.where("unmapped"), "'unmapped:' only applies to a rule with 'values:'")
            return
        at = rule.where("values")
        if field.kind not in VALUE_MAP_KINDS or (transform is not None and not transform.takes_value_map):
            self.fail(at, f"a value map rewrites picklist or text values; it cannot run on "
                          f"{field.kind.value} field {field.name!r}"
                          + (f" with transform {transform.name!r}" if transform else ""))
            return
        if not rule.values:
            self.fail(at, "values is empty: list pairs like '- {salesforce: X, ace: Y}' or remove it")
            return
        if field.values is not None:
            for pair in rule.values:
                for part in self._parts(field, pair.ace):
                    if part not in field.values:
                        self.fail(pair.at, f"{part!r} is not a value ACE accepts for {field.name}"
                                           f"{did_you_mean(part, field.values)}")
        if rule.direction.writes_salesforce and rule.unmapped is Unmapped.ERROR and field.values is not None:
            mapped = {pair.ace for pair in rule.values}
            missing = [value for value in field.values if value not in mapped]
            if missing:
                self.fail(at, f"the value map leaves out {len(missing)} of ACE's values for {field.name}: "
                              f"{listing(missing)}; map them, or say what to do with them "
                              "(unmapped: skip | default)")
        if rule.direction is Flow.BOTH:
            self._round_trip(rule, field)
        if rule.unmapped is Unmapped.DEFAULT:
            sides = {"to Salesforce": rule.default_salesforce if rule.direction.writes_salesforce else "",
                     "to ACE": rule.default_ace if rule.direction.writes_ace else ""}
            for way, default in sides.items():
                if default is None:
                    self.fail(rule.where("unmapped"), f"unmapped: default needs a default for values going {way}")

    def _round_trip(self, rule: FieldRule, field: FieldSpec) -> None:
        """ACE -> Salesforce -> ACE must give the same value, or the connector would send
        ACE a different value than the one it received."""
        to_salesforce: dict[str, str] = {}
        to_ace: dict[str, str] = {}
        for pair in rule.values:
            to_salesforce.setdefault(pair.ace, pair.salesforce)
            to_ace.setdefault(pair.salesforce, pair.ace)
        reported: set[str] = set()
        for pair in rule.values:
            if to_salesforce[pair.ace] != pair.salesforce or pair.ace in reported:
                continue
            back = to_ace[pair.salesforce]
            if back != pair.ace:
                reported.add(pair.ace)
                self.fail(pair.at, f"ACE value {pair.ace!r} goes to Salesforce as {pair.salesforce!r}, which "
                                   f"comes back to ACE as {back!r}: the connector would change ACE's value. "
                                   "Put the pair for the value that should come back first, or split the "
                                   "rule into a to_salesforce and a to_ace rule")

    @staticmethod
    def _parts(field: FieldSpec, value: str) -> list[str]:
        return split_multi(value) if field.kind is FieldKind.MULTIPICKLIST else [value]

    # --- defaults, nulls, masked ---------------------------------------------------------------

    def _defaults(self, rule: FieldRule, field: FieldSpec, transform: Transform | None) -> None:
        if rule.default_ace is not None:
            if not rule.direction.writes_ace:
                self.fail(rule.where("default"), "a default for ACE needs a rule that goes to_ace or both")
            else:
                problem = self._bad_ace_value(field, rule.default_ace)
                if problem:
                    self.fail(rule.where("default"), f"default {rule.default_ace!r}: {problem}")
        if rule.default_salesforce is not None and not rule.direction.writes_salesforce:
            self.fail(rule.where("default"), "a default for Salesforce needs a rule that goes to_salesforce or both")
        self._nulls(rule, field)
        if rule.masked is Masked.DEFAULT:
            if not rule.direction.writes_salesforce:
                self.fail(rule.where("masked"), "masked applies to values going to_salesforce")
            elif rule.default_salesforce is None:
                self.fail(rule.where("masked"), "masked: default needs a Salesforce default (default: ...)")

    def _nulls(self, rule: FieldRule, field: FieldSpec) -> None:
        sides = (("a Salesforce default", "Salesforce", rule.direction.writes_salesforce, rule.nulls_salesforce,
                  rule.default_salesforce),
                 ("an ACE default", "ACE", rule.direction.writes_ace, rule.nulls_ace, rule.default_ace))
        missing = [needed for needed, _, writes, nulls, default in sides
                   if writes and nulls is Nulls.DEFAULT and default is None]
        if missing:
            self.fail(rule.where("nulls"), f"nulls: default needs {' and '.join(missing)} (default: ...)")
        for _, side, writes, nulls, _ in sides:
            if nulls is not None and not writes:  # only the per-side form can name a side the rule does not write
                way = "to_salesforce" if side == "Salesforce" else "to_ace"
                self.fail(rule.where("nulls"), f"nulls for {side} needs a rule that goes {way} or both")
        if rule.nulls_ace is Nulls.CLEAR and rule.direction.writes_ace \
                and field.name in NEVER_EMPTY_ACE_FIELDS[self.spec.entity]:
            self.fail(rule.where("nulls"), f"nulls: clear would send an empty {field.name} to ACE as null, and ACE "
                                           f"refuses every update that empties {field.name}; leave nulls out, or "
                                           "give an ACE default with nulls: default")

    @staticmethod
    def _bad_ace_value(field: FieldSpec, value: Any) -> str | None:
        if field.kind is FieldKind.NUMBER:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            return None if ok else f"{field.name} takes a number"
        if field.kind is FieldKind.STRING_ARRAY:
            ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
            return None if ok else f"{field.name} takes a list of text values"
        if not isinstance(value, str):
            return f"{field.name} takes text; put the value in quotes"
        if field.values is not None:
            parts = split_multi(value) if field.kind is FieldKind.MULTIPICKLIST else [value]
            bad = [part for part in parts if part not in field.values]
            if bad:
                return f"{bad[0]!r} is not a value ACE accepts for {field.name}{did_you_mean(bad[0], field.values)}"
        return None

    # --- the whole mapping ---------------------------------------------------------------------

    def _duplicate_targets(self) -> None:
        spec = self.spec
        written: dict[str, str] = {spec.ace_id_field.lower(): "identity.ace_id"}
        for key, name in spec.sync_fields.items():
            label = f"sync_fields.{key}"
            if name.lower() in written:
                self.fail(spec.where(label), f"{name} is already written by {written[name.lower()]}")
            written[name.lower()] = label
        produced: dict[str, int] = {}
        for rule in spec.rules:
            if rule.direction.writes_salesforce:
                for name in rule.salesforce:
                    if name.lower() in written:
                        self.fail(rule.where("salesforce"), f"Salesforce field {name} is already written by "
                                                            f"{written[name.lower()]}; each field gets one source")
                    else:
                        written[name.lower()] = f"the rule at line {rule.at.line}"
            if rule.direction.writes_ace and rule.ace is not None:
                if rule.ace in produced:
                    self.fail(rule.where("ace"), f"ACE field {rule.ace} is already sent by the rule at line "
                                                 f"{produced[rule.ace]}; each ACE field gets one source")
                else:
                    produced[rule.ace] = rule.at.line


def listing(values: list[str], *, most: int = 8) -> str:
    """``'a', 'b' and 3 more``: a long list shortened for a message."""
    shown = ", ".join(repr(value) for value in values[:most])
    return shown + (f" and {len(values) - most} more" if len(values) > most else "")


def check_spec(spec: MappingSpec) -> list[MappingError]:
    """Every problem of ``spec`` against the ACE catalog."""
    return _Checker(spec).run()
