"""Helpers for the mapping tests: small mapping texts and where things are in them."""

from __future__ import annotations

from connector.errors import MappingError
from connector.mapping import check_mapping_text

#: A valid opportunity mapping with no field rules; tests append rules after ``fields:``.
HEADER = """\
version: 1
entity: {entity}
salesforce_object: {sobject}
identity:
  ace_id: {ace_id}
sync_fields:
  status: ACE_Sync_Status__c
  error: ACE_Sync_Error__c
  last_synced: ACE_Last_Synced__c
  ace_last_modified: ACE_Last_Modified__c
  content_hash: ACE_Content_Hash__c
fields:
"""
ENTITIES = {"opportunity": ("Opportunity", "ACE_Opportunity_Id__c"), "lead": ("Lead", "ACE_Lead_Id__c")}


def mapping_text(rules: str = "", *, entity: str = "opportunity") -> str:
    sobject, ace_id = ENTITIES[entity]
    return HEADER.format(entity=entity, sobject=sobject, ace_id=ace_id) + rules


def position(text: str, snippet: str, *, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) where ``snippet`` starts (its n-th occurrence)."""
    index = -1
    for _ in range(occurrence):
        index = text.index(snippet, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def only_error(text: str, *, file: str = "m.yaml") -> MappingError:
    compiled, errors = check_mapping_text(text, file=file)
    assert compiled is None
    assert len(errors) == 1, "\n".join(str(error) for error in errors)
    return errors[0]


def compile_text(text: str):
    compiled, errors = check_mapping_text(text, file="m.yaml")
    assert not errors, "\n".join(str(error) for error in errors)
    return compiled
