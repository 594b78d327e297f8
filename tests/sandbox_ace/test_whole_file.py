"""Whole-file rejections (ACE-CONTRACT §4, §5): nothing in the file is applied, and the answer says why."""

from __future__ import annotations

import json

import pytest

from connector.sandbox.ace import Simulator

from .scenario import Partner, valid_create

RESULT_KEYS = ["success", "spmsId", "isApiError", "inboundApiResults", "fileName", "fileApnProcessedDT",
               "apiErrors"]


def _rejected(partner: Partner, name: str) -> list[str]:
    results = partner.results("opportunity", name)
    assert list(results) == RESULT_KEYS
    assert results["success"] == "NONE"
    assert results["isApiError"] is True
    assert results["inboundApiResults"] == []
    assert results["fileName"] == f"opportunity-inbound/{name}"
    return results["apiErrors"]


def test_malformed_json_is_rejected_as_a_whole(partner: Partner, simulator: Simulator) -> None:
    partner.put("opportunity", "broken.json", b'{"version": "2.0", "opportunities": [')
    simulator.tick()
    [error] = _rejected(partner, "broken.json")
    assert error.startswith("The file does not match the field definition format: invalid JSON at line 1")


def test_top_level_array_is_not_an_object(partner: Partner, simulator: Simulator) -> None:
    partner.put("opportunity", "list.json", b'[{"partnerCrmUniqueIdentifier": "x"}]')
    simulator.tick()
    assert _rejected(partner, "list.json") == ["[{\"partnerCrmUniqueIdentifier\": \"x\"}] is not of type 'object'"]


def test_over_one_megabyte_is_rejected_unread(partner: Partner, simulator: Simulator) -> None:
    record = valid_create(additionalComments="x" * 200)
    body = json.dumps({"version": "2.0", "spmsId": "1", "opportunities": [record], "padding": "y" * 1_000_001})
    partner.put("opportunity", "big.json", body.encode())
    simulator.tick()
    [error] = _rejected(partner, "big.json")
    assert "over 1000000 bytes" in error
    assert simulator.state().opportunities == {}


def test_more_than_fifty_records_is_rejected(partner: Partner, simulator: Simulator) -> None:
    partner.put("opportunity", "many.json", [valid_create() for _ in range(51)])
    simulator.tick()
    assert _rejected(partner, "many.json") == ["The file holds 51 records; at most 50 records are allowed per file"]
    assert simulator.state().opportunities == {}


def test_fifty_records_are_fine(partner: Partner, simulator: Simulator) -> None:
    partner.put("opportunity", "fifty.json", [valid_create() for _ in range(50)])
    simulator.tick()
    results = partner.results("opportunity", "fifty.json")
    assert results["success"] == "ALL", results
    assert len({r["apnCrmUniqueIdentifier"] for r in results["inboundApiResults"]}) == 50


def test_non_json_upload_gets_an_error_file(partner: Partner, simulator: Simulator) -> None:
    key = partner.put("opportunity", "pipeline.csv", b"a,b,c\n")
    simulator.tick()
    error_file = partner.read("opportunity-inbound-processed-results/pipeline.csv.error.json")
    assert error_file == {
        "success": "NONE", "spmsId": None, "isApiError": True, "inboundApiResults": None, "fileName": key,
        "fileApnProcessedDT": error_file["fileApnProcessedDT"],
        "apiErrors": ["Unsupported file type: only .json files are processed"],
    }
    assert partner.keys("opportunity-inbound/") == []
    assert partner.keys("opportunity-inbound-archive/") == ["opportunity-inbound-archive/pipeline.csv"]


def test_version_downgrade_is_refused_after_version_two(partner: Partner, simulator: Simulator) -> None:
    partner.put("opportunity", "v2.json", [valid_create()], version="2.0")
    simulator.tick()
    partner.put("opportunity", "v1.json", [valid_create()], version="1.0")
    simulator.tick()
    [error] = _rejected(partner, "v1.json")
    assert "lower than version 2" in error
    assert len(simulator.state().opportunities) == 1


