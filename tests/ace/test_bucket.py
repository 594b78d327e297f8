"""AceBucket against moto's in-process S3: listing, guarded reads, tags, uploads, error mapping."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, ReadTimeoutError
from moto import mock_aws

from connector.ace.bucket import (
    MAX_TAG_VALUE_CHARS,
    PROCESSED_TAG_KEY,
    QUARANTINE_REASON_TAG_KEY,
    AceBucket,
    RequestCounter,
    make_s3_client,
    sanitize_tag_value,
    translate_error,
)
from connector.errors import (
    BucketAccessDenied,
    BucketError,
    BucketNotFound,
    ConfigurationError,
    ObjectNotFound,
    ObjectTooLarge,
    TransientBucketError,
)
from connector.settings import Settings

BUCKET = "ace-apn-1234567-beta-us-west-2"


@pytest.fixture
def bucket(aws_test_credentials: None) -> Iterator[AceBucket]:
    with mock_aws():
        counter = RequestCounter()
        ace = AceBucket(BUCKET, make_s3_client(region="us-west-2", counter=counter), counter=counter)
        ace.create_if_missing()
        counter.reset()
        yield ace


def _set_last_modified(key: str, when: datetime) -> None:
    """Age an object inside moto's store (S3 itself offers no way to set LastModified)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    s3_backends[DEFAULT_ACCOUNT_ID]["global"].buckets[BUCKET].keys[key].last_modified = when


def test_listing_is_oldest_first_then_by_key(bucket: AceBucket) -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    for key, age_minutes in [("p/a.json", 1), ("p/b.json", 30), ("p/c.json", 30), ("p/d.json", 5)]:
        bucket.put_bytes(key, b"{}")
        _set_last_modified(key, now - timedelta(minutes=age_minutes))
    assert [o.key for o in bucket.list_objects("p/")] == ["p/b.json", "p/c.json", "p/d.json", "p/a.json"]


def test_listing_follows_every_page(bucket: AceBucket) -> None:
    small_pages = AceBucket(BUCKET, bucket.client, counter=bucket.counter, list_page_size=2)
    for index in range(5):
        small_pages.put_bytes(f"p/{index}.json", b"{}")
    bucket.counter.reset()
    assert len(small_pages.list_objects("p/")) == 5
    assert bucket.counter.by_operation == {"ListObjectsV2": 3}


def test_listing_skips_empty_and_optionally_processed_objects(bucket: AceBucket) -> None:
    bucket.put_bytes("p/empty.json", b"")
    bucket.put_bytes("p/folder/", b"")
    bucket.put_bytes("p/done.json", b"{}")
    bucket.put_bytes("p/new.json", b"{}")
    bucket.mark_processed("p/done.json")
    assert {o.key for o in bucket.list_objects("p/")} == {"p/done.json", "p/new.json"}
    assert [o.key for o in bucket.list_objects("p/", skip_processed=True)] == ["p/new.json"]
    assert "p/empty.json" in {o.key for o in bucket.list_objects("p/", skip_empty=False)}


def test_listing_stays_inside_the_prefix(bucket: AceBucket) -> None:
    bucket.put_bytes("opportunity-outbound/a.json", b"{}")
    bucket.put_bytes("opportunity-outbound-archive/a.json", b"{}")
    assert [o.key for o in bucket.list_objects("opportunity-outbound/")] == ["opportunity-outbound/a.json"]


def test_read_over_the_limit_raises_before_the_body_is_fetched(bucket: AceBucket) -> None:
    bucket.put_bytes("p/big.json", b"x" * 2048)
    bucket.counter.reset()
    with pytest.raises(ObjectTooLarge, match="p/big.json is 2048 bytes, over the limit of 1024"):
        bucket.read_bytes("p/big.json", max_bytes=1024)
    assert "GetObject" not in bucket.counter.by_operation
    assert bucket.read_bytes("p/big.json", max_bytes=2048) == b"x" * 2048


def test_streaming_read_returns_a_file_like_body(bucket: AceBucket) -> None:
    bucket.put_bytes("p/stream.json", b'{"a": 1}' * 1000)
    with bucket.open("p/stream.json", max_bytes=10_000) as body:
        assert body.read(8) == b'{"a": 1}'
        assert len(body.read()) == 7992
    with pytest.raises(ObjectTooLarge):
        bucket.open("p/stream.json", max_bytes=100)


def test_odd_keys_are_plain_names(bucket: AceBucket) -> None:
    keys = ["opportunity-inbound/../escape.json", "opportunity-inbound/./dot.json",
            "opportunity-inbound/spaces and ümlauts #1?.json", "opportunity-inbound/a%2Fb.json"]
    for index, key in enumerate(keys):
        bucket.put_bytes(key, str(index).encode())
    assert {o.key for o in bucket.list_objects("opportunity-inbound/")} == set(keys)
    for index, key in enumerate(keys):
        assert bucket.read_bytes(key) == str(index).encode()
        bucket.delete(key)
    assert bucket.list_objects("opportunity-inbound/") == []


def test_missing_key_maps_to_object_not_found_naming_the_key(bucket: AceBucket) -> None:
    with pytest.raises(ObjectNotFound, match="opportunity-outbound/gone.json"):
        bucket.read_bytes("opportunity-outbound/gone.json")
    with pytest.raises(ObjectNotFound, match="opportunity-outbound/gone.json"):
        bucket.head("opportunity-outbound/gone.json")
    with pytest.raises(ObjectNotFound):
        bucket.mark_processed("opportunity-outbound/gone.json")


