"""The rule engine: the registry, the inputs (partner, context) and the verdict.

A rule is a small function registered under its ACE-CONTRACT §10 id. It receives a
``Check`` (the raw inbound record, what is left of it after ignored fields are
dropped, the stored record when known, and the context) and yields
``Violation``s (the record fails) or ``Ignored``s (a field is dropped silently,
the record still succeeds). Rules that ignore fields run first, so the others
only see what would actually be applied; the verdict lists errors in rule
order, which keeps ACE's ``Required: ...`` message first.

Rules work on plain dicts, as decoded from JSON, so "absent" and ``null`` are
different things to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from connector.ace.catalog import PARTNER_KIND_ISV, PARTNER_KIND_SPECIAL_PROGRAM, EntityCatalog

__all__ = [
    "Check",
    "Ignored",
    "PartnerProfile",
    "Rule",
    "RuleContext",
    "Stage",
    "Verdict",
    "Violation",
    "rule",
    "rule_ids",
    "rules_for",
    "rule_order",
    "run_rules",
]


class Stage(StrEnum):
    """Which check a rule belongs to."""

    CREATE = "create"
    UPDATE = "update"
    DECISION = "decision"  # accepting or rejecting an AWS referral
    LEAD = "lead"


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class Ignored:
    """A field ACE accepts but drops without failing the record."""

    rule: str
    field: str


@dataclass(frozen=True)
class Verdict:
    errors: tuple[Violation, ...]
    ignored_fields: tuple[str, ...]  # (I)-rules: dropped silently
    changes: Mapping[str, Any]  # the record's fields that would be applied (ignored ones removed)
    #: which rule dropped each ignored field
    ignored_by: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_texts(self) -> list[str]:
        """What goes in a results file's ``errors`` (duplicates removed, order kept)."""
        return list(dict.fromkeys(v.message for v in self.errors))


@dataclass(frozen=True)
class PartnerProfile:
    """What ACE knows about the partner sending the record; None = unknown, not checked."""

    partner_type: str = "consulting"  # or "isv"
    isv_accelerate: bool = False
    special_program: bool = False  # ISV Accelerate + SaaS revenue recognition
    user_emails: frozenset[str] | None = None  # None = unknown -> OC19/LU8 not checked
    solution_ids: frozenset[str] | None = None
    product_codes: frozenset[str] | None = None
    owned_opportunity_ids: frozenset[str] | None = None
    #: partner keys (partnerCrmUniqueIdentifier) ACE already holds for this partner (OC20)
    partner_keys: frozenset[str] | None = None

    @property
    def launched_kinds(self) -> frozenset[str]:
        """The partner kinds of ``FieldSpec.updatable_launched`` this partner has."""
        kinds = set()
        if self.isv_accelerate or self.special_program:
            kinds.add(PARTNER_KIND_ISV)
        if self.special_program:
            kinds.add(PARTNER_KIND_SPECIAL_PROGRAM)
        return frozenset(kinds)

    def knows_user(self, email: str) -> bool:
        return self.user_emails is None or email.strip().casefold() in {e.casefold() for e in self.user_emails}


@dataclass(frozen=True)
class RuleContext:
    partner: PartnerProfile
    today: date
    now: datetime  # UTC
    require_solution_on_create: bool = True
    enforce_future_close_date: bool = True
    #: payload version of the file (1 keeps the version-1 fields and rules)
    payload_version: int = 2
    #: the lead sheet calls status, currentLeadStage and partnerCrmLeadId mandatory; AWS's own
    #: accept/reject payloads leave them out, so this is off by default (LU7)
    require_lead_mandatory_fields: bool = False

    @classmethod
    def at(cls, now: datetime | None = None, *, partner: PartnerProfile | None = None,
           **options: Any) -> RuleContext:
        """A context for ``now`` (default: the current UTC time)."""
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        return cls(partner=partner or PartnerProfile(), today=moment.date(), now=moment, **options)