def test_version_one_then_two_is_an_upgrade(partner: Partner, simulator: Simulator) -> None:
    partner.put("opportunity", "v1.json", [valid_create()], version="1")
    partner.put("opportunity", "v2.json", [valid_create()], version="2")
    simulator.tick()
    assert partner.results("opportunity", "v1.json")["success"] == "ALL"
    assert partner.results("opportunity", "v2.json")["success"] == "ALL"
    assert simulator.state().version_high_water == 2


@pytest.mark.parametrize(("version", "expected"), [
    ("3.0", "Unsupported version '3.0'"),
    ("two", "Unsupported version 'two'"),
    (None, "'version' is a required property"),
])
def test_bad_or_missing_versions(partner: Partner, simulator: Simulator, version: str | None,
                                 expected: str) -> None:
    simulator.configure(flags={"allow_v1": False})
    document = {"spmsId": "1", "opportunities": [valid_create()]}
    if version is not None:
        document["version"] = version
    partner.put("opportunity", "v.json", document)
    simulator.tick()
    [error] = _rejected(partner, "v.json")
    assert error.startswith(expected)


def test_version_one_refused_when_retired(partner: Partner, simulator: Simulator) -> None:
    simulator.configure(flags={"allow_v1": False})
    partner.put("opportunity", "old.json", [valid_create()], version="1.0")
    simulator.tick()
    assert "no longer accepted" in _rejected(partner, "old.json")[0]


@pytest.mark.parametrize(("document", "expected"), [
    ({"version": "2.0", "leads": []}, "'opportunities' is a required property"),
    ({"version": "2.0", "Opportunities": []}, "'opportunities' is a required property (field names are case"),
    ({"version": "2.0", "opportunities": {"a": 1}}, '{"a": 1} is not of type \'array\''),
    ({"version": 2.5, "opportunities": "x"}, "\"x\" is not of type 'array'"),
])
def test_envelope_shape_errors(partner: Partner, simulator: Simulator, document: dict, expected: str) -> None:
    partner.put("opportunity", "shape.json", document)
    simulator.tick()
    assert _rejected(partner, "shape.json")[0].startswith(expected)


def test_byte_order_mark_and_bad_encoding_are_named(partner: Partner, simulator: Simulator) -> None:
    partner.put("opportunity", "bom.json", b"\xef\xbb\xbf{}")
    partner.put("opportunity", "latin1.json", '{"x": "é"}'.encode("latin-1"))
    simulator.tick()
    assert "byte order mark" in _rejected(partner, "bom.json")[0]
    assert "not UTF-8" in _rejected(partner, "latin1.json")[0]


def test_capital_leads_key_accepted_unless_strict(partner: Partner, simulator: Simulator) -> None:
    lead_id = simulator.refer_lead()
    accept = {"currentLeadStage": "Accepted", "apnCrmUniqueIdentifier": lead_id}
    partner.put("lead", "capital.json", {"version": "2.0", "spmsId": "1", "Leads": [accept]})
    simulator.tick()
    assert partner.results("lead", "capital.json")["success"] == "ALL"

    simulator.configure(flags={"accept_capital_Leads": False})
    partner.put("lead", "strict.json", {"version": "2.0", "spmsId": "1", "Leads": [accept]})
    simulator.tick()
    strict = partner.results("lead", "strict.json")
    assert strict["isApiError"] is True
    assert strict["apiErrors"] == ["'leads' is a required property (field names are case-sensitive)"]


def test_rejected_file_is_archived_and_removed(partner: Partner, simulator: Simulator) -> None:
    partner.put("opportunity", "broken.json", b"{")
    simulator.tick()
    assert partner.keys("opportunity-inbound/") == []
    assert partner.keys("opportunity-inbound-archive/") == ["opportunity-inbound-archive/broken.json"]
    [archived] = partner.keys("opportunity-inbound-processed-results-archive/")
    assert archived.endswith("/broken_result.json")
