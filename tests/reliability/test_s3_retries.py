"""Scenario 3 at the bucket layer: each S3 fault is retried, or surfaces as a transient error.

``AceBucket`` sits on boto3's standard retry mode; these tests check what a
flow sees for each fault kind of the proxy, one fault at a time, and that the
proxy itself tells S3's object sizes truthfully (the size guard relies on HEAD).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connector.ace.bucket import AceBucket, make_s3_client
from connector.errors import TransientBucketError

from .s3_fault_proxy import FaultPlan, S3FaultProxy

BUCKET = "ace-apn-1234567-proxy-test"
KEY = "opportunity-outbound/file.json"
BODY = b'{"version": "2.0", "opportunities": []}' * 100


@pytest.fixture
def bucket(s3_proxy: S3FaultProxy, moto_server_url: str, aws_test_credentials: None) -> Iterator[AceBucket]:
    direct = AceBucket(BUCKET, make_s3_client(endpoint_url=moto_server_url, region="us-west-2"))
    direct.create_if_missing()
    direct.put_bytes(KEY, BODY, acl=None)
    # A fresh client per test: boto3's retry quota is per client and a drained one stops retrying.
    yield AceBucket(BUCKET, make_s3_client(endpoint_url=s3_proxy.url, region="us-west-2"))


@pytest.mark.parametrize("kind", ["slowdown", "reset", "reset_after", "slow"])
@pytest.mark.parametrize("operation", ["head", "read", "tags", "tag", "list", "upload"])
def test_one_fault_on_any_operation_is_retried(bucket: AceBucket, s3_proxy: S3FaultProxy, kind: str,
                                               operation: str) -> None:
    s3_proxy.set_plan(FaultPlan(rate=1.0, kinds=(kind,), max_faults=1, slow_seconds=0.05))
    result = {
        "head": lambda: bucket.head(KEY).size,
        "read": lambda: len(bucket.read_bytes(KEY)),
        "tags": lambda: bucket.get_tags(KEY),
        "tag": lambda: bucket.mark_processed(KEY),
        "list": lambda: [o.key for o in bucket.list_objects("opportunity-outbound/")],
        "upload": lambda: bucket.put_bytes("opportunity-inbound/sent.json", BODY),
    }[operation]()
    assert s3_proxy.faults_fired()[kind] == 1
    expected = {"head": len(BODY), "read": len(BODY), "tags": {}, "list": [KEY]}
    if operation in expected:
        assert result == expected[operation]


def test_a_body_cut_short_is_a_transient_error_not_a_short_read(bucket: AceBucket, s3_proxy: S3FaultProxy) -> None:
    s3_proxy.set_plan(FaultPlan(rate=1.0, kinds=("truncate",), max_faults=1, methods=("GET",), key_contains=KEY))
    with pytest.raises(TransientBucketError, match=KEY):
        bucket.read_bytes(KEY)
    assert len(bucket.read_bytes(KEY)) == len(BODY)  # the next attempt reads it whole


def test_faults_that_persist_surface_as_transient_errors_naming_the_key(bucket: AceBucket,
                                                                        s3_proxy: S3FaultProxy) -> None:
    s3_proxy.set_plan(FaultPlan(rate=1.0, kinds=("reset",), methods=("PUT",)))  # the tag write itself fails
    with pytest.raises(TransientBucketError, match=KEY):
        bucket.mark_processed(KEY)
    s3_proxy.clear_faults()
    assert bucket.get_tags(KEY) == {}, "a tag was written although every attempt failed"
