"""Scenario records are written in ACE's field names; this turns them into Salesforce fields and back.

Going to Salesforce uses the mapping's own ``to_salesforce`` (value maps and
transforms included), so the scenario's data lands the way ACE's data would.
Reading back uses ``to_ace`` for fields the mapping sends to ACE and the raw
Salesforce field for fields ACE only sends (review status, AWS team...). A
scenario thus follows whatever the partner's mappings say, and a broken
mapping shows up as a failed check naming the field and the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from connector.mapping import CompiledMapping

#: DESIGN.md's checkbox on Opportunity and Lead: "send this record to ACE". The admin ticks it.
SHARE_FIELD = "ACE_Share__c"


class TranslationError(ValueError):
    """The scenario's values cannot be written through this mapping."""


def _rules_for(mapping: CompiledMapping, ace_field: str) -> list[Any]:
    return [rule for rule in mapping.spec.rules if rule.ace == ace_field]


def salesforce_fields_of(mapping: CompiledMapping, ace_field: str) -> tuple[str, ...]:
    """The Salesforce field(s) the mapping puts ``ace_field`` in (empty when it does not map it)."""
    for rule in _rules_for(mapping, ace_field):
        if rule.salesforce:
            return tuple(rule.salesforce)
    return ()


def to_salesforce_values(mapping: CompiledMapping, ace_values: Mapping[str, Any]) -> dict[str, Any]:
    """Salesforce values for an admin's edit described in ACE terms; ``None`` empties the field."""
    present = {k: v for k, v in ace_values.items() if v is not None}
    mapped = mapping.to_salesforce(present)
    if mapped.problems:
        raise TranslationError("; ".join(str(p) for p in mapped.problems))
    values = {**mapped.insert_values, **mapped.values}
    missing = [name for name in present if name != "apnCrmUniqueIdentifier" and not salesforce_fields_of(mapping, name)]
    if missing:
        raise TranslationError(f"the {mapping.entity} mapping ({mapping.file}) has no Salesforce field for "
                               f"{', '.join(sorted(missing))}")
    for name, value in ace_values.items():
        if value is None:
            fields = salesforce_fields_of(mapping, name)
            if not fields:
                raise TranslationError(f"the {mapping.entity} mapping has no Salesforce field for {name}")
            values.update(dict.fromkeys(fields))
    values.pop(mapping.sync_fields.get("ace_last_modified", ""), None)
    return values


def fields_to_read(mapping: CompiledMapping, extra: Iterable[str] = ()) -> list[str]:
    """Everything a check may look at: what ``to_ace`` needs, what ACE writes, and ``extra``."""
    names = list(mapping.soql_fields)
    for rule in mapping.spec.rules:
        names.extend(rule.salesforce)
    names.extend(extra)
    return list(dict.fromkeys(names))


def ace_values_of(mapping: CompiledMapping, sf_record: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The ACE view of a Salesforce record, for the fields ``names``."""
    sent = mapping.to_ace(sf_record).record
    view = {}
    for name in names:
        writes_ace = any(rule.direction.writes_ace for rule in _rules_for(mapping, name))
        if writes_ace or name in ("apnCrmUniqueIdentifier", mapping.partner_key_ace_field):
            view[name] = sent.get(name)
        else:
            fields = salesforce_fields_of(mapping, name)
            view[name] = sf_record.get(fields[0]) if fields else None
    return view


def describe_rule(mapping: CompiledMapping, ace_field: str) -> str:
    """How the mapping carries ``ace_field``, for failure messages."""
    rules = _rules_for(mapping, ace_field)
    if not rules:
        return f"{ace_field} is not in {mapping.file}"
    rule = rules[0]
    return f"{mapping.file}:{rule.at.line}: {ace_field} <-> {'+'.join(rule.salesforce)} ({rule.direction.value})"
