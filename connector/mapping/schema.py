"""The JSON Schema of a mapping file, for editors (completion, hover help, inline errors).

Generated from the same facts the loader checks against (the ACE catalog, the
transform registry, the language's words), so it cannot drift from them;
``mappings/mapping.schema.json`` is this output, committed, and a test keeps
it current. The schema helps while typing; ``ace-connector mappings validate``
remains the judge (value maps, directions and the org are beyond a schema).
"""

from __future__ import annotations

import json
from typing import Any

from connector.ace.catalog import Direction, EntityCatalog, FieldSpec, catalog_for
from connector.mapping.checks import RESERVED_ACE_FIELDS
from connector.mapping.parse import ENTITIES, PAIR_KEYS, RULE_KEYS, TOP_KEYS
from connector.mapping.spec import MAPPING_VERSION, SYNC_FIELD_KEYS, Flow, Masked, Nulls, Unmapped
from connector.mapping.transforms import TRANSFORMS


_FLOW_HELP = {
    Flow.TO_SALESFORCE: "ACE -> Salesforce only: what AWS sends (ACE's 'outbound' files) is written to the "
                        "Salesforce field. Use it for fields ACE does not let partners change.",
    Flow.TO_ACE: "Salesforce -> ACE only: the Salesforce field is sent to ACE (ACE's 'inbound' files). "
                 "Parent paths like Account.Name work here.",
    Flow.BOTH: "Each way: ACE's value is written to Salesforce, and Salesforce's value is sent to ACE.",
}
_NULLS_HELP = {
    Nulls.KEEP: "Leave the target field as it is (the usual choice).",
    Nulls.CLEAR: "Empty the target field.",
    Nulls.DEFAULT: "Write this rule's default.",
}
_MASKED_HELP = {
    Masked.KEEP: "Leave the Salesforce field as it is: 'Accept To View' never overwrites real data.",
    Masked.DEFAULT: "On records the connector creates, write this rule's Salesforce default "
                    "(e.g. a placeholder for a required field); existing records are left as they are.",
}
_UNMAPPED_HELP = {
    Unmapped.ERROR: "The record gets an error naming the value (the field is not written).",
    Unmapped.SKIP: "The field is left out; the rest of the record goes ahead.",
    Unmapped.DEFAULT: "This rule's default is used.",
}
_SYNC_HELP = {
    "status": "Picklist (Pending, Sent, Synced, Error) the connector sets after each sync.",
    "error": "Long text: the last error ACE or the connector reported for the record.",
    "last_synced": "DateTime: when the record last synced.",
    "ace_last_modified": "DateTime: ACE's lastModifiedDate last applied; older ACE data never "
                         "overwrites newer.",
    "content_hash": "Text(64): fingerprint of the content sent to ACE; unchanged records are not resent.",
}


def _choices(help_by_word: dict, description: str) -> dict[str, Any]:
    return {"description": description,
            "oneOf": [{"const": word.value if hasattr(word, "value") else word, "description": text}
                      for word, text in help_by_word.items()]}


def _field_help(spec: FieldSpec) -> str:
    if spec.direction is Direction.OUTBOUND_ONLY:
        way = "ACE only sends it: direction to_salesforce."
    elif spec.direction is Direction.INBOUND_ONLY:
        way = "ACE never sends it; partners do: direction to_ace."
    else:
        way = "ACE sends it and accepts it: any direction."
    values = ""
    if spec.values:
        shown = ", ".join(spec.values[:12]) + (f" ... ({len(spec.values)} values)" if len(spec.values) > 12 else "")
        values = f" Values: {shown}."
    limit = f" At most {spec.max_length} characters." if spec.max_length else ""
    return f"{spec.label} ({spec.kind.value}). {way}{limit}{values} {spec.description}".strip()


def _ace_fields(catalog: EntityCatalog) -> dict[str, Any]:
    reserved = RESERVED_ACE_FIELDS[catalog.entity]
    return {
        "description": f"The ACE {catalog.entity} field (JSON name, case-sensitive).",
        "oneOf": [{"const": spec.name, "description": _field_help(spec)}
                  for spec in catalog if not spec.deprecated and spec.name not in reserved],
    }


def _transform_schema() -> dict[str, Any]:
    names = [{"const": t.name, "description": f"{t.summary} Example: {t.example}"} for t in TRANSFORMS.values()]
    params: dict[str, Any] = {"name": {"oneOf": names}}
    for transform in TRANSFORMS.values():
        for param in transform.params:
            entry: dict[str, Any] = {"description": f"{transform.name}: {param.description}"}
            if param.type is int:
                entry.update(type="integer", minimum=1)
            params[param.name] = entry
    return {
        "description": "A named conversion (no code, no expressions). Without one, the ACE field's kind "
                       "picks it: dates iso_date, datetimes gmt_datetime, multi-selects multi_select, "
                       "arrays list_as_text, numbers number; text is copied.",
        "oneOf": [{"oneOf": names},
                  {"type": "object", "required": ["name"], "additionalProperties": False,
                   "properties": params}],
    }


