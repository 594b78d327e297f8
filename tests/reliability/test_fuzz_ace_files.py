"""Scenario 6 (parsing half): no outbound or results file, however broken, crashes the readers.

Every reader of ACE's files either returns a value or raises
``MalformedFileError`` (the outbound flow quarantines the file with its reason);
anything else (RecursionError, TypeError, MemoryError...) would kill a worker
on each retry of the same file. Inputs: generated JSON documents with wrong
types and missing keys, mutations of a valid file (cut short, bytes flipped,
invalid UTF-8 spliced in), deep nesting, huge strings.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.ace.models import parse_envelope, read_envelope
from connector.ace.results import ResultsFile
from connector.errors import MalformedFileError
from connector.sync.outbound_reader import iter_records, scan_envelope
from connector.sync.outbound_records import RecordRefused, read_incoming

from .conftest import TRIALS

FUZZ_SETTINGS = settings(max_examples=max(60, TRIALS * 20), deadline=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

VALID_OPPORTUNITY_FILE = {
    "version": "2.0", "spmsId": "1234567",
    "opportunities": [
        {"apnCrmUniqueIdentifier": "O1234567", "partnerCrmUniqueIdentifier": "006000000000001AAA",
         "customerCompanyName": "Example Corp", "lastModifiedDate": "2024-05-01T12:00:00Z",
         "stage": "Prospect", "expectedMonthlyAwsRevenue": 1500.5, "awsProducts": ["AmazonEC2"]},
        {"apnCrmUniqueIdentifier": "O1234568", "partnerCrmUniqueIdentifier": "Accept To View",
         "lastModifiedDate": "2024-05-01T12:05:00Z", "status": "Submitted"},
    ],
}
VALID_RESULTS_FILE = {
    "success": "ALL", "spmsId": "1234567", "isApiError": False, "fileName": "opportunity-inbound/a.json",
    "fileApnProcessedDT": "2024-05-01T12:00:00Z", "apiErrors": None,
    "inboundApiResults": [{"warnings": None, "partnerCrmUniqueIdentifier": "006000000000001AAA",
                           "isSuccess": True, "errors": None, "apnCrmUniqueIdentifier": "O1234567"}],
}
ENVELOPE_KEYS = ("version", "spmsId", "opportunities", "leads", "Leads", "success", "isApiError",
                 "inboundApiResults", "fileName", "fileApnProcessedDT", "apiErrors")
RECORD_KEYS = ("apnCrmUniqueIdentifier", "partnerCrmUniqueIdentifier", "partnerCrmLeadId", "lastModifiedDate",
               "isSuccess", "errors", "warnings", "stage")
#: Depths on both sides of Python's default recursion limit (1000), and far past it.
NESTING_DEPTHS = (10, 500, 900, 990, 1000, 1100, 5_000, 200_000)
HUGE_STRING_CHARS = 5 * 1024 * 1024


def _read_outbound_stream(data: bytes, entity: str) -> Any:
    envelope = scan_envelope(io.BytesIO(data), entity=entity, key="fuzz.json")
    records = list(iter_records(io.BytesIO(data), record_key=envelope.record_key, key="fuzz.json"))
    for index, record in enumerate(records):
        try:
            read_incoming(index, record, entity=entity)
        except RecordRefused:
            pass  # a record-level refusal is a proper outcome
    return envelope


READERS: dict[str, Callable[[bytes], Any]] = {
    "outbound stream (opportunity)": lambda data: _read_outbound_stream(data, "opportunity"),
    "outbound stream (lead)": lambda data: _read_outbound_stream(data, "lead"),
    "envelope (opportunity)": lambda data: read_envelope(data, entity="opportunity", key="fuzz.json"),
    "typed file (opportunity)": lambda data: parse_envelope(data, entity="opportunity", key="fuzz.json"),
    "typed file (lead)": lambda data: parse_envelope(data, entity="lead", key="fuzz.json"),
    "results file": lambda data: ResultsFile.parse(data, key="fuzz.json"),
}


def assert_reads_or_refuses(data: bytes) -> None:
    """Every reader returns or raises MalformedFileError with a non-empty reason."""
    for name, reader in READERS.items():
        try:
            reader(data)
        except MalformedFileError as exc:
            assert exc.reason.strip(), f"{name}: empty reason"
        except Exception as exc:  # noqa: BLE001 - the point is that nothing else escapes
            pytest.fail(f"{name} raised {type(exc).__name__} instead of MalformedFileError on "
                        f"{data[:200]!r}{'...' if len(data) > 200 else ''}: {exc}")


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=30), st.sampled_from(["2.0", "1", "2024-05-01T12:00:00Z", "ALL",
                                                                "Accept To View", "O1234567", ""]))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(RECORD_KEYS + ENVELOPE_KEYS), st.text(max_size=8)), inner,
                    max_size=5)), max_leaves=25)
records = st.dictionaries(st.sampled_from(RECORD_KEYS), json_values, max_size=len(RECORD_KEYS))
documents = st.dictionaries(st.sampled_from(ENVELOPE_KEYS),
                            st.one_of(json_values, st.lists(st.one_of(records, json_values), max_size=4)),
                            max_size=len(ENVELOPE_KEYS))


@FUZZ_SETTINGS
@given(documents)
def test_generated_documents_with_wrong_types_and_missing_keys(document: dict[str, Any]) -> None:
    assert_reads_or_refuses(json.dumps(document).encode())


@FUZZ_SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    assert_reads_or_refuses(data)


@FUZZ_SETTINGS
@given(st.sampled_from([VALID_OPPORTUNITY_FILE, VALID_RESULTS_FILE]), st.data())
def test_mutations_of_valid_files(document: dict[str, Any], data: st.DataObject) -> None:
    body = bytearray(json.dumps(document, ensure_ascii=False).encode())
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        position = data.draw(st.integers(0, len(body)), label="position")
        kind = data.draw(st.sampled_from(["cut", "flip", "insert_invalid_utf8", "delete", "duplicate"]))
        if kind == "cut":
            del body[position:]
        elif kind == "flip" and position < len(body):
            body[position] ^= data.draw(st.integers(1, 255), label="bits")
        elif kind == "insert_invalid_utf8":
            body[position:position] = data.draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80"]))
        elif kind == "delete":
            del body[position:position + data.draw(st.integers(1, 8), label="length")]
        else:
            body[position:position] = body[position:position + data.draw(st.integers(1, 30), label="length")]
    assert_reads_or_refuses(bytes(body))


@pytest.mark.parametrize("depth", NESTING_DEPTHS)
@pytest.mark.parametrize("where", ["record", "record field", "version", "results"])
def test_deep_nesting_is_refused_not_a_crash(depth: int, where: str) -> None:
    nested = "[" * depth + "]" * depth
    body = {
        "record": '{"version": "2.0", "opportunities": [%s]}',
        "record field": '{"version": "2.0", "opportunities": [{"apnCrmUniqueIdentifier": "O1", "x": %s}]}',
        "version": '{"version": %s, "opportunities": []}',
        "results": '{"success": "ALL", "inboundApiResults": [{"errors": %s}]}',
    }[where] % nested
    assert_reads_or_refuses(body.encode())


@pytest.mark.parametrize("depth", (1_000, 200_000))
def test_unclosed_deep_nesting_is_refused(depth: int) -> None:
    assert_reads_or_refuses(b'{"opportunities": [' + b"{\"a\":" * depth)


def test_huge_strings_are_refused_or_read_without_crashing() -> None:
    huge = "x" * HUGE_STRING_CHARS
    for body in (
        {"version": "2.0", "opportunities": [{"apnCrmUniqueIdentifier": huge}]},
        {"version": huge, "opportunities": []},
        {"version": "2.0", "opportunities": [{"apnCrmUniqueIdentifier": "O1", "projectDescription": huge}]},
        {"success": "ALL", "inboundApiResults": [{"errors": [huge]}]},
    ):
        assert_reads_or_refuses(json.dumps(body).encode())


def test_an_unterminated_huge_string_is_refused_by_the_streaming_reader() -> None:
    body = b'{"version": "2.0", "opportunities": [{"apnCrmUniqueIdentifier": "' + b"x" * HUGE_STRING_CHARS
    with pytest.raises(MalformedFileError, match="invalid JSON"):
        scan_envelope(io.BytesIO(body), entity="opportunity", key="fuzz.json")


def test_an_error_message_quotes_a_bounded_part_of_the_input() -> None:
    """A reason ends up in an S3 tag, a log line and the record: it never carries a whole huge value."""
    huge = "y" * HUGE_STRING_CHARS
    for data in (json.dumps([huge]).encode(), json.dumps({"version": "2.0", "opportunities": [huge]}).encode()):
        with pytest.raises(MalformedFileError) as caught:
            _read_outbound_stream(data, "opportunity")
        assert len(str(caught.value)) < 1_000
