"""Every kind of mapping error is reported at the exact file, line and column that causes it."""

from __future__ import annotations

import pytest

from connector.errors import MappingErrors
from connector.mapping import load_mapping, load_mappings

from .helpers import HEADER, compile_text, mapping_text, only_error, position

RULE = "  - ace: {ace}\n    salesforce: {sf}\n    direction: {direction}\n"


def rule(ace: str = "partnerProjectTitle", sf: str = "Name", direction: str = "both", extra: str = "") -> str:
    return RULE.format(ace=ace, sf=sf, direction=direction) + extra


STAGE_PAIRS = "".join(f"      - {{salesforce: S{i}, ace: {value}}}\n" for i, value in enumerate(
    ["Prospect", "Qualified", "Technical Validation", "Business Validation", "Committed", "Launched",
     "Closed Lost"]))

# (id, full text, snippet the error points at, which occurrence of it, words the message must hold)
CASES = [
    ("unknown top-level key", mapping_text().replace("\nfields:", "\nfeilds:"), "feilds", 1, "did you mean 'fields'"),
    ("missing section", mapping_text().replace("identity:\n  ace_id: ACE_Opportunity_Id__c\n", ""),
     "version", 1, "needs 'identity:'"),
    ("unsupported version", mapping_text().replace("version: 1", "version: 2"), "2", 1, "version 2 is not supported"),
    ("unknown entity", mapping_text().replace("entity: opportunity", "entity: opportunities"), "opportunities", 1,
     "did you mean 'opportunity'"),
    ("bad salesforce object name", mapping_text().replace("salesforce_object: Opportunity",
                                                          "salesforce_object: Opportunity Line"),
     "Opportunity Line", 1, "is not an API name"),
    ("unknown rule key", mapping_text(rule(extra="    transfrom: iso_date\n")), "transfrom", 1,
     "did you mean 'transform'"),
    ("bad direction word", mapping_text(rule(direction="inbound")), "inbound", 1,
     "not one of to_salesforce, to_ace, both"),
    ("unknown ACE field", mapping_text(rule(ace="partnerProjectTitel")), "partnerProjectTitel", 1,
     "did you mean 'partnerProjectTitle'"),
    ("ACE field in the wrong case", mapping_text(rule(ace="isOppFromMarketingActivity", sf="X__c")),
     "isOppFromMarketingActivity", 1, "did you mean 'IsOppFromMarketingActivity'"),
    ("deprecated ACE field", mapping_text(rule(ace="awsFieldEngagement", sf="X__c")), "awsFieldEngagement", 1,
     "payload version 1"),
    ("identity field as a rule", mapping_text(rule(ace="apnCrmUniqueIdentifier", sf="X__c")),
     "apnCrmUniqueIdentifier", 1, "identity.ace_id"),
    ("read-only ACE field sent to ACE", mapping_text(rule(ace="aWSStage", sf="X__c")), "both", 1,
     "use direction: to_salesforce"),
    ("partner-only ACE field read from ACE", mapping_text(rule(ace="firstName", sf="FirstName"), entity="lead"),
     "both", 1, "use direction: to_ace"),
    ("writing through a parent path", mapping_text(rule(ace="customerCompanyName", sf="Account.Name")),
     "Account.Name", 1, "parent path"),
    ("bad Salesforce field name", mapping_text(rule(sf="Opportunity Name")), "Opportunity Name", 1,
     "is not a field API name"),
    ("unknown transform", mapping_text(rule(ace="targetCloseDate", sf="CloseDate", extra="    transform: iso_dat\n")),
     "iso_dat", 1, "did you mean 'iso_date'"),
    ("transform missing its parameter", mapping_text(rule(extra="    transform: {name: truncate}\n")),
     "truncate", 1, "needs 'length:'"),
    ("transform parameter of the wrong type", mapping_text(rule(extra="    transform: {name: truncate, length: "
                                                                      "many}\n")),
     "length", 1, "whole number"),
    ("unknown transform parameter", mapping_text(rule(extra="    transform: {name: truncate, length: 9, "
                                                            "size: 3}\n")),
     "size", 1, "has no parameter 'size'"),
    ("transform that does not fit the field", mapping_text(rule(extra="    transform: iso_date\n")),
     "iso_date", 1, "does not fit ACE field 'partnerProjectTitle'"),
    ("yes/no transform on another picklist", mapping_text(rule(ace="engagementScore", sf="X__c",
                                                               direction="to_salesforce",
                                                               extra="    transform: yes_no_checkbox\n")),
     "yes_no_checkbox", 1, "needs a Yes/No ACE field"),
    ("value ACE does not accept", mapping_text(rule(ace="stage", sf="StageName", extra="    values:\n" + STAGE_PAIRS
                                                    + "      - {salesforce: Won, ace: Closed Won}\n")),
     "{salesforce: Won", 1, "'Closed Won' is not a value ACE accepts for stage"),
    ("value map leaving ACE values out", mapping_text(rule(ace="stage", sf="StageName", extra="    values:\n"
                                                           "      - {salesforce: Prospecting, ace: Prospect}\n")),
     "- {salesforce", 1, "leaves out 6 of ACE's values"),
    ("value map that changes ACE's value on the way back",
     mapping_text(rule(ace="stage", sf="StageName", extra="    values:\n" + STAGE_PAIRS
                       + "      - {salesforce: S0, ace: Qualified}\n").replace("S1, ace: Qualified", "S0, ace: Qualified", 1)),
     "{salesforce: S0, ace: Qualified}", 1, "comes back to ACE as 'Prospect'"),
    ("value map on a number", mapping_text(rule(ace="expectedMonthlyAwsRevenue", sf="Amount",
                                                extra="    values:\n      - {salesforce: '1', ace: '2'}\n")),
     "- {salesforce", 1, "cannot run on number field"),
    ("unmapped without a value map", mapping_text(rule(extra="    unmapped: skip\n")), "skip", 1,
     "only applies to a rule with 'values:'"),
    ("one default for both directions", mapping_text(rule(ace="opportunityType", sf="Type",
                                                          extra="    default: Expansion\n"
                                                                "    unmapped: skip\n    values:\n"
                                                                "      - {salesforce: A, ace: Expansion}\n")),
     "Expansion", 1, "default: {ace: ..., salesforce: ...}"),
    ("default ACE does not accept", mapping_text(rule(ace="useCase", sf="X__c", direction="to_ace",
                                                      extra="    default: Big Data\n")),
     "Big Data", 1, "'Big Data' is not a value ACE accepts for useCase"),
    ("nulls: default without a default", mapping_text(rule(extra="    nulls: default\n")), "default", 1,
     "nulls: default needs a Salesforce default and an ACE default"),
    ("masked: default without a default", mapping_text(rule(extra="    masked: default\n")), "default", 1,
     "masked: default needs a Salesforce default"),
    ("full_name with one field", mapping_text(rule(ace="fullName", sf="LastName", direction="to_salesforce",
                                                   extra="    transform: full_name\n"), entity="lead"),
     "LastName", 1, "needs 2 Salesforce fields"),
    ("two rules writing one Salesforce field", mapping_text(rule() + rule(ace="customerCompanyName")),
     "Name\n", 3, "Salesforce field Name is already written by the rule at line 13"),
    ("two rules sending one ACE field", mapping_text(rule() + rule(sf="X__c", direction="to_ace")),
     "partnerProjectTitle", 2, "ACE field partnerProjectTitle is already sent"),
    ("sync field that is the ACE id field", mapping_text().replace("status: ACE_Sync_Status__c",
                                                                   "status: ACE_Opportunity_Id__c"),
     "ACE_Opportunity_Id__c", 2, "already written by identity.ace_id"),
    ("invalid send_when", mapping_text().replace("\nfields:", "\nsend_when: ACE_Share__c = = true\nfields:"),
     "= true", 1, "send_when is not a valid SOQL condition"),
    ("invalid quoted send_when", mapping_text().replace("\nfields:", "\nsend_when: \"Amount > > 3\"\nfields:"),
     "> 3", 1, "send_when is not a valid SOQL condition"),
    ("invalid send_when on a later line", mapping_text().replace(
        "\nfields:", "\nsend_when: |\n  ACE_Share__c = true\n  AND AND Amount > 3\nfields:"),
     "Amount > 3", 1, "not a valid SOQL condition"),
]