def _rule_schema() -> dict[str, Any]:
    value = {"type": ["string", "number", "boolean"]}
    sides = {"type": "object", "additionalProperties": False,
             "properties": {"salesforce": {**value, "description": "The Salesforce value."},
                            "ace": {**value, "description": "The ACE value (one ACE accepts)."}}}
    properties = {
        "ace": {"type": "string", "description": "The ACE field (JSON name, case-sensitive)."},
        "salesforce": {
            "description": "The Salesforce field API name, a parent path for reading (Account.Name), or "
                           "[FirstName, LastName] with transform full_name.",
            "oneOf": [{"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$"},
                      {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "string"}}]},
        "direction": _choices(_FLOW_HELP, "Which way the value goes. to_salesforce = ACE -> Salesforce "
                                          "(ACE's outbound files); to_ace = Salesforce -> ACE (ACE's inbound "
                                          "files); both = each way."),
        "transform": _transform_schema(),
        "values": {"type": "array", "description": "Value map between Salesforce and ACE values. Each "
                   "direction uses the first pair that matches the value it has.",
                   "items": {**sides, "required": list(PAIR_KEYS)}},
        "unmapped": _choices(_UNMAPPED_HELP, "What a value missing from 'values' does."),
        "default": {"description": "Used when the source value is empty (and for unmapped: default). "
                                   "For direction both, give it per side: {ace: ..., salesforce: ...}.",
                    "oneOf": [value, {"type": "array", "items": {"type": "string"}}, sides]},
        "nulls": {"description": "What an empty source value does to the target. Default: keep, or default "
                                 "when the rule has a default for that side. One word for every way the rule "
                                 "goes, or per side: {ace: clear, salesforce: keep}.",
                  "oneOf": [*_choices(_NULLS_HELP, "")["oneOf"],
                            {"type": "object", "additionalProperties": False, "minProperties": 1,
                             "properties": {"ace": _choices(_NULLS_HELP, "An empty Salesforce value, going to ACE."),
                                            "salesforce": _choices(_NULLS_HELP, "An empty ACE value, going to "
                                                                                "Salesforce.")}}]},
        "masked": _choices(_MASKED_HELP, "What ACE's 'Accept To View' placeholder (personal data hidden "
                                         "until an AWS referral is accepted) does. Default: keep."),
        "description": {"type": "string", "description": "Your notes; the connector ignores them."},
    }
    assert set(properties) == set(RULE_KEYS)
    return {"type": "object", "required": ["direction"], "additionalProperties": False,
            "properties": properties}


def _entity_branch(entity: str) -> dict[str, Any]:
    return {"if": {"properties": {"entity": {"const": entity}}, "required": ["entity"]},
            "then": {"properties": {"fields": {"items": {"properties": {
                "ace": {"$ref": f"#/definitions/{entity}Field"}}}}}}}


def mapping_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of one mapping file."""
    name = {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9_]*$"}
    properties = {
        "version": {"const": MAPPING_VERSION, "description": "The mapping language version."},
        "entity": {"enum": list(ENTITIES), "description": "The ACE object this file maps."},
        "salesforce_object": {**name, "description": "The Salesforce object (API name), e.g. Opportunity."},
        "identity": {
            "type": "object", "required": ["ace_id"], "additionalProperties": False,
            "description": "How a Salesforce record and an ACE record are known to be the same.",
            "properties": {
                "ace_id": {**name, "description": "External ID field holding ACE's apnCrmUniqueIdentifier "
                                                  "(O... / L...); the connector upserts by it."},
                "partner_key": {**name, "description": "Field sent to ACE as the partner key "
                                                       "(partnerCrmUniqueIdentifier / partnerCrmLeadId). "
                                                       "Default: Id."}}},
        "send_when": {"type": ["string", "null"], "description": "SOQL WHERE condition choosing the records "
                      "sent to ACE, e.g. ACE_Share__c = true. Empty: every record."},
        "sync_fields": {"type": "object", "required": list(SYNC_FIELD_KEYS), "additionalProperties": False,
                        "description": "Where the connector writes sync state on each record.",
                        "properties": {key: {**name, "description": _SYNC_HELP[key]} for key in SYNC_FIELD_KEYS}},
        "fields": {"type": "array", "description": "The field rules, one per ACE field.",
                   "items": {"$ref": "#/definitions/rule"}},
        "description": {"type": "string", "description": "Your notes; the connector ignores them."},
    }
    assert set(properties) == set(TOP_KEYS)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "ace-connector field mapping",
        "description": "How one ACE object (opportunity or lead) and one Salesforce object correspond. "
                       "Check a file with: ace-connector mappings validate [--org].",
        "type": "object",
        "required": ["version", "entity", "salesforce_object", "identity", "sync_fields", "fields"],
        "additionalProperties": False,
        "properties": properties,
        "allOf": [_entity_branch(entity) for entity in ENTITIES],
        "definitions": {"rule": _rule_schema(),
                        **{f"{entity}Field": _ace_fields(catalog_for(entity)) for entity in ENTITIES}},
    }


def mapping_schema_text() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(mapping_schema(), indent=2, ensure_ascii=False) + "\n"
