"""Envelope, record and results models: round trips on AWS-shaped files, and precise rejections."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from connector.ace.catalog import LEAD, OPPORTUNITY, FieldKind
from connector.ace.models import (
    LeadFile,
    LeadRecord,
    OpportunityRecord,
    build_file,
    dump_file,
    major_version,
    parse_envelope,
    parse_lead_file,
    parse_opportunity_file,
    read_envelope,
)
from connector.ace.results import (
    Outcome,
    RecordResult,
    ResultsFile,
    error_file_name,
    inbound_base_name,
    outcome_of,
    results_file_name,
)
from connector.errors import MalformedFileError

# An outbound opportunity the way AWS writes one: every field, nulls included,
# ms-precision UTC datetimes, an extra field outside the contract.
OUTBOUND_OPPORTUNITY = {
    "version": "2.0",
    "spmsId": "4321",
    "opportunities": [{
        "apnCrmUniqueIdentifier": "O7654321", "partnerCrmUniqueIdentifier": "006Hs00001AbCdEIAZ",
        "opportunityOwnership": "Partner Referral", "status": "Approved", "stage": "Qualified",
        "customerCompanyName": "Northwind Traders", "customerWebsite": "https://northwind.example",
        "industry": "Retail", "country": "United States", "state": "Oregon", "postalCode": "97201",
        "city": "Portland", "streetAddress": None, "useCase": "Database",
        "partnerPrimaryNeedFromAws": "Co-Sell - Deal Support;Co-Sell - Pricing Assistance",
        "deliveryModel": "Professional Services", "expectedMonthlyAwsRevenue": 2500.0,
        "targetCloseDate": "2031-04-30", "aWSCloseDate": "2031-05-15", "projectDescription":
        "Move the order database to Amazon Aurora and retire the ageing on-premises cluster.",
        "partnerProjectTitle": "Aurora migration", "salesActivities": "Conducted POC / Demo",
        "IsOppFromMarketingActivity": "No", "solutionOffered": ["S-0001111"], "awsProducts": ["AmazonBraket"],
        "offers": None, "acceptBy": None, "createdDate": "2030-11-02T08:00:01.000Z",
        "lastModifiedDate": "2030-11-03T17:45:12.250Z", "aWSSalesRepEmail": "rep@amazon.example",
        "closedLostReason": None, "customerSoftwareValue": 0.0, "partnerDeveloperManagerPhone": None,
    }],
}

LEAD_OUTBOUND = {
    "version": "2.0", "spmsId": "4321",
    "leads": [{
        "apnCrmUniqueIdentifier": "L123456", "partnerCrmLeadId": None, "currentLeadStage": None,
        "status": "Open", "fullName": "Accept To View", "company": "Accept To View", "leadAge": 4.0,
        "useCaseWorkload": "Big Data;IOT", "createdDate": "2030-01-17T20:03:10.000Z",
        "campaignMemberStatus": "Attended;Registered",
    }],
}


def _bytes(document) -> bytes:
    return json.dumps(document).encode("utf-8")


def test_outbound_opportunity_round_trips_exactly():
    parsed = parse_opportunity_file(_bytes(OUTBOUND_OPPORTUNITY))
    record = parsed.opportunities[0]
    assert record.targetCloseDate == date(2031, 4, 30)
    assert record.lastModifiedDate == datetime(2030, 11, 3, 17, 45, 12, 250000, tzinfo=UTC)
    assert record.model_extra == {"partnerDeveloperManagerPhone": None}
    assert parsed.major_version == 2
    assert json.loads(dump_file(parsed)) == OUTBOUND_OPPORTUNITY


def test_lead_file_reads_capital_leads_and_writes_lower_case():
    inbound = {"version": "1.0", "spmsId": "4321", "Leads": [
        {"apnCrmUniqueIdentifier": "L123456", "status": "Research", "streetAddress": None,
         "useCaseWorkLoad": "Big Data"}]}
    parsed = parse_lead_file(_bytes(inbound))
    out = json.loads(dump_file(parsed))
    assert "Leads" not in out and out["leads"] == inbound["Leads"]  # the odd spelling kept as an extra
    assert out["version"] == "1.0"
    with pytest.raises(MalformedFileError, match="'Leads' is not accepted"):
        parse_lead_file(_bytes(inbound), accept_capital_leads=False)


def test_outbound_lead_round_trips():
    parsed = parse_envelope(_bytes(LEAD_OUTBOUND), entity="lead")
    assert isinstance(parsed, LeadFile)
    assert parsed.leads[0].leadAge == 4.0
    assert json.loads(dump_file(parsed)) == LEAD_OUTBOUND


def test_absent_and_null_stay_distinct_when_building_updates():
    update = OpportunityRecord(apnCrmUniqueIdentifier="O7654321", nextStep=None)
    update.stage = "Committed"
    document = json.loads(dump_file(build_file([update], entity="opportunity", spms_id="4321")))
    assert document == {"version": "2.0", "spmsId": "4321", "opportunities": [
        {"apnCrmUniqueIdentifier": "O7654321", "nextStep": None, "stage": "Committed"}]}


def test_dump_is_utf8_without_bom():
    data = dump_file(build_file([{"customerCompanyName": "Café Zürich"}], entity="opportunity", spms_id=None))
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "Café Zürich".encode() in data


def test_read_envelope_keeps_records_raw_and_tolerates_a_bom():
    raw = read_envelope(b"\xef\xbb\xbf" + _bytes({"version": 2, "spmsId": 4321, "opportunities": [
        {"targetCloseDate": "not a date"}], "note": "kept"}), entity="opportunity")
    assert raw.records == ({"targetCloseDate": "not a date"},)
    assert (raw.version, raw.major_version, raw.spms_id) == ("2", 2, "4321")
    assert raw.extras == {"note": "kept"}


def test_missing_version_is_left_to_the_caller():
    raw = read_envelope(_bytes({"opportunities": []}), entity="opportunity")
    assert raw.version is None and raw.major_version is None


@pytest.mark.parametrize(("text", "major"), [("1", 1), ("1.0", 1), ("1.9", 1), ("2", 2), ("2.0", 2)])
def test_major_version(text, major):
    assert major_version(text) == major


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty file"),
    (b"\xff\xfe", "not UTF-8 text: byte 0xff at offset 0"),
    (b'{"opportunities": [', "invalid JSON at line 1 column 20"),
    (b'[{"a": 1}]', "[{\"a\": 1}] is not of type 'object'"),
    (b'"text"', "\"text\" is not of type 'object'"),
    (b'{"leads": []}', "missing 'opportunities' array: the file has 'leads', so it is a lead file"),
    (b'{"version": "2"}', "missing 'opportunities' array (top-level keys: version)"),
    (b'{"opportunities": {}}', "'opportunities' must be an array, got object"),
    (b'{"opportunities": [{}, 5]}', "opportunities[1]: 5 is not of type 'object'"),
    (b'{"version": "3.0", "opportunities": []}', 'unsupported version "3.0"'),
    (b'{"version": "two", "opportunities": []}', 'unknown version "two"'),
    (b'{"version": true, "opportunities": []}', "version must be a string"),
    (b'{"spmsId": [1], "opportunities": []}', "spmsId must be a string, got array"),
    (b'{"opportunities": [{"expectedMonthlyAwsRevenue": NaN}]}', "NaN is not a JSON number"),
    (b'{"opportunities": [{"targetCloseDate": "2030-02-30"}]}',
     "opportunities[0].targetCloseDate: '2030-02-30' is not a calendar date"),
    (b'{"opportunities": [{"expectedMonthlyAwsRevenue": "100"}]}',
     "opportunities[0].expectedMonthlyAwsRevenue: expected a JSON number, got '100'"),
    (b'{"opportunities": [{"awsProducts": "Lambda"}]}', "opportunities[0].awsProducts"),
])
def test_malformed_files_name_the_reason(data, reason):
    with pytest.raises(MalformedFileError) as caught:
        parse_opportunity_file(data, key="opportunity-inbound/x.json")
    assert reason in caught.value.reason
    assert caught.value.key == "opportunity-inbound/x.json"


def test_both_lead_keys_is_malformed():
    with pytest.raises(MalformedFileError, match="both 'leads' and 'Leads'"):
        read_envelope(b'{"leads": [], "Leads": []}', entity="lead")


def test_record_models_cover_the_catalog_with_matching_types():
    python_types = {FieldKind.DATE: date, FieldKind.DATETIME: datetime, FieldKind.NUMBER: float,
                    FieldKind.STRING_ARRAY: list}
    for catalog, model in ((OPPORTUNITY, OpportunityRecord), (LEAD, LeadRecord)):
        assert list(model.model_fields) == catalog.names(include_deprecated=True)
        for spec in catalog:
            annotation = model.model_fields[spec.name].annotation
            expected = python_types.get(spec.kind, str)
            assert expected in getattr(annotation, "__args__", ()) or str(expected.__name__) in str(annotation), (
                spec.name)


RESULTS_SAMPLE = {
    "success": "ALL", "spmsId": "4321", "isApiError": False,
    "inboundApiResults": [{"warnings": None, "partnerCrmUniqueIdentifier": "006Hs00001AbCdEIAZ",
                           "isSuccess": True, "errors": None, "apnCrmUniqueIdentifier": "O7654321"}],
    "fileName": "opportunity-inbound/opp_11042030101500_ab12cd34.json",
    "fileApnProcessedDT": "2030-11-04T10:16:02.118Z", "apiErrors": None,
}


def test_results_file_round_trips_with_exact_keys():
    parsed = ResultsFile.parse(_bytes(RESULTS_SAMPLE))
    assert parsed.outcome is Outcome.ALL and not parsed.is_file_error
    assert parsed.records[0].apnCrmUniqueIdentifier == "O7654321"
    assert json.loads(parsed.dump()) == RESULTS_SAMPLE
    assert list(json.loads(parsed.dump())) == list(RESULTS_SAMPLE)


def test_error_file_is_a_file_error():
    error_file = {"fileName": "opportunity-inbound/deck.pdf", "fileApnProcessedDT": "2030-11-04T10:16:02.000Z",
                  "isApiError": True, "success": "NONE", "spmsId": None, "inboundApiResults": None,
                  "apiErrors": ["Unsupported file type: only .json files are processed"]}
    parsed = ResultsFile.parse(_bytes(error_file))
    assert parsed.is_file_error and parsed.records == []
    assert json.loads(parsed.dump()) == error_file


def test_results_parse_is_tolerant_of_sparse_and_odd_files():
    parsed = ResultsFile.parse(b'{"success": "partial", "spmsId": 4321, "inboundApiResults": '
                               b'[{"isSuccess": false, "errors": ["x"], "extraKey": 1}]}')
    assert parsed.outcome is Outcome.PARTIAL and parsed.spmsId == "4321"
    assert parsed.records[0].model_extra == {"extraKey": 1}
    assert ResultsFile.parse(b'{"success": true, "inboundApiResults": []}').outcome is Outcome.ALL
    with pytest.raises(MalformedFileError, match="inboundApiResults"):
        ResultsFile.parse(b'{"inboundApiResults": "nope"}')


def test_results_builders():
    ok = RecordResult(partnerCrmUniqueIdentifier="a", isSuccess=True, apnCrmUniqueIdentifier="O1")
    bad = RecordResult(partnerCrmUniqueIdentifier="b", isSuccess=False, errors=["Record is not editable."])
    at = datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    mixed = ResultsFile.for_records([ok, bad], file_name="opportunity-inbound/f.json", spms_id="1",
                                    processed_at=at)
    assert mixed.success == "PARTIAL"
    assert json.loads(mixed.dump())["fileApnProcessedDT"] == "2030-01-02T03:04:05.678Z"
    failed = ResultsFile.for_file_error(["too many records"], file_name="lead-inbound/f.json", processed_at=at)
    assert failed.is_file_error and failed.success == "NONE" and failed.inboundApiResults is None


@pytest.mark.parametrize(("flags", "outcome"), [([True, True], "ALL"), ([False], "NONE"), ([], "NONE"),
                                                ([True, False], "PARTIAL")])
def test_outcome_of(flags, outcome):
    assert outcome_of(flags) == outcome


def test_results_names():
    assert results_file_name("opportunity-inbound/opp_1.json") == "opp_1_result.json"
    assert results_file_name("opp_1.json", suffix="_results") == "opp_1_results.json"
    assert error_file_name("opportunity-inbound/deck.pdf") == "deck.pdf.error.json"
    assert inbound_base_name("opportunity-inbound-processed-results/opp_1_result.json") == "opp_1"
    assert inbound_base_name("opp_1_results.json") == "opp_1"
    assert inbound_base_name("deck.pdf.error.json") == "deck.pdf"
    assert inbound_base_name("deck.pdf_error.json") == "deck.pdf"
    assert inbound_base_name("random.json") is None
