"""Bad input never blocks other files; permission breaches are answered; state is shared and durable."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from connector.ace.bucket import AceBucket
from connector.sandbox.ace import Simulator, TickReport
from connector.sandbox.ace.permissions import has_owner_full_control

from .scenario import Clock, Partner, valid_create


def test_bad_files_never_block_good_ones(partner: Partner, simulator: Simulator) -> None:
    partner.put("opportunity", "a_garbage.json", b"\x00\xff\xfe not json")
    partner.put("opportunity", "b_good.json", [valid_create()])
    partner.put("opportunity", "c_empty.json", b"")
    partner.put("opportunity", "d_nested.json", b"[" * 100_000)
    partner.put("opportunity", "e_weird records.json", [None, 1, [], {"apnCrmUniqueIdentifier": 5}])
    partner.put("lead", "f_good.json", [])
    report = simulator.tick()
    assert {f.key.rsplit("/", 1)[1]: f.success for f in report.files} == {
        "a_garbage.json": "NONE", "b_good.json": "ALL", "c_empty.json": "NONE", "d_nested.json": "NONE",
        "e_weird records.json": "NONE", "f_good.json": "NONE"}
    weird = partner.results("opportunity", "e_weird records.json")["inboundApiResults"]
    assert [entry["isSuccess"] for entry in weird] == [False] * 4
    assert weird[3]["errors"] == ["Record not found for apnCrmUniqueIdentifier:5"]
    assert partner.keys("opportunity-inbound/") == [] and partner.keys("lead-inbound/") == []


def test_odd_names_are_plain_names(partner: Partner, simulator: Simulator) -> None:
    partner.put("opportunity", "../escape.json", [valid_create()])
    partner.put("opportunity", "sub/dir/x.json", [valid_create()])
    simulator.tick()
    assert partner.read("opportunity-inbound-processed-results/../escape_result.json")["success"] == "ALL"
    assert partner.read("opportunity-inbound-processed-results/sub/dir/x_result.json")["success"] == "ALL"


def test_writes_outside_the_inbound_folders_are_answered_as_access_denied(partner: Partner,
                                                                         simulator: Simulator) -> None:
    simulator.refer_opportunity()
    simulator.export()  # the simulator's own outbound file must not be flagged
    partner.bucket.put_bytes("opportunity-outbound/sneaky.json", b"{}")
    partner.bucket.put_bytes("lead-inbound-processed-results/forged_result.json", b"{}")
    report = simulator.tick()
    denied = {f.key: f for f in report.files}
    assert set(denied) == {"opportunity-outbound/sneaky.json", "lead-inbound-processed-results/forged_result.json"}
    error = partner.read("opportunity-inbound-processed-results/opportunity-outbound_sneaky.json.error.json")
    assert error["apiErrors"][0].startswith("Access Denied: opportunity-outbound/sneaky.json was written outside")
    assert partner.keys("opportunity-outbound/") and "opportunity-outbound/sneaky.json" not in \
        partner.keys("opportunity-outbound/")
    assert "opportunity-inbound-archive/rejected/opportunity-outbound/sneaky.json" in \
        partner.keys("opportunity-inbound-archive/")
    assert simulator.tick().files == []


def test_owner_grant_check_reads_real_s3_acls() -> None:
    # moto reports the owner's grant whatever ACL an upload asked for, so the check is shown here on
    # ACLs shaped like real cross-account S3 answers (uploader = partner, bucket owner = AWS).
    bucket_owner, uploader = "a" * 64, "b" * 64
    with_acl = {"Owner": {"ID": uploader}, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": uploader}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "CanonicalUser", "ID": bucket_owner}, "Permission": "FULL_CONTROL"}]}
    without_acl = {"Owner": {"ID": uploader}, "Grants": with_acl["Grants"][:1]}
    read_only = {"Owner": {"ID": uploader}, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": bucket_owner}, "Permission": "READ"}]}
    assert has_owner_full_control(with_acl, bucket_owner)
    assert not has_owner_full_control(without_acl, bucket_owner)
    assert not has_owner_full_control(read_only, bucket_owner)


def test_uploads_with_the_canned_acl_pass_the_check(partner: Partner, simulator: Simulator) -> None:
    partner.put("opportunity", "with-acl.json", [valid_create()])
    simulator.tick()
    assert partner.results("opportunity", "with-acl.json")["success"] == "ALL"


def test_state_is_shared_between_instances(bucket: AceBucket, tmp_path: Path, clock: Clock) -> None:
    first = Simulator(bucket, state_dir=tmp_path / "shared", clock=clock)
    second = Simulator(bucket, state_dir=tmp_path / "shared", clock=clock)
    opp_id = first.refer_opportunity()
    assert second.opportunity(opp_id)["opportunityOwnership"] == "AWS Referral"
    assert second.refer_opportunity() == f"O{int(opp_id[1:]) + 1}"
    assert len(first.export()) == 1


def test_an_interrupted_delivery_is_finished_not_redone(partner: Partner, simulator: Simulator) -> None:
    key = partner.put("opportunity", "crash.json", [valid_create("KEY-CRASH")])
    broken = Simulator(_FailingDeletes(partner.bucket), state_dir=simulator.store.directory)
    [report] = broken.process_inbound()
    assert report.reason == "delivery failed (RuntimeError); retried at the next pickup"
    assert key in partner.keys("opportunity-inbound/")  # the file is still there …
    report = simulator.tick()  # … and the next pickup finishes its delivery instead of re-processing it
    assert report.files == []
    assert partner.keys("opportunity-inbound/") == []
    assert partner.results("opportunity", "crash.json")["success"] == "ALL"
    assert len(simulator.state().opportunities) == 1


class _FailingDeletes(AceBucket):
    """The real bucket, except that the simulator dies before deleting the inbound file."""

    def __init__(self, real: AceBucket) -> None:
        super().__init__(real.name, real.client)

    def delete(self, key: str) -> None:
        raise RuntimeError("simulated crash before the delete")


def test_state_files_are_plain_json(simulator: Simulator) -> None:
    simulator.refer_lead()
    state = json.loads((simulator.store.directory / "state.json").read_text())
    assert list(state["leads"]) == ["L1000001"]


def test_serve_picks_up_and_exports_until_stopped(partner: Partner, simulator: Simulator) -> None:
    partner.put("opportunity", "served.json", [valid_create()])
    stop = threading.Event()
    reports: list[TickReport] = []

    def after_each_cycle(report: TickReport) -> None:
        reports.append(report)
        stop.set()

    simulator.serve(pickup_interval_seconds=0.01, export_interval_seconds=3600, stop=stop, on_tick=after_each_cycle)
    [report] = reports
    assert [f.success for f in report.files] == ["ALL"]
    assert len(report.exported) == 1 and report.exported[0].startswith("opportunity-outbound/")
