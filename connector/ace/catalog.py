"""The ACE field catalog: every opportunity and lead field of the S3 file contract.

One ``FieldSpec`` per JSON field name, with its UI label, kind, limits, direction,
what happens to it on create and in each review state, and its standard values.
The facts live in ``connector/ace/data/*_fields.json`` so the mapping language,
the rule engine and the simulator all read the same ones.

Field names are case-sensitive (``IsOppFromMarketingActivity`` starts with a
capital I); look them up exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Any

__all__ = [
    "Direction",
    "EntityCatalog",
    "FieldKind",
    "FieldSpec",
    "LEAD",
    "MASKED_VALUE",
    "MULTI_VALUE_SEPARATOR",
    "OPPORTUNITY",
    "OnCreate",
    "PARTNER_KIND_ISV",
    "PARTNER_KIND_SPECIAL_PROGRAM",
    "catalog_for",
    "is_masked",
    "join_multi",
    "split_multi",
]

#: What ACE puts in place of personal data on AWS referrals the partner has not accepted.
MASKED_VALUE = "Accept To View"

#: Multi-select picklists are one string, values joined by ";" with no spaces.
MULTI_VALUE_SEPARATOR = ";"

#: Partner kinds named in ``FieldSpec.updatable_launched``.
PARTNER_KIND_ISV = "isv"  # ISV Accelerate
PARTNER_KIND_SPECIAL_PROGRAM = "special_program"  # ISV Accelerate + SaaS revenue recognition


class FieldKind(StrEnum):
    TEXT = "text"
    PICKLIST = "picklist"
    MULTIPICKLIST = "multipicklist"  # one string, values joined by ";"
    DATE = "date"  # YYYY-MM-DD
    DATETIME = "datetime"  # YYYY-MM-DDTHH:MM:SS.000Z
    NUMBER = "number"
    STRING_ARRAY = "string_array"  # JSON array of strings


class Direction(StrEnum):
    BOTH = "both"  # the partner may send it AND AWS sends it
    OUTBOUND_ONLY = "outbound_only"  # AWS -> partner only (read-only for the partner)
    INBOUND_ONLY = "inbound_only"  # partner -> AWS only (lead firstName/lastName)


class OnCreate(StrEnum):
    MANDATORY = "mandatory"
    CONDITIONAL = "conditional"  # mandatory under a condition (see the rules)
    OPTIONAL = "optional"
    NOT_ACCEPTED = "not_accepted"  # ignored on create (an error for `offers`)
    NOT_APPLICABLE = "not_applicable"  # outbound-only field, or an entity with no create path


@dataclass(frozen=True)
class FieldSpec:
    """One field of an ACE record.

    For leads, which have no review states, ``updatable_approved`` means "the
    partner may change it once the lead is accepted".
    """

    name: str
    label: str
    kind: FieldKind
    max_length: int | None
    direction: Direction
    on_create: OnCreate
    updatable_action_required: bool
    updatable_approved: bool
    #: partner kinds still allowed to change it after Launched; empty = frozen
    updatable_launched: frozenset[str]
    #: standard values (picklists), None otherwise
    values: tuple[str, ...] | None
    description: str
    #: payload-version-1 field, no longer part of the contract
    deprecated: bool = False
    min_length: int | None = None

    @property
    def partner_writable(self) -> bool:
        """True when the partner may send the field inbound at all."""
        return self.direction is not Direction.OUTBOUND_ONLY and not self.deprecated

    @property
    def is_picklist(self) -> bool:
        return self.kind in (FieldKind.PICKLIST, FieldKind.MULTIPICKLIST)

    def allows(self, value: str) -> bool:
        """True when ``value`` is one standard value (exact, case-sensitive match)."""
        return self.values is None or value in self.values


@dataclass(frozen=True)
class EntityCatalog:
    entity: str  # "opportunity" | "lead"
    record_key: str  # "opportunities" | "leads"
    fields: Mapping[str, FieldSpec]  # keyed by exact JSON name, in contract order

    def get(self, name: str) -> FieldSpec | None:
        return self.fields.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.fields

    def __iter__(self) -> Iterator[FieldSpec]:
        return iter(self.fields.values())

    def __len__(self) -> int:
        return len(self.fields)

    def names(self, *, include_deprecated: bool = False) -> list[str]:
        return [f.name for f in self.fields.values() if include_deprecated or not f.deprecated]

    def partner_writable(self) -> list[FieldSpec]:
        """The fields a partner may send inbound."""
        return [f for f in self.fields.values() if f.partner_writable]

    def values_of(self, name: str) -> tuple[str, ...]:
        """Standard values of a picklist field; KeyError for unknown or non-picklist fields."""
        spec = self.fields[name]
        if spec.values is None:
            raise KeyError(f"{self.entity} field {name!r} has no standard values")
        return spec.values


def split_multi(value: str) -> list[str]:
    """The parts of a multi-select value: ``"A;B"`` -> ``["A", "B"]``."""
    return value.split(MULTI_VALUE_SEPARATOR)


def join_multi(values: Iterator[str] | list[str] | tuple[str, ...]) -> str:
    return MULTI_VALUE_SEPARATOR.join(values)


def is_masked(value: object) -> bool:
    """True for ACE's masking placeholder, whatever its case or spacing.

    ACE writes both "Accept To View" and "Accept to View".
    """
    if not isinstance(value, str):
        return False
    return " ".join(value.split()).casefold() == MASKED_VALUE.casefold()


def _field_from_json(raw: Mapping[str, Any]) -> FieldSpec:
    values = raw.get("values")
    return FieldSpec(
        name=raw["name"],
        label=raw["label"],
        kind=FieldKind(raw["kind"]),
        max_length=raw.get("max_length"),
        direction=Direction(raw["direction"]),
        on_create=OnCreate(raw["on_create"]),
        updatable_action_required=bool(raw["updatable_action_required"]),
        updatable_approved=bool(raw["updatable_approved"]),
        updatable_launched=frozenset(raw.get("updatable_launched") or ()),
        values=tuple(values) if values is not None else None,
        description=raw["description"],
        deprecated=bool(raw.get("deprecated", False)),
        min_length=raw.get("min_length"),
    )


def _load(filename: str) -> EntityCatalog:
    text = resources.files("connector.ace").joinpath("data", filename).read_text(encoding="utf-8")
    raw = json.loads(text)
    fields = {item["name"]: _field_from_json(item) for item in raw["fields"]}
    return EntityCatalog(entity=raw["entity"], record_key=raw["record_key"],
                         fields=MappingProxyType(fields))


OPPORTUNITY: EntityCatalog = _load("opportunity_fields.json")
LEAD: EntityCatalog = _load("lead_fields.json")

_CATALOGS = {OPPORTUNITY.entity: OPPORTUNITY, LEAD.entity: LEAD}


def catalog_for(entity: str) -> EntityCatalog:
    """The catalog of ``"opportunity"`` or ``"lead"``."""
    try:
        return _CATALOGS[entity]
    except KeyError:
        raise ValueError(f"unknown ACE entity {entity!r}; expected one of {sorted(_CATALOGS)}") from None
