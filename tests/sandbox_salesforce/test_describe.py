"""Describe calls, and the schema loaded from the project's sfdx source."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceResourceNotFound

from connector.sandbox.salesforce.backend import build_schema


def test_global_describe_lists_the_connector_objects(sf, org_facts):
    described = sf.describe()
    assert described["maxBatchSize"] == 200
    by_name = {entry["name"]: entry for entry in described["sobjects"]}
    for name, prefix in org_facts.prefixes.items():
        assert by_name[name]["keyPrefix"] == prefix
    assert by_name["Opportunity"]["urls"]["describe"] == "/services/data/v59.0/sobjects/Opportunity/describe"


def test_object_describe_has_real_shaped_fields(sf):
    fields = {field["name"]: field for field in sf.Opportunity.describe()["fields"]}
    required = {name for name, field in fields.items()
                if field["createable"] and not field["nillable"] and not field["defaultedOnCreate"]}
    assert required == {"Name", "StageName", "CloseDate"}
    stage = fields["StageName"]
    assert stage["type"] == "picklist" and stage["restrictedPicklist"] is True
    assert {"value": "Closed Won", "label": "Closed Won", "active": True, "defaultValue": False,
            "validFor": None} in stage["picklistValues"]
    assert fields["AccountId"]["referenceTo"] == ["Account"]
    assert fields["AccountId"]["relationshipName"] == "Account"
    assert fields["Name"]["length"] == 120
    assert fields["Amount"]["precision"] == 18 and fields["Amount"]["scale"] == 2
    assert fields["IsWon"]["createable"] is False and fields["IsWon"]["calculated"] is True


def test_custom_fields_come_from_the_sfdx_source(sf):
    fields = {field["name"]: field for field in sf.Lead.describe()["fields"]}
    ace_id = fields["ACE_Lead_Id__c"]
    assert (ace_id["externalId"], ace_id["unique"], ace_id["custom"], ace_id["length"]) == (True, True, True, 20)
    assert [value["value"] for value in fields["ACE_Sync_Status__c"]["picklistValues"]] == [
        "Pending", "Sent", "Synced", "Error"]
    assert fields["ACE_Last_Modified__c"]["type"] == "datetime"
    assert fields["ACE_Share__c"]["type"] == "boolean"


def test_every_field_meta_file_is_loaded(repo_root):
    files = list((repo_root / "salesforce").glob("**/objects/*/fields/*.field-meta.xml"))
    schema = build_schema(repo_root / "salesforce")
    for path in files:
        assert schema.object(path.parent.parent.name).field(path.name.split(".")[0]) is not None, path
    assert len(files) >= 12


def test_metadata_and_unknown_objects(sf):
    assert sf.Lead.metadata()["objectDescribe"]["name"] == "Lead"
    with pytest.raises(SalesforceResourceNotFound) as excinfo:
        sf.Nope__c.describe()
    assert excinfo.value.content[0]["errorCode"] == "NOT_FOUND"


def test_versions_list_is_public(emulator, http):
    versions = http.get(f"{emulator.instance_url}/services/data/").json()
    assert {"label": "v59.0", "url": "/services/data/v59.0", "version": "59.0"} in versions


def test_unsupported_api_version_is_not_found(emulator, http):
    response = http.get(f"{emulator.instance_url}/services/data/v20.0/sobjects",
                        headers={"Authorization": f"Bearer {emulator.session_id}"})
    assert response.status_code == 404
