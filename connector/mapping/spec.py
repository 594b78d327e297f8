"""The mapping language as data: what one YAML mapping file says, with where it says it.

A file is read into a ``MappingSpec`` (``parse.py``), checked against the ACE
catalog (``checks.py``) and compiled into plain functions (``compiler.py``).
Every part keeps its ``Location`` so each problem can be reported as
``file:line:col: message``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from connector.mapping.yamlnodes import Location

#: The only version of the mapping language so far.
MAPPING_VERSION = 1


class Flow(StrEnum):
    """Which way a field rule copies data.

    ``to_salesforce``: ACE -> Salesforce (what ACE calls *outbound* files).
    ``to_ace``: Salesforce -> ACE (what ACE calls *inbound* files).
    ``both``: each way.
    """

    TO_SALESFORCE = "to_salesforce"
    TO_ACE = "to_ace"
    BOTH = "both"

    @property
    def writes_salesforce(self) -> bool:
        return self is not Flow.TO_ACE

    @property
    def writes_ace(self) -> bool:
        return self is not Flow.TO_SALESFORCE


class Nulls(StrEnum):
    """What an empty source value (null, absent text) does to the target field."""

    KEEP = "keep"  # leave the target as it is
    CLEAR = "clear"  # empty the target
    DEFAULT = "default"  # write the rule's default


class Masked(StrEnum):
    """What ACE's "Accept To View" placeholder does to the Salesforce field."""

    KEEP = "keep"  # leave the field as it is (never overwrite real data)
    DEFAULT = "default"  # the rule's Salesforce default, only on records the connector creates


class Unmapped(StrEnum):
    """What a value missing from the rule's value map does."""

    ERROR = "error"  # the record gets a field problem
    SKIP = "skip"  # the field is left out
    DEFAULT = "default"  # the rule's default is used


@dataclass(frozen=True)
class ValuePair:
    salesforce: str
    ace: str
    at: Location


@dataclass(frozen=True)
class TransformRef:
    name: str
    params: dict[str, Any]
    at: Location
    #: where each parameter was written
    param_at: dict[str, Location] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldRule:
    """One entry of ``fields:``."""

    at: Location
    direction: Flow
    #: ACE JSON field name; None only for a ``constant`` rule going to Salesforce
    ace: str | None = None
    #: Salesforce field(s): one name or parent path, two for ``full_name``, none for a
    #: ``constant`` rule going to ACE
    salesforce: tuple[str, ...] = ()
    transform: TransformRef | None = None
    values: tuple[ValuePair, ...] | None = None
    unmapped: Unmapped = Unmapped.ERROR
    #: the default, per side; None = no default on that side
    default_ace: Any = None
    default_salesforce: Any = None
    #: the null policy per side written to; None = not written: "default" when that side has a
    #: default, else "keep" (``nulls: clear`` sets both, ``nulls: {ace: clear}`` one)
    nulls_ace: Nulls | None = None
    nulls_salesforce: Nulls | None = None
    masked: Masked = Masked.KEEP
    #: where each key's value was written
    key_at: dict[str, Location] = field(default_factory=dict)

    def where(self, key: str) -> Location:
        """Where ``key`` was written, or the rule itself when it was not."""
        return self.key_at.get(key, self.at)

    @property
    def label(self) -> str:
        """How messages name the rule."""
        if self.ace and self.salesforce:
            return f"{self.ace} <-> {'+'.join(self.salesforce)}"
        return self.ace or "+".join(self.salesforce) or "field rule"

    def nulls_for(self, *, to_ace: bool) -> Nulls:
        """What an empty source value does to the field written: the ACE one, or the Salesforce one."""
        written, default = (self.nulls_ace, self.default_ace) if to_ace else \
            (self.nulls_salesforce, self.default_salesforce)
        if written is not None:
            return written
        return Nulls.DEFAULT if default is not None else Nulls.KEEP


#: Keys of ``sync_fields:``: where the connector writes sync state on each record.
SYNC_FIELD_KEYS = ("status", "error", "last_synced", "ace_last_modified", "content_hash")


@dataclass(frozen=True)
class MappingSpec:
    file: str
    at: Location
    version: int
    entity: str
    salesforce_object: str
    #: Salesforce external id field holding ACE's apnCrmUniqueIdentifier
    ace_id_field: str
    #: Salesforce field holding the partner key (the record Id by default)
    partner_key_field: str
    send_when: str | None
    sync_fields: dict[str, str]
    rules: tuple[FieldRule, ...]
    key_at: dict[str, Location] = field(default_factory=dict)

    def where(self, key: str) -> Location:
        return self.key_at.get(key, self.at)
