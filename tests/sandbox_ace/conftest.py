"""Fixtures for the ACE simulator tests: an in-process moto bucket, a simulator, and the partner's side."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from connector.ace.bucket import AceBucket, make_s3_client
from connector.sandbox.ace import Simulator

from .scenario import BUCKET, Clock, Partner


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def bucket(aws_test_credentials: None) -> Iterator[AceBucket]:
    with mock_aws():
        ace = AceBucket(BUCKET, make_s3_client(region="us-west-2"))
        ace.create_if_missing()
        yield ace


@pytest.fixture
def simulator(bucket: AceBucket, tmp_path: Path, clock: Clock) -> Simulator:
    return Simulator(bucket, state_dir=tmp_path / "sim-state", clock=clock)


@pytest.fixture
def partner(bucket: AceBucket, simulator: Simulator) -> Partner:
    return Partner(bucket, simulator)