def test_missing_bucket_maps_to_bucket_not_found(bucket: AceBucket) -> None:
    missing = AceBucket("no-such-ace-bucket", bucket.client)
    assert not missing.exists()
    with pytest.raises(BucketNotFound, match="no-such-ace-bucket"):
        missing.list_objects("opportunity-outbound/")
    with pytest.raises(BucketNotFound, match="no-such-ace-bucket"):
        missing.put_bytes("opportunity-inbound/x.json", b"{}")


def test_tags_merge_and_quarantine_reasons_are_sanitised(bucket: AceBucket) -> None:
    bucket.put_bytes("p/bad.json", b"[]")
    bucket.put_tags("p/bad.json", {"owner": "ops"})
    bucket.quarantine("p/bad.json", reason='not an object: ["x"] ' + "é" * 400)
    tags = bucket.get_tags("p/bad.json")
    assert tags["owner"] == "ops"
    assert tags[QUARANTINE_REASON_TAG_KEY].startswith("not an object: __x__ ")
    assert len(tags[QUARANTINE_REASON_TAG_KEY]) == MAX_TAG_VALUE_CHARS
    bucket.mark_processed("p/bad.json")
    assert bucket.get_tags("p/bad.json")[PROCESSED_TAG_KEY] == "true"
    assert bucket.is_processed("p/bad.json")


def test_sanitize_tag_value_keeps_allowed_characters() -> None:
    assert sanitize_tag_value("a-b_c.d:e/f@g+h=i j") == "a-b_c.d:e/f@g+h=i j"
    assert sanitize_tag_value("line1\nline2\t{x}") == "line1 line2 _x_"


def test_uploads_carry_the_bucket_owner_full_control_acl(bucket: AceBucket) -> None:
    sent_headers: list[dict[str, str]] = []
    bucket.client.meta.events.register(
        "before-send.s3.PutObject", lambda request, **_: sent_headers.append(dict(request.headers)))
    bucket.put_bytes("opportunity-inbound/opp_1.json", b'{"version": "2.0"}')
    assert sent_headers[0]["x-amz-acl"] in ("bucket-owner-full-control", b"bucket-owner-full-control")
    assert bucket.head("opportunity-inbound/opp_1.json").size == 18


def test_copy_and_metadata(bucket: AceBucket) -> None:
    bucket.put_bytes("a/x.json", b"{}", metadata={"written-by": "test"})
    bucket.copy("a/x.json", "b/x.json")
    bucket.copy("a/x.json", "c/x.json", metadata={"written-by": "copier"})
    assert bucket.read_bytes("b/x.json") == b"{}"
    assert bucket.head("b/x.json").metadata == {"written-by": "test"}
    assert bucket.head("c/x.json").metadata == {"written-by": "copier"}


def test_counter_counts_every_request(bucket: AceBucket) -> None:
    bucket.put_bytes("p/a.json", b"{}")
    bucket.read_bytes("p/a.json", max_bytes=100)
    bucket.delete("p/a.json")
    assert bucket.counter.by_operation == {"PutObject": 1, "HeadObject": 1, "GetObject": 1, "DeleteObject": 1}
    assert bucket.counter.total == 4


def test_from_settings_uses_the_endpoint_and_bucket(aws_test_credentials: None, moto_server_url: str) -> None:
    settings = Settings(ace_bucket="settings-bucket", ace_s3_endpoint_url=moto_server_url)
    ace = AceBucket.from_settings(settings)
    assert ace.create_if_missing()
    ace.put_bytes("opportunity-inbound/x.json", b"{}")
    assert [o.key for o in ace.list_objects("opportunity-inbound/")] == ["opportunity-inbound/x.json"]
    assert ace.counter is not None and ace.counter.total >= 3


def test_empty_bucket_name_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="ACE_BUCKET"):
        AceBucket("", client=None)


def _client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "GetObject")


@pytest.mark.parametrize(("code", "status", "expected"), [
    ("AccessDenied", 403, BucketAccessDenied),
    ("NoSuchBucket", 404, BucketNotFound),
    ("NoSuchKey", 404, ObjectNotFound),
    ("404", 404, ObjectNotFound),
    ("SlowDown", 503, TransientBucketError),
    ("InternalError", 500, TransientBucketError),
    ("InvalidObjectState", 403, BucketAccessDenied),
    ("InvalidRequest", 400, BucketError),
])
def test_client_errors_map_to_project_errors(code: str, status: int, expected: type) -> None:
    error = translate_error(_client_error(code, status), bucket="b", key="k/x.json", action="read")
    assert type(error) is expected
    assert "k/x.json" in str(error) or expected is BucketNotFound


def test_connection_failures_are_transient_and_missing_credentials_are_configuration() -> None:
    assert isinstance(translate_error(EndpointConnectionError(endpoint_url="http://x"),
                                      bucket="b", key="k", action="read"), TransientBucketError)
    assert isinstance(translate_error(ReadTimeoutError(endpoint_url="http://x"),
                                      bucket="b", key="k", action="read"), TransientBucketError)
    assert isinstance(translate_error(NoCredentialsError(), bucket="b", key="k", action="read"),
                      ConfigurationError)
