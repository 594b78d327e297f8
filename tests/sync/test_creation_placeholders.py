"""Placeholders for required fields on create: the required fields are found once per describe."""

from __future__ import annotations

from datetime import date
from typing import Any

from connector.sync.outbound_records import IncomingRecord, creation_placeholders, required_on_create

TODAY = date(2024, 5, 2)


def field(name: str, kind: str, **flags: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "createable": True, "nillable": False, "defaultedOnCreate": False,
            "length": 120, **flags}


OPPORTUNITY = {"fields": [field("Id", "id"), field("Name", "string"), field("CloseDate", "date"),
                          field("Description", "textarea", nillable=True),
                          field("OwnerId", "reference", defaultedOnCreate=True),
                          field("IsDeleted", "boolean", createable=False),
                          field("StageName", "picklist", picklistValues=[
                              {"value": "Prospecting", "active": True, "defaultValue": True}])]}
LEAD = {"fields": [field("Id", "id"), field("LastName", "string"), field("Company", "string"),
                   field("Email", "email", nillable=True)]}


def referral(**data: Any) -> IncomingRecord:
    return IncomingRecord(index=0, data=data, ace_id="O42", partner_key=None, last_modified=None)


def test_only_createable_non_nillable_fields_without_a_default_are_required() -> None:
    assert [spec["name"] for spec in required_on_create(OPPORTUNITY)] == ["Name", "CloseDate", "StageName"]


def test_each_describe_gets_its_own_required_fields_when_they_alternate() -> None:
    for _ in range(2):  # the remembered describe must never answer for another one
        assert [spec["name"] for spec in required_on_create(LEAD)] == ["LastName", "Company"]
        assert [spec["name"] for spec in required_on_create(OPPORTUNITY)] == ["Name", "CloseDate", "StageName"]
    assert required_on_create({"fields": []}) == ()


def test_placeholders_fill_only_what_the_mapping_left_empty() -> None:
    filled = creation_placeholders(OPPORTUNITY, referral(partnerProjectTitle="Contoso: data lake"),
                                   values={"closedate": "2024-09-30", "Description": None}, today=TODAY)
    assert filled == {"Name": "Contoso: data lake", "StageName": "Prospecting"}
    filled = creation_placeholders(LEAD, referral(customerCompanyName="Accept To View"), values={}, today=TODAY)
    assert filled == {"LastName": "ACE O42", "Company": "ACE O42"}
