"""The shipped mappings: they load, cover ACE's fields, round-trip records, and match their schema."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.ace.catalog import FieldKind, FieldSpec, catalog_for
from connector.mapping import load_mappings, mapping_schema_text
from connector.mapping.checks import RESERVED_ACE_FIELDS

MODELINE = "# yaml-language-server: $schema=./mapping.schema.json"


@pytest.fixture(scope="module")
def shipped(repo_root):
    return load_mappings(repo_root / "mappings")


def test_both_default_mappings_load(shipped) -> None:
    assert sorted(shipped) == ["lead", "opportunity"]
    assert shipped["opportunity"].salesforce_object == "Opportunity"
    assert shipped["lead"].ace_id_field == "ACE_Lead_Id__c"
    assert set(shipped["lead"].sync_fields) == {"status", "error", "last_synced", "ace_last_modified", "content_hash"}


@pytest.mark.parametrize("entity", ["opportunity", "lead"])
def test_every_ace_field_a_partner_sends_or_receives_is_mapped(shipped, entity) -> None:
    mapped = {rule.ace for rule in shipped[entity].spec.rules}
    expected = {name for name in catalog_for(entity).names() if name not in RESERVED_ACE_FIELDS[entity]}
    assert expected - mapped == set()


def test_aws_pipeline_view_is_kept_apart(shipped) -> None:
    targets = {rule.ace: rule.salesforce for rule in shipped["opportunity"].spec.rules}
    assert targets["aWSStage"] != targets["stage"] and targets["aWSCloseDate"] != targets["targetCloseDate"]


def _value(spec: FieldSpec):
    if spec.values:
        if spec.kind is FieldKind.MULTIPICKLIST:
            return st.lists(st.sampled_from(spec.values), min_size=1, max_size=3, unique=True).map(";".join)
        return st.sampled_from(spec.values)
    if spec.kind is FieldKind.DATE:
        return st.dates().map(lambda day: day.isoformat())
    if spec.kind is FieldKind.NUMBER:
        return st.integers(1, 10**6).map(float)
    if spec.kind is FieldKind.STRING_ARRAY:
        return st.lists(st.from_regex(r"[A-Z][A-Za-z0-9-]{2,10}", fullmatch=True), min_size=1, max_size=3, unique=True)
    return st.from_regex(r"[A-Za-z][A-Za-z0-9 .@-]{0,30}[A-Za-z0-9]", fullmatch=True)


def _records(entity: str, names: list[str]):
    catalog = catalog_for(entity)
    return st.fixed_dictionaries({}, optional={name: _value(catalog.get(name)) for name in names})


@pytest.mark.parametrize("entity", ["opportunity", "lead"])
def test_what_goes_to_salesforce_comes_back_to_ace_unchanged(shipped, entity) -> None:
    mapping = shipped[entity]
    two_way = [rule.ace for rule in mapping.spec.rules if rule.direction.value == "both"]
    defaults = {rule.ace: rule.default_ace for rule in mapping.spec.rules if rule.default_ace is not None}
    # an empty field goes to ACE as its default, or as null when the rule clears it
    emptied = {rule.ace: None for rule in mapping.spec.rules
               if rule.direction.writes_ace and rule.nulls_for(to_ace=True) == "clear"}

    @settings(max_examples=60, deadline=None)
    @given(_records(entity, two_way))
    def round_trip(record) -> None:
        written = mapping.to_salesforce(record)
        assert written.problems == []
        sent = mapping.to_ace(written.values)
        assert sent.problems == []
        assert sent.record == {**emptied, **defaults, **record}
        assert mapping.content_hash(sent.record) == mapping.content_hash({**defaults, **record})

    round_trip()


def test_masked_referral_fields_leave_existing_data_alone(shipped) -> None:
    lead = shipped["lead"]
    masked = {name: "Accept To View" for name in ("fullName", "email", "title", "streetAddress", "state",
                                                  "postalCode", "phone", "country", "company", "city")}
    result = lead.to_salesforce({"apnCrmUniqueIdentifier": "L1", **masked})
    assert result.values == {"ACE_Lead_Id__c": "L1"}
    assert result.insert_values == {"FirstName": "Pending", "LastName": "Acceptance",
                                    "Company": "Hidden until accepted"}


def test_committed_schema_is_current(repo_root) -> None:
    assert (repo_root / "mappings" / "mapping.schema.json").read_text() == mapping_schema_text(), \
        "run: ace-connector mappings schema > mappings/mapping.schema.json"


@pytest.mark.parametrize("name", ["opportunity.yaml", "lead.yaml"])
def test_shipped_files_carry_the_modeline_and_satisfy_the_schema(repo_root, name) -> None:
    text = (repo_root / "mappings" / name).read_text()
    assert text.splitlines()[0] == MODELINE
    schema = json.loads((repo_root / "mappings" / "mapping.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    assert list(jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(text))) == []


def test_schema_flags_what_editors_should_underline(repo_root) -> None:
    schema = json.loads(mapping_schema_text())
    document = yaml.safe_load((repo_root / "mappings" / "lead.yaml").read_text())
    document["fields"][0]["ace"] = "partnerProjectTitle"  # an opportunity field in the lead file
    document["fields"][1]["direction"] = "inbound"
    document["fields"][2]["transfrom"] = "iso_date"
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(document))
    paths = sorted(".".join(str(part) for part in error.absolute_path) for error in errors)
    assert paths == ["fields.0.ace", "fields.1.direction", "fields.2"]