@pytest.mark.parametrize("text,snippet,occurrence,words", [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_error_is_reported_where_it_is(text: str, snippet: str, occurrence: int, words: str) -> None:
    error = only_error(text)
    assert words in error.message
    assert (error.line, error.column) == position(text, snippet, occurrence=occurrence), str(error)
    assert error.file == "m.yaml"
    assert str(error).startswith(f"m.yaml:{error.line}:{error.column}: ")


@pytest.mark.parametrize("text,snippet,words", [
    ("version: 1\nentity: [lead\n", "\n", "YAML syntax error"),
    ("version: 1\n\tentity: lead\n", "\tentity", "indent with spaces, not tabs"),
    ("version: 1\nentity: lead\n  oops: 3\n", ": 3", "YAML syntax error"),
], ids=["unclosed bracket", "tab", "bad indentation"])
def test_yaml_syntax_errors_have_a_position(text: str, snippet: str, words: str) -> None:
    error = only_error(text)
    assert words in error.message
    line, _column = position(text, snippet)
    assert line <= error.line <= line + 2  # the parser may notice a little later (at the stream's end)


def test_object_building_tags_are_refused_not_run(tmp_path) -> None:
    marker = tmp_path / "ran"
    text = mapping_text().replace("version: 1", f"version: !!python/object/apply:os.system ['touch {marker}']")
    error = only_error(text)
    assert "!!python/object/apply:os.system is not allowed" in error.message
    assert (error.line, error.column) == position(text, "!!python")
    assert not marker.exists()


def test_custom_tags_are_refused() -> None:
    text = mapping_text(rule(sf="!include name.yaml"))
    error = only_error(text)
    assert "tag !include is not allowed" in error.message
    assert (error.line, error.column) == position(text, "!include")


def test_duplicate_keys_are_errors_not_silently_merged() -> None:
    text = mapping_text(rule(extra="    direction: to_ace\n"))
    error = only_error(text)
    assert "duplicate key 'direction' (first written at line 15)" in error.message
    assert (error.line, error.column) == position(text, "direction", occurrence=2)


def test_empty_file() -> None:
    error = only_error("# nothing yet\n")
    assert (error.line, error.column) == (1, 1) and "the file is empty" in error.message


def test_yes_and_no_unquoted_stay_picklist_values() -> None:
    from .helpers import compile_text

    compiled = compile_text(mapping_text(rule(ace="doesOppBelongToNatSec", sf="X__c", direction="to_ace",
                                              extra="    default: No\n")))
    assert compiled.to_ace({}).record == {"doesOppBelongToNatSec": "No"}


def test_every_problem_is_reported_in_one_load(tmp_path) -> None:
    text = mapping_text(rule(ace="nope") + rule(ace="city", sf="City__c", direction="sideways")).replace(
        "version: 1", "version: 3")
    path = tmp_path / "opportunity.yaml"
    path.write_text(text)
    with pytest.raises(MappingErrors) as caught:
        load_mapping(path)
    lines = str(caught.value).splitlines()
    assert [(e.line, e.column) for e in caught.value.errors] == [
        position(text, "3"), position(text, "sideways")]
    assert all(line.startswith(f"{path}:") for line in lines)


def test_a_folder_with_two_files_for_one_entity(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(mapping_text())
    (tmp_path / "b.yaml").write_text(mapping_text())
    with pytest.raises(MappingErrors) as caught:
        load_mappings(tmp_path)
    [error] = caught.value.errors
    assert error.file == str(tmp_path / "b.yaml") and error.line == HEADER.count("\n", 0, HEADER.index("entity")) + 1
    assert "already maps entity 'opportunity'" in error.message


def test_missing_and_empty_folders(tmp_path) -> None:
    with pytest.raises(MappingErrors, match="does not exist"):
        load_mappings(tmp_path / "absent")
    with pytest.raises(MappingErrors, match="no mapping files"):
        load_mappings(tmp_path)
