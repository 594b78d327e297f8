"""Scenario 6 (flow half): bad files among good ones are quarantined with a reason; the good ones flow.

A file that cannot be used as a whole is tagged ``partner_quarantined`` with a
reason and never read again; a file whose envelope is sound but one record is
not has that record refused (the reason in ``status``) and the rest applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from connector.ace.bucket import PROCESSED_TAG_KEY, QUARANTINE_REASON_TAG_KEY, QUARANTINE_TAG_KEY

from .s3_fault_proxy import S3FaultProxy
from .world import World

DEEP_NESTING_LEVELS = 100_000
HUGE_RECORD_CHARS = 5 * 1024 * 1024

#: name -> (body, a word the quarantine reason must contain)
WHOLE_FILE_PROBLEMS = {
    "invalid-json.json": (b'{"version": "2.0", "opportunities": [{"apnCrmUniqueIdentifier": "O9"', "JSON"),
    "not-utf8.json": (b'{"version": "2.0", "opportunities": [{"customerCompanyName": "\xff\xfe"}]}', "UTF-8"),
    "array-top.json": (b'[{"apnCrmUniqueIdentifier": "O9"}]', "object"),
    "records-not-array.json": (b'{"version": "2.0", "opportunities": {"apnCrmUniqueIdentifier": "O9"}}', "array"),
    "record-not-object.json": (b'{"version": "2.0", "opportunities": ["O9"]}', "object"),
    "wrong-version.json": (b'{"version": ["2.0"], "opportunities": []}', "version"),
    "deep.json": (b'{"version": "2.0", "opportunities": [' + b"[" * DEEP_NESTING_LEVELS
                  + b"]" * DEEP_NESTING_LEVELS + b"]}", "nested"),
    "huge-record.json": (b'{"version": "2.0", "opportunities": [{"apnCrmUniqueIdentifier": "O9", "x": "'
                         + b"y" * HUGE_RECORD_CHARS + b'"', "JSON"),
    "empty-but-spaces.json": (b"   \n  ", "empty"),
}


def test_bad_files_are_quarantined_with_a_reason_and_good_files_still_flow(
        make_world: Callable[..., World], s3_proxy: S3FaultProxy) -> None:
    world = make_world()
    world.seed(referrals=2)
    world.sim.tick()  # the good files
    for name, (body, _) in WHOLE_FILE_PROBLEMS.items():
        world.bucket.put_bytes(f"opportunity-outbound/{name}", body, acl=None)
    record_problem = {"version": "2.0", "opportunities": [
        {"partnerCrmUniqueIdentifier": "no ACE id", "lastModifiedDate": "2024-05-01T12:00:00Z"},
        {"apnCrmUniqueIdentifier": world.referrals[0], "lastModifiedDate": "not a date"},
    ]}
    world.bucket.put_bytes("opportunity-outbound/record-problems.json", json.dumps(record_problem).encode(), acl=None)

    world.run_in_process("outbound")

    for name, (_, word) in WHOLE_FILE_PROBLEMS.items():
        tags = world.bucket.get_tags(f"opportunity-outbound/{name}")
        assert tags.get(QUARANTINE_TAG_KEY) == "true", f"{name} was not quarantined: {tags}"
        assert word.lower() in tags.get(QUARANTINE_REASON_TAG_KEY, "").lower(), (name, tags)
    ids = {r["ACE_Opportunity_Id__c"] for r in world.admin.query_all(
        "SELECT ACE_Opportunity_Id__c FROM Opportunity")["records"]}
    assert ids == set(world.referrals), "the good files did not flow"
    assert world.bucket.get_tags("opportunity-outbound/record-problems.json").get(PROCESSED_TAG_KEY) == "true"
    errors = " ".join(f"{entry.file_key} {entry.message}" for entry in world.ctx.state.recent_errors(limit=50))
    assert "record-problems.json" in errors and "apnCrmUniqueIdentifier" in errors

    s3_proxy.reset_log()
    world.run_in_process("outbound")
    read_again = {r.key for r in s3_proxy.seen(operation="GetObject")}
    assert read_again == set(), f"quarantined or finished files were read again: {read_again}"


@pytest.mark.parametrize("size_bytes", [0, 1])
def test_empty_and_one_byte_objects_do_not_stop_the_run(make_world: Callable[..., World], size_bytes: int) -> None:
    world = make_world()
    world.seed(referrals=1)
    world.sim.tick()
    world.bucket.put_bytes("opportunity-outbound/tiny.json", b"{"[:size_bytes], acl=None)
    world.run_in_process("outbound")
    assert world.admin.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 1
