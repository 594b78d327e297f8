"""Mappings against the org emulator's describe: real HTTPS, unmodified simple-salesforce."""

from __future__ import annotations

import pytest

from connector.mapping import check_against_org, check_mapping_text, load_mappings

from .helpers import position


@pytest.fixture(scope="module")
def shipped_texts(repo_root) -> dict[str, str]:
    return {entity: (repo_root / "mappings" / f"{entity}.yaml").read_text() for entity in ("opportunity", "lead")}


def org_errors(text: str, describe) -> list:
    compiled, errors = check_mapping_text(text, file="m.yaml")
    assert not errors, "\n".join(map(str, errors))
    return check_against_org(compiled, describe)


def test_default_mappings_validate_against_the_org(repo_root, describe) -> None:
    for mapping in load_mappings(repo_root / "mappings").values():
        assert check_against_org(mapping, describe) == []


@pytest.mark.parametrize("entity,old,new,snippet,words", [
    ("opportunity", "salesforce: ACE_City__c", "salesforce: ACE_Cty__c", "ACE_Cty__c",
     "field 'ACE_Cty__c' does not exist on Opportunity in this org (did you mean 'ACE_City__c'?)"),
    ("opportunity", "salesforce: NextStep", "salesforce: nextstep", "nextstep", "write 'nextstep' as 'NextStep'"),
    ("opportunity", "- {salesforce: Closed Won, ace: Launched}", "- {salesforce: Closed-Won, ace: Launched}",
     "{salesforce: Closed-Won", "'Closed-Won' is not a value of picklist StageName"),
    ("opportunity", "      - {salesforce: Negotiation/Review, ace: Committed}\n", "", "- {salesforce: Prospecting",
     "picklist StageName has values the map leaves out: 'Negotiation/Review'"),
    ("opportunity", "salesforce: ACE_Customer_DUNS__c", "salesforce: ExpectedRevenue", "ExpectedRevenue",
     "ExpectedRevenue is not createable or updateable"),
    ("opportunity", "salesforce: ACE_City__c\n    direction: both", "salesforce: CreatedDate\n    direction: to_ace",
     "CreatedDate", "CreatedDate is a datetime field, which does not fit ACE's text field city"),
    ("opportunity", "transform: {name: truncate, length: 120}", "transform: {name: truncate, length: 200}",
     "length: 200", "truncate keeps 200 characters but Name holds 120"),
    ("opportunity", "transform: {name: truncate, length: 2000}", "", "salesforce: Description",
     "Description holds up to 32000 characters but ACE takes at most 2000"),
    ("lead", "salesforce: ACE_Status_Reason__c", "salesforce: MobilePhone", "MobilePhone",
     "MobilePhone holds 40 characters but ACE's leadStatusReason can have 255"),
    ("opportunity", "ace_id: ACE_Opportunity_Id__c", "ace_id: ACE_Share__c",
     "ACE_Share__c", "must be an External ID field"),
    ("opportunity", "send_when: ACE_Share__c = true", "send_when: ACE_Shared__c = true", "ACE_Shared__c",
     "field 'ACE_Shared__c' does not exist"),
    ("lead", "salesforce: ACE_Industry__c", "salesforce: Industry", "Industry\n",
     "picklist Industry has values ACE does not accept for industry"),
    ("lead", "salesforce: Phone", "salesforce: Owner.Phone", "Owner.Phone", "parent path"),
], ids=["missing field", "wrong case", "picklist value", "picklist coverage", "read-only field", "type",
        "truncate too long", "too long for ACE", "too short for ACE values", "not an external id", "filter field",
        "foreign picklist values", "written parent path"])
def test_org_problems_are_reported_where_they_are(shipped_texts, describe, entity, old, new, snippet, words) -> None:
    text = shipped_texts[entity]
    assert old in text
    text = text.replace(old, new, 1)
    if words == "parent path":  # caught before the org is asked
        compiled, errors = check_mapping_text(text, file="m.yaml")
        assert compiled is None and len(errors) == 1 and words in errors[0].message
        return
    errors = org_errors(text, describe)
    assert len(errors) >= 1, "no error"
    first = errors[0]
    assert words in first.message, "\n".join(map(str, errors))
    assert first.line == position(text, snippet)[0], str(first)


def test_parent_paths_are_resolved_through_relationships(describe) -> None:
    from .helpers import mapping_text

    text = mapping_text("  - ace: customerCompanyName\n    salesforce: Account.Name\n    direction: to_ace\n"
                        "  - ace: primaryContactEmail\n    salesforce: Owner.Emial\n    direction: to_ace\n")
    [error] = org_errors(text, describe)
    assert "field 'Emial' does not exist on User" in error.message
    assert error.line == position(text, "Owner.Emial")[0]


def test_an_object_the_org_lacks(describe) -> None:
    from .helpers import mapping_text

    text = mapping_text().replace("salesforce_object: Opportunity", "salesforce_object: Deal__c")
    [error] = org_errors(text, describe)
    assert "object 'Deal__c' does not exist in this org" in error.message
    assert error.line == 3
