"""The YAML mapping language: how ACE records and Salesforce records correspond.

Admins edit one file per ACE object (``mappings/opportunity.yaml``,
``mappings/lead.yaml``); the connector loads them once and compiles each into
plain functions. A file with any problem does not load: every problem is
reported together, each as ``file:line:col: message``.

    from connector.mapping import load_mappings

    mappings = load_mappings(settings.ace_mappings_dir)     # MappingErrors on any problem
    opportunity = mappings["opportunity"]

    opportunity.entity              # "opportunity" | "lead"
    opportunity.salesforce_object   # "Opportunity"
    opportunity.ace_id_field        # external id holding apnCrmUniqueIdentifier (upsert key)
    opportunity.partner_key_field   # "Id": sent as partnerCrmUniqueIdentifier / partnerCrmLeadId
    opportunity.send_when           # SOQL WHERE fragment selecting records for ACE, or None
    opportunity.sync_fields         # {"status", "error", "last_synced", "ace_last_modified",
                                    #  "content_hash"} -> Salesforce field names
    opportunity.soql_fields         # fields to SELECT before to_ace (parent paths included)

    mapped = opportunity.to_salesforce(ace_record, current=existing_sf_record_or_None)
    mapped.values                   # Salesforce field -> value (ACE id and ACE last-modified included)
    mapped.insert_values            # only for records the connector creates (masked: default)
    mapped.problems                 # [FieldProblem]: fields that could not be mapped; never raised

    sent = opportunity.to_ace(sf_record)     # sf_record as a SOQL query returns it
    sent.record, sent.problems               # the ACE JSON record, and its field problems
    opportunity.content_hash(sent.record)    # stable sha256 hex of the content sent to ACE

Direction words: ``to_salesforce`` is ACE -> Salesforce (ACE's "outbound"
files), ``to_ace`` is Salesforce -> ACE (ACE's "inbound" files), ``both`` is
each way. ACE's masked placeholder ("Accept To View") never overwrites
Salesforce data; empty values leave the target alone unless a rule says
``nulls: clear`` or ``nulls: default``.

Layers: ``yamlnodes`` (safe YAML with positions) -> ``parse`` (grammar) ->
``checks`` (ACE catalog) -> ``compiler`` (closures) ; ``orgcheck`` (an org's
describe), ``schema`` (the JSON Schema for editors), ``transforms`` (the registry).
"""

from connector.errors import MappingError, MappingErrors
from connector.mapping.compiler import CompiledMapping, FieldProblem, ToAce, ToSalesforce
from connector.mapping.loader import (
    check_mapping_dir, check_mapping_file, check_mapping_text, load_mapping, load_mappings,
)
from connector.mapping.orgcheck import check_against_org
from connector.mapping.schema import mapping_schema, mapping_schema_text
from connector.mapping.transforms import TRANSFORMS

__all__ = [
    "CompiledMapping",
    "FieldProblem",
    "MappingError",
    "MappingErrors",
    "TRANSFORMS",
    "ToAce",
    "ToSalesforce",
    "check_against_org",
    "check_mapping_dir",
    "check_mapping_file",
    "check_mapping_text",
    "load_mapping",
    "load_mappings",
    "mapping_schema",
    "mapping_schema_text",
]
