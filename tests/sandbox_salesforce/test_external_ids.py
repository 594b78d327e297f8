"""Read, upsert and delete by external id."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest, SalesforceMoreThanOneRecord, SalesforceResourceNotFound)
from simple_salesforce.format import format_external_id

from connector.sandbox.salesforce import EmulatorServer

NON_UNIQUE_EXTERNAL_ID = """<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Legacy_Ref__c</fullName>
    <externalId>true</externalId>
    <label>Legacy Ref</label>
    <length>40</length>
    <type>Text</type>
    <unique>false</unique>
</CustomField>
"""


def test_upsert_creates_201_then_updates_200_with_created_flag(sf, make):
    created = sf.Opportunity.upsert("ACE_Opportunity_Id__c/O100", make.opportunity(), raw_response=True)
    assert created.status_code == 201
    assert created.json()["created"] is True and created.json()["success"] is True
    updated = sf.Opportunity.upsert("ACE_Opportunity_Id__c/o100", {"NextStep": "Call"}, raw_response=True)
    assert updated.status_code == 200
    assert updated.json() == {"id": created.json()["id"], "success": True, "errors": [], "created": False}
    record = sf.Opportunity.get_by_custom_id("ACE_Opportunity_Id__c", "O100")
    assert record["ACE_Opportunity_Id__c"] == "O100" and record["NextStep"] == "Call"


def test_old_api_versions_answer_204_on_upsert_update(emulator, make):
    sf_old = Salesforce(instance_url=emulator.instance_url, session_id=emulator.session_id,
                        session=emulator.requests_session(), version="45.0")
    assert sf_old.Lead.upsert("ACE_Lead_Id__c/L1", make.lead()) == 201
    assert sf_old.Lead.upsert("ACE_Lead_Id__c/L1", {"Title": "CTO"}) == 204


def test_external_ids_with_slashes_and_spaces_survive_the_path(sf, make):
    key = "a b/c"
    assert sf.Lead.upsert(format_external_id("ACE_Lead_Id__c", key), make.lead()) == 201
    found = sf.query("SELECT ACE_Lead_Id__c FROM Lead")["records"]
    assert [record["ACE_Lead_Id__c"] for record in found] == [key]
    assert sf.Lead.upsert(format_external_id("ACE_Lead_Id__c", key), {"Title": "x"}) == 200


def test_upsert_validates_like_create(sf):
    with pytest.raises(SalesforceMalformedRequest) as excinfo:
        sf.Lead.upsert("ACE_Lead_Id__c/L2", {"LastName": "Ng"})
    assert excinfo.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"


@pytest.mark.parametrize("path", ["Company/Acme", "NoSuchField__c/1"])
def test_upsert_on_a_field_that_is_not_an_external_id_is_not_found(sf, make, path):
    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.upsert(path, make.lead())


def test_get_by_external_id_misses_are_not_found_and_deleted_records_never_match(sf, make):
    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.get_by_custom_id("ACE_Lead_Id__c", "missing")
    created = sf.Lead.create(make.lead(ACE_Lead_Id__c="L9"))
    sf.Lead.delete(created["id"])
    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.get_by_custom_id("ACE_Lead_Id__c", "L9")
    assert sf.Lead.upsert("ACE_Lead_Id__c/L9", make.lead()) == 201  # a new record


def test_upsert_update_only_does_not_create(sf, make):
    with pytest.raises(SalesforceResourceNotFound):
        sf.restful("sobjects/Lead/ACE_Lead_Id__c/L3", method="PATCH", params={"updateOnly": "true"},
                   json=make.lead())


def test_get_by_id_field_is_allowed(sf, make):
    created = sf.Lead.create(make.lead())
    assert sf.Lead.get_by_custom_id("Id", created["id"])["Id"] == created["id"]


@pytest.fixture(scope="module")
def emulator_with_legacy_field(tmp_path_factory: pytest.TempPathFactory, repo_root) -> Iterator[EmulatorServer]:
    """An org whose sfdx source has one more field: an external id that is not unique."""
    source = tmp_path_factory.mktemp("sfdx") / "salesforce"
    shutil.copytree(repo_root / "salesforce", source)
    (source / "force-app/main/default/objects/Lead/fields/Legacy_Ref__c.field-meta.xml").write_text(
        NON_UNIQUE_EXTERNAL_ID)
    with EmulatorServer(sfdx_dir=source) as server:
        yield server


def test_non_unique_external_id_matching_two_records_answers_300(emulator_with_legacy_field, make):
    server = emulator_with_legacy_field
    sf = Salesforce(instance_url=server.instance_url, session_id=server.session_id,
                    session=server.requests_session(), version="59.0")
    first = sf.Lead.create(make.lead(Legacy_Ref__c="R1"))
    second = sf.Lead.create(make.lead(Legacy_Ref__c="r1"))
    with pytest.raises(SalesforceMoreThanOneRecord) as excinfo:
        sf.Lead.upsert("Legacy_Ref__c/R1", {"Title": "x"})
    assert excinfo.value.status == 300
    assert excinfo.value.content == [f"/services/data/v59.0/sobjects/Lead/{first['id']}",
                                     f"/services/data/v59.0/sobjects/Lead/{second['id']}"]
    with pytest.raises(SalesforceMoreThanOneRecord):
        sf.Lead.get_by_custom_id("Legacy_Ref__c", "R1")
