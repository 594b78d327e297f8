"""The streaming reader of outbound files: same records as a whole-file parse, precise reasons, small memory."""

from __future__ import annotations

import io
import itertools
import json
import tracemalloc
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.errors import MalformedFileError
from connector.sync import outbound_reader
from connector.sync.outbound_reader import iter_records, scan_envelope


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seven-byte reads: every token, string and multi-byte character gets cut somewhere."""
    monkeypatch.setattr(outbound_reader, "READ_CHUNK_BYTES", 7)


def read(data: bytes, *, entity: str = "opportunity") -> tuple[outbound_reader.OutboundEnvelope, list[dict]]:
    envelope = scan_envelope(io.BytesIO(data), entity=entity, key="opportunity-outbound/f.json")
    return envelope, list(iter_records(io.BytesIO(data), record_key=envelope.record_key))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8)
records = st.lists(st.dictionaries(st.text(max_size=8), json_values, max_size=5), max_size=6)


@settings(max_examples=150, deadline=None)
@given(records=records, indent=st.sampled_from([None, 0, 2]), version=st.sampled_from(["2.0", "1", 2, None]),
       records_first=st.booleans())
def test_streamed_records_equal_a_whole_file_parse(records: list[dict], indent: int | None, version: object,
                                                   records_first: bool) -> None:
    outbound_reader.READ_CHUNK_BYTES, saved = 5, outbound_reader.READ_CHUNK_BYTES
    try:
        envelope = {"spmsId": "1234567"} | ({"version": version} if version is not None else {})
        document = {"opportunities": records, **envelope} if records_first else {**envelope, "opportunities": records}
        data = json.dumps(document, indent=indent, ensure_ascii=False).encode()
        found, streamed = read(data)
    finally:
        outbound_reader.READ_CHUNK_BYTES = saved
    assert streamed == json.loads(data)["opportunities"]
    assert found.record_count == len(records)
    assert found.spms_id == "1234567"
    assert found.version == (None if version is None else str(version))


def test_envelope_values_after_the_records_and_a_bom_are_read(tiny_chunks: None) -> None:
    data = b'\xef\xbb\xbf{"leads": [{"apnCrmUniqueIdentifier": "L1", "city": "K\xc3\xb8ge"}], "version": "2.0"}'
    envelope, found = read(data, entity="lead")
    assert (envelope.version, envelope.major_version, envelope.record_key) == ("2.0", 2, "leads")
    assert found == [{"apnCrmUniqueIdentifier": "L1", "city": "Køge"}]


def test_a_number_cut_by_a_chunk_boundary_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbound_reader, "READ_CHUNK_BYTES", 18)
    envelope, _ = read(b'{"spmsId": 12345678901234, "opportunities": []}')
    assert envelope.spms_id == "12345678901234"


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty file: expected a JSON object"),
    (b"   \n", "empty file: expected a JSON object"),
    (b"[1, 2]", "[1, 2] is not of type 'object'"),
    (b'{"opportunities": [{"a": 1}, {"b": ', "invalid JSON at char 35: Expecting value"),
    (b'{"opportunities": [{"a": 1}, 3]}', "opportunities[1]: 3 is not of type 'object' (a number)"),
    (b'{"opportunities": [{"a": 1}] "version": "2.0"}', "invalid JSON at char 29: expected ',' or '}', found '\"'"),
    (b'{"opportunities": [{"a": NaN}]}', "NaN is not a JSON number"),
    (b'{"opportunities": []} trailing', "invalid JSON at char 22: extra data after the top-level object"),
    (b'{"opportunities": [], "opportunities": []}', "the top-level key 'opportunities' appears twice"),
    (b'{"opportunities": {"a": 1}}', "'opportunities' must be an array, got object"),
    (b'{"leads": [{"a": 1}]}', "missing 'opportunities' array: the file has 'leads', so it is a lead file"),
    (b'{"records": []}', "missing 'opportunities' array (top-level keys: records)"),
    (b'{"version": "3.0", "opportunities": []}', "unsupported version \"3.0\": ACE knows payload versions 1 and 2"),
    (b'{"version": true, "opportunities": []}', "version must be a string such as \"2.0\", got boolean true"),
    (b'{"opportunities": [{"a": "\xff"}]}', "not UTF-8 text: byte 0xff"),
    (b'{opportunities: []}', "expected a key in double quotes, found 'o'"),
])
def test_malformed_files_are_refused_with_a_precise_reason(tiny_chunks: None, data: bytes, reason: str) -> None:
    with pytest.raises(MalformedFileError) as raised:
        read(data)
    assert reason in raised.value.reason
    assert raised.value.key == "opportunity-outbound/f.json"


def test_both_lead_spellings_at_once_are_refused() -> None:
    with pytest.raises(MalformedFileError, match="both 'leads' and 'Leads' are present"):
        read(b'{"leads": [], "Leads": []}', entity="lead")


class _GeneratedFile(io.RawIOBase):
    """An outbound file produced while it is read: it never exists whole in memory."""

    def __init__(self, record_count: int, *, description_chars: int) -> None:
        record = json.dumps({"apnCrmUniqueIdentifier": "O1", "projectDescription": "x" * description_chars}).encode()
        self._parts: Iterator[bytes] = itertools.chain(
            [b'{"version": "2.0", "opportunities": ['],
            (record + (b"," if i < record_count - 1 else b"") for i in range(record_count)), [b"]}"])
        self._pending = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._pending) < size:
            part = next(self._parts, None)
            if part is None:
                break
            self._pending += part
        data, self._pending = (self._pending, b"") if size < 0 else (self._pending[:size], self._pending[size:])
        return data


def test_a_50_mb_file_is_read_in_well_under_a_megabyte() -> None:
    record_count, description_chars = 16_000, 3_100  # about 50 MB
    tracemalloc.start()
    try:
        envelope = scan_envelope(_GeneratedFile(record_count, description_chars=description_chars),
                                 entity="opportunity")
        streamed = sum(1 for _ in iter_records(_GeneratedFile(record_count, description_chars=description_chars),
                                                record_key="opportunities"))
        peak_bytes = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert envelope.record_count == streamed == record_count
    assert peak_bytes < 1_000_000, f"peak {peak_bytes} bytes while streaming a ~50 MB file"