@dataclass
class Check:
    """What a rule sees. ``changes`` shrinks as ignore-rules drop fields."""

    record: Mapping[str, Any]
    changes: dict[str, Any]
    stored: Mapping[str, Any] | None
    context: RuleContext
    catalog: EntityCatalog
    stage: Stage
    #: values assumed for fields a create leaves out (opportunityType, doesOppBelongToNatSec)
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def value(self, name: str) -> Any:
        """The value after the update: sent value, else stored value, else the default."""
        if name in self.changes:
            return self.changes[name]
        if self.stored is not None and name in self.stored:
            return self.stored[name]
        return self.defaults.get(name)

    def known(self, name: str) -> bool:
        """True when ``value(name)`` is a fact rather than a guess (stored=None knows only what is sent)."""
        return name in self.changes or self.stored is not None or self.stage is Stage.CREATE

    def sent(self, name: str) -> bool:
        return name in self.changes

    def touched(self, *names: str) -> bool:
        return any(name in self.changes for name in names)

    def stored_value(self, name: str) -> Any:
        return None if self.stored is None else self.stored.get(name)

    @property
    def partner(self) -> PartnerProfile:
        return self.context.partner


RuleFunction = Callable[[Check], Iterable[Violation | Ignored]]


@dataclass(frozen=True)
class Rule:
    id: str
    stages: frozenset[Stage]
    function: RuleFunction
    ignores: bool  # may drop fields: runs before the rules that only fail records
    gate: bool  # failing it ends the check: nothing else is worth saying about the record

    @property
    def order(self) -> tuple[int, float]:
        return rule_order(self.id)

    @property
    def summary(self) -> str:
        return (self.function.__doc__ or "").strip().splitlines()[0] if self.function.__doc__ else ""


_REGISTRY: dict[str, Rule] = {}
_PREFIX_RANK = {"OC": 0, "OU": 1, "LU": 2}
#: the field-shape check runs right after the mandatory-field check of its stage
_SPECIAL_ORDER = {"SHAPE": (0, 1.5)}


def rule_order(rule_id: str) -> tuple[int, float]:
    """OC1 < SHAPE < OC2 < ... < OC20 < OU1 < ... < LU8 (numeric, not alphabetical)."""
    if rule_id in _SPECIAL_ORDER:
        return _SPECIAL_ORDER[rule_id]
    return _PREFIX_RANK.get(rule_id[:2], 9), float(rule_id[2:])


def rule(rule_id: str, *stages: Stage, ignores: bool = False,
         gate: bool = False) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under ``rule_id`` for the given stages.

    ``ignores``: the rule may drop fields, so it runs before the others.
    ``gate``: the rule runs first and, when it fails, is the only answer.
    """

    def register(function: RuleFunction) -> RuleFunction:
        if rule_id in _REGISTRY:
            raise ValueError(f"rule {rule_id} is registered twice")
        _REGISTRY[rule_id] = Rule(id=rule_id, stages=frozenset(stages), function=function, ignores=ignores,
                                  gate=gate)
        return function

    return register


def rule_ids() -> list[str]:
    """Every registered rule id, in rule order."""
    return sorted(_REGISTRY, key=rule_order)


def rules_for(stage: Stage) -> list[Rule]:
    return sorted((r for r in _REGISTRY.values() if stage in r.stages), key=lambda r: r.order)


def get_rule(rule_id: str) -> Rule:
    return _REGISTRY[rule_id]


def run_rules(check: Check, *, keys: Iterable[str] = ()) -> Verdict:
    """Run every rule of ``check.stage``; ``keys`` are identifier fields kept out of ``changes``."""
    rules = rules_for(check.stage)
    key_names = set(keys)
    for gate in (r for r in rules if r.gate):
        failures = [o for o in gate.function(check) if isinstance(o, Violation)]
        if failures:
            return Verdict(errors=tuple(failures), ignored_fields=(), changes=MappingProxyType({}))
    ignored: dict[str, str] = {}
    violations: list[tuple[tuple[int, float], Violation]] = []
    for current in sorted((r for r in rules if not r.gate), key=lambda r: (not r.ignores, r.order)):
        for outcome in current.function(check):
            if isinstance(outcome, Ignored):
                if outcome.field in check.changes:
                    del check.changes[outcome.field]
                    ignored.setdefault(outcome.field, outcome.rule)
            else:
                violations.append((current.order, outcome))
    violations.sort(key=lambda pair: pair[0])
    changes = {k: v for k, v in check.changes.items() if k not in key_names}
    return Verdict(errors=tuple(v for _, v in violations), ignored_fields=tuple(ignored),
                   changes=MappingProxyType(changes), ignored_by=MappingProxyType(ignored))
