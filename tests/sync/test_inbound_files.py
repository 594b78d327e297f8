"""Packing inbound records into files: ACE's record and byte limits, envelopes, unique names."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from connector.settings import ACE_INBOUND_MAX_BYTES
from connector.sync.inbound_files import OutgoingRecord, file_name, pack_files

NOW = datetime(2024, 5, 1, 13, 4, 5, tzinfo=UTC)


def outgoing(index: int, *, filler_chars: int = 0) -> OutgoingRecord:
    record = {"partnerCrmUniqueIdentifier": f"006{index:015d}", "projectDescription": "x" * filler_chars}
    return OutgoingRecord(record=record, sf_id=f"006{index:015d}", partner_key=f"006{index:015d}", kind="create")


def pack(records: list[OutgoingRecord], **options: object):
    options = {"entity": "opportunity", "prefix": "opportunity-inbound/", "spms_id": "1234567", "now": NOW,
               "records_per_file": 1, **options}
    return pack_files(records, **options)  # type: ignore[arg-type]


def test_file_names_follow_the_documented_pattern_and_never_repeat() -> None:
    names = {file_name("opportunity", now=NOW) for _ in range(200)}
    assert len(names) == 200
    assert all(re.fullmatch(r"opp_05012024130405_[0-9a-f]{8}\.json", name) for name in names)
    assert re.fullmatch(r"lead_05012024130405_[0-9a-f]{8}\.json", file_name("lead", now=NOW))


def test_one_record_per_file_by_default_with_the_v2_envelope() -> None:
    packed = pack([outgoing(i) for i in range(3)])
    assert [len(f.records) for f in packed.files] == [1, 1, 1]
    document = json.loads(packed.files[0].body)
    assert document == {"version": "2.0", "spmsId": "1234567",
                        "opportunities": [outgoing(0).record]}
    assert all(f.key.startswith("opportunity-inbound/opp_") for f in packed.files)
    assert len({f.key for f in packed.files}) == 3


def test_an_unset_spms_id_is_left_out_rather_than_sent_empty() -> None:
    assert json.loads(pack([outgoing(1)], spms_id="").files[0].body) == {"version": "2.0",
                                                                          "opportunities": [outgoing(1).record]}


def test_lead_files_use_the_leads_key() -> None:
    packed = pack([outgoing(1)], entity="lead", prefix="lead-inbound/")
    assert list(json.loads(packed.files[0].body)) == ["version", "spmsId", "leads"]


def test_records_per_file_is_an_upper_bound_and_order_is_kept() -> None:
    packed = pack([outgoing(i) for i in range(120)], records_per_file=50)
    assert [len(f.records) for f in packed.files] == [50, 50, 20]
    sent = [r["partnerCrmUniqueIdentifier"] for f in packed.files for r in json.loads(f.body)["opportunities"]]
    assert sent == [outgoing(i).record["partnerCrmUniqueIdentifier"] for i in range(120)]
    assert packed.files[1].partner_keys[0] == outgoing(50).partner_key


def test_files_are_split_by_size_and_every_body_stays_within_the_limit() -> None:
    # 50 records of ~100 KB: the count allows one file, the size needs six or more.
    records = [outgoing(i, filler_chars=100_000) for i in range(50)]
    packed = pack(records, records_per_file=50)
    assert len(packed.files) >= 6
    assert all(f.size_bytes <= ACE_INBOUND_MAX_BYTES for f in packed.files)
    assert sum(len(f.records) for f in packed.files) == 50
    # each file is as full as the limit lets it be: one more record would not have fitted
    for current, following in zip(packed.files, packed.files[1:]):
        assert current.size_bytes + 2 + len(following.records[0].encoded) > ACE_INBOUND_MAX_BYTES


def test_the_size_limit_is_exact() -> None:
    record = outgoing(1, filler_chars=1000)
    exact = len(pack([record]).files[0].body)
    assert len(pack([record], max_file_bytes=exact).files) == 1
    packed = pack([record], max_file_bytes=exact - 1)
    assert packed.files == [] and packed.too_large == [(record.with_encoding(), exact)]


def test_a_record_too_large_for_any_file_is_handed_back_and_the_rest_are_sent() -> None:
    big = outgoing(2, filler_chars=ACE_INBOUND_MAX_BYTES)
    packed = pack([outgoing(1), big, outgoing(3)], records_per_file=50)
    assert [r.sf_id for f in packed.files for r in f.records] == [outgoing(1).sf_id, outgoing(3).sf_id]
    assert [(r.sf_id, size > ACE_INBOUND_MAX_BYTES) for r, size in packed.too_large] == [(big.sf_id, True)]


def test_non_ascii_text_is_counted_in_bytes() -> None:
    record = OutgoingRecord(record={"projectDescription": "é" * 600_000}, sf_id="a", partner_key="a", kind="update")
    packed = pack([record])
    assert packed.files == [] and packed.too_large[0][1] > ACE_INBOUND_MAX_BYTES


@pytest.mark.parametrize("records_per_file", [0, 51])
def test_records_per_file_outside_ace_limits_is_refused(records_per_file: int) -> None:
    with pytest.raises(ValueError, match="records_per_file must be 1..50"):
        pack([outgoing(1)], records_per_file=records_per_file)
