"""The check for partner writes outside the inbound folders reads each object once, however full the bucket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from moto import mock_aws

from connector.ace.bucket import AceBucket, RequestCounter, make_s3_client
from connector.sandbox.ace import Simulator

from .scenario import BUCKET, Clock, Partner, valid_create


@dataclass
class Counted:
    simulator: Simulator
    partner: Partner
    counter: RequestCounter

    def heads_of_one_tick(self) -> int:
        """HEAD requests (one per object examined) of one pickup and export."""
        self.counter.reset()
        self.simulator.tick()
        return self.counter.by_operation.get("HeadObject", 0)


@pytest.fixture
def counted(aws_test_credentials: None, tmp_path: Path) -> Iterator[Counted]:
    with mock_aws():
        counter = RequestCounter()
        bucket = AceBucket(BUCKET, make_s3_client(region="us-west-2", counter=counter), counter=counter)
        bucket.create_if_missing()
        simulator = Simulator(bucket, state_dir=tmp_path / "sim-state", clock=Clock())
        yield Counted(simulator, Partner(bucket, simulator), counter)


def _age(key: str, *, hours: float) -> None:
    """Make an object look older inside moto's store (S3 offers no way to set LastModified)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    entry = s3_backends[DEFAULT_ACCOUNT_ID]["global"].buckets[BUCKET].keys[key]
    entry.last_modified = entry.last_modified - timedelta(hours=hours)


def test_a_second_tick_reads_none_of_the_objects_the_first_checked(counted: Counted) -> None:
    for number in range(4):
        counted.partner.put("opportunity", f"create_{number}.json", [valid_create(f"KEY-{number}")])
    counted.simulator.refer_opportunity()
    counted.simulator.tick()  # answers, archives and an export: a dozen objects in AWS-only folders
    assert counted.heads_of_one_tick() > 0  # the first tick's own answers and archives, once

    assert counted.heads_of_one_tick() == 0
    assert counted.heads_of_one_tick() == 0


def test_a_partner_write_is_still_found_and_a_rewritten_object_checked_again(counted: Counted) -> None:
    counted.simulator.refer_opportunity()
    [exported] = counted.simulator.tick().exported
    counted.simulator.tick()
    counted.partner.bucket.put_bytes("lead-outbound/sneaky.json", b"{}")
    counted.partner.bucket.put_bytes(exported, b'{"version": "2.0", "opportunities": []}')  # over AWS's own file

    report = counted.simulator.tick()

    assert {f.key for f in report.files} == {"lead-outbound/sneaky.json", exported}
    assert all(f.reason and f.reason.startswith("Access Denied") for f in report.files)
    assert counted.simulator.tick().files == []


def test_objects_too_old_to_be_looked_at_again_are_forgotten(counted: Counted) -> None:
    counted.simulator.refer_opportunity()
    [exported] = counted.simulator.tick().exported
    counted.simulator.tick()
    assert exported in counted.simulator.state().permission_checked

    _age(exported, hours=1)
    _age(exported.replace("-outbound/", "-outbound-archive/"), hours=1)
    counted.partner.put("opportunity", "recent.json", [valid_create()])
    counted.simulator.tick()
    counted.simulator.tick()  # the recent file's answer and archive were checked by the tick before

    remembered = counted.simulator.state().permission_checked
    assert "opportunity-inbound-archive/recent.json" in remembered
    assert exported not in remembered
    assert exported.replace("-outbound/", "-outbound-archive/") not in remembered


def test_a_state_file_from_before_the_remembered_keys_still_loads(counted: Counted) -> None:
    path = counted.simulator.store.directory / "state.json"
    counted.simulator.tick()
    state = json.loads(path.read_text())
    del state["permission_checked"]
    path.write_text(json.dumps(state))

    assert counted.simulator.state().permission_checked == {}
    assert counted.simulator.tick().files == []
