"""S3 I/O on the ACE bucket, with boto3 errors translated into the project's own.

``AceBucket`` is the only code that talks to S3. It works against any endpoint
(AWS, the moto server, an S3-compatible store) and hides botocore: callers see
``ObjectInfo`` values, bytes and ``connector.errors.BucketError`` subclasses,
each naming the key it was about.

Keys are plain names: a key holding ``../``, spaces or non-ASCII characters is
passed to S3 as-is and never interpreted as a path.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError as BotoConnectionError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
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

if TYPE_CHECKING:
    from connector.settings import Settings

#: The tag AWS's own sample code puts on outbound files it has processed (ACE-CONTRACT §11.2).
PROCESSED_TAG_KEY = "partner_processed"
PROCESSED_TAG_VALUE = "true"
#: Tags on a file that could not be used; it is kept, never deleted.
QUARANTINE_TAG_KEY = "partner_quarantined"
QUARANTINE_REASON_TAG_KEY = "partner_quarantine_reason"

#: The canned ACL every partner upload must carry, or ACE answers AccessDenied (ACE-CONTRACT §1).
BUCKET_OWNER_FULL_CONTROL = "bucket-owner-full-control"

#: S3 limits on object tags.
MAX_TAG_VALUE_CHARS = 256
MAX_TAGS_PER_OBJECT = 10

CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60
MAX_ATTEMPTS = 5
MAX_POOL_CONNECTIONS = 20
LIST_PAGE_SIZE = 1000

# S3 tag values allow letters, digits, white space and + - = . _ : / @ (any script).
_TAG_FORBIDDEN_CHARS = re.compile(r"[^\w\s+\-=.:/@]", re.UNICODE)
_WHITESPACE_RUN = re.compile(r"\s+")

_ACCESS_DENIED_CODES = frozenset({"AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId",
                                  "SignatureDoesNotMatch", "AccountProblem", "403"})
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
_TRANSIENT_CODES = frozenset({"SlowDown", "Throttling", "ThrottlingException", "RequestTimeout",
                              "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable",
                              "503", "500", "RequestLimitExceeded"})


@dataclass(frozen=True)
class ObjectInfo:
    """One object of a listing or a HEAD."""

    key: str
    size: int
    last_modified: datetime
    etag: str = ""
    metadata: Mapping[str, str] | None = None

    @property
    def name(self) -> str:
        """The last part of the key (what ACE calls the file name)."""
        return self.key.rsplit("/", 1)[-1]


class RequestCounter:
    """Counts the S3 requests a client sends, per operation, retries included.

    Attach it to a client (``make_s3_client(counter=...)`` does); benchmarks and
    tests read ``total`` and ``by_operation``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def attach(self, client: Any) -> None:
        # before-send fires once per HTTP attempt, so retries are counted too.
        client.meta.events.register("before-send.s3", self._on_send)

    def _on_send(self, request: Any = None, **kwargs: Any) -> None:
        operation = kwargs.get("event_name", "before-send.s3.unknown").rsplit(".", 1)[-1]
        with self._lock:
            self._counts[operation] += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    @property
    def by_operation(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


def sanitize_tag_value(text: str) -> str:
    """Make any text a valid S3 tag value: allowed characters only, at most 256 of them."""
    cleaned = _TAG_FORBIDDEN_CHARS.sub("_", text)
    cleaned = _WHITESPACE_RUN.sub(" ", cleaned).strip()
    return cleaned[:MAX_TAG_VALUE_CHARS]


@functools.cache
def _shared_loader() -> botocore.loaders.Loader:
    return botocore.loaders.create_loader()


def make_s3_client(*, endpoint_url: str | None = None, region: str | None = None,
                   access_key_id: str | None = None, secret_access_key: str | None = None,
                   session_token: str | None = None, counter: RequestCounter | None = None) -> Any:
    """A boto3 S3 client with standard retries, bounded timeouts and (optionally) a request counter.

    Credentials left as None come from boto3's usual chain (env, profile, role).
    """
    config = Config(
        retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        max_pool_connections=MAX_POOL_CONNECTIONS,
        # Custom endpoints (moto, MinIO, IP addresses) rarely resolve virtual-host names.
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    core = botocore.session.get_session()
    # Each client gets its own session (credentials resolved afresh) but all share one loader:
    # parsing the S3 service model once saves about 0.1 s per client.
    core.register_component("data_loader", _shared_loader())
    session = boto3.session.Session(aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
                                    aws_session_token=session_token, region_name=region, botocore_session=core)
    client = session.client("s3", endpoint_url=endpoint_url or None, config=config)
    if counter is not None:
        counter.attach(client)
    return client


def client_from_settings(settings: Settings, *, endpoint_url: str | None = None,
                         counter: RequestCounter | None = None) -> Any:
    secret = settings.aws_secret_access_key
    token = settings.aws_session_token
    return make_s3_client(
        endpoint_url=endpoint_url or settings.ace_s3_endpoint_url,
        region=settings.region,
        access_key_id=settings.aws_access_key_id,
        secret_access_key=secret.get_secret_value() if secret else None,
        session_token=token.get_secret_value() if token else None,
        counter=counter,
    )


def translate_error(exc: Exception, *, bucket: str, key: str | None, action: str) -> Exception:
    """Map a boto3/botocore error to the project's hierarchy; the message names the key."""
    where = f"s3://{bucket}/{key}" if key is not None else f"s3://{bucket}"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        detail = error.get("Message") or code or "no detail"
        message = f"{action} {where} failed: {code or status} ({detail})"
        if code == "NoSuchBucket":
            return BucketNotFound(f"{action} {where} failed: bucket {bucket!r} does not exist",
                                  key=key, code=code)
        if code in _ACCESS_DENIED_CODES or status == 403:
            return BucketAccessDenied(message, key=key, code=code)
        if code in _NOT_FOUND_CODES or status == 404:
            if key is None:
                return BucketNotFound(f"{action} {where} failed: bucket {bucket!r} does not exist",
                                      key=key, code=code)
            return ObjectNotFound(f"{action} {where} failed: no such object", key=key, code=code)
        if code in _TRANSIENT_CODES or (isinstance(status, int) and status >= 500):
            return TransientBucketError(message, key=key, code=code)
        return BucketError(message, key=key, code=code)
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return ConfigurationError(f"{action} {where}: no usable AWS credentials ({type(exc).__name__}); "
                                  "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile or role")
    if isinstance(exc, (BotoConnectionError, HTTPClientError)):
        return TransientBucketError(f"{action} {where} failed: {type(exc).__name__}: {exc}", key=key)
    return BucketError(f"{action} {where} failed: {type(exc).__name__}: {exc}", key=key)


class AceBucket:
    """The ACE bucket, seen through a boto3 S3 client."""

    def __init__(self, name: str, client: Any, *, counter: RequestCounter | None = None,
                 list_page_size: int = LIST_PAGE_SIZE) -> None:
        if not name:
            raise ConfigurationError("the ACE bucket name is empty; set ACE_BUCKET")
        self.name = name
        self.client = client
        self.counter = counter
        self.list_page_size = list_page_size

    @classmethod
    def from_settings(cls, settings: Settings, *, bucket: str | None = None,
                      endpoint_url: str | None = None, count_requests: bool = True) -> AceBucket:
        counter = RequestCounter() if count_requests else None
        client = client_from_settings(settings, endpoint_url=endpoint_url, counter=counter)
        return cls(bucket or settings.ace_bucket, client, counter=counter)

    def _call(self, action: str, key: str | None, operation: str, **params: Any) -> Any:
        try:
            return getattr(self.client, operation)(Bucket=self.name, **params)
        except (ClientError, BotoCoreError) as exc:
            raise translate_error(exc, bucket=self.name, key=key, action=action) from exc

    # --- bucket ------------------------------------------------------------------------

    def exists(self) -> bool:
        try:
            self._call("check bucket", None, "head_bucket")
        except BucketNotFound:
            return False
        return True

    def create_if_missing(self, *, region: str | None = None) -> bool:
        """Create the bucket (sandbox and tests only; the real ACE bucket belongs to AWS)."""
        if self.exists():
            return False
        params: dict[str, Any] = {}
        region = region or self.client.meta.region_name
        if region and region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self._call("create bucket", None, "create_bucket", **params)
        except BucketError as exc:
            if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
        return True

    def owner_id(self) -> str:
        """The canonical user id of the bucket owner (for ACL checks)."""
        return self._call("read ACL of", None, "get_bucket_acl")["Owner"]["ID"]

    # --- listing ------------------------------------------------------------------------

    def iter_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        """Every object under ``prefix`` in S3's order (by key), page by page."""
        token: str | None = None
        while True:
            params: dict[str, Any] = {"Prefix": prefix, "MaxKeys": self.list_page_size}
            if token:
                params["ContinuationToken"] = token
            page = self._call("list", prefix, "list_objects_v2", **params)
            for item in page.get("Contents", ()):
                yield ObjectInfo(key=item["Key"], size=int(item.get("Size", 0)),
                                 last_modified=item["LastModified"], etag=item.get("ETag", "").strip('"'))
            if not page.get("IsTruncated"):
                return
            token = page.get("NextContinuationToken")

    def list_objects(self, prefix: str, *, skip_empty: bool = True,
                     skip_processed: bool = False) -> list[ObjectInfo]:
        """Objects under ``prefix``, oldest first (LastModified, then key).

        Zero-byte objects (folder markers, aborted writes) are skipped unless
        ``skip_empty`` is False; with ``skip_processed`` objects tagged
        ``partner_processed=true`` are skipped too (one extra request each).
        """
        objects = [o for o in self.iter_objects(prefix) if not (skip_empty and o.size == 0)]
        if skip_processed:
            objects = [o for o in objects if not self.is_processed(o.key)]
        return sorted(objects, key=lambda o: (o.last_modified, o.key))

    # --- reading ---------------------------------------------------------------------------

    def head(self, key: str) -> ObjectInfo:
        response = self._call("read metadata of", key, "head_object", Key=key)
        return ObjectInfo(key=key, size=int(response.get("ContentLength", 0)),
                          last_modified=response["LastModified"], etag=response.get("ETag", "").strip('"'),
                          metadata=dict(response.get("Metadata") or {}))

    def _check_size(self, key: str, size: int, max_bytes: int | None) -> None:
        if max_bytes is not None and size > max_bytes:
            raise ObjectTooLarge(f"s3://{self.name}/{key} is {size} bytes, over the limit of "
                                 f"{max_bytes} bytes; it was not read", key=key, code="TooLarge")

    def open(self, key: str, *, max_bytes: int | None = None) -> IO[bytes]:
        """A file-like stream of the body (for big files); the size is checked first."""
        if max_bytes is not None:
            self._check_size(key, self.head(key).size, max_bytes)
        return self._call("read", key, "get_object", Key=key)["Body"]

    def read_bytes(self, key: str, *, max_bytes: int | None = None) -> bytes:
        """The whole body. Over ``max_bytes`` raises ObjectTooLarge before the body is read."""
        body = self.open(key, max_bytes=max_bytes)
        try:
            # The object may have been replaced between HEAD and GET: never read past the limit.
            data = body.read() if max_bytes is None else body.read(max_bytes + 1)
        except (ClientError, BotoCoreError) as exc:
            raise translate_error(exc, bucket=self.name, key=key, action="read") from exc
        finally:
            body.close()
        self._check_size(key, len(data), max_bytes)
        return data

    # --- tags ---------------------------------------------------------------------------------

    def get_tags(self, key: str) -> dict[str, str]:
        response = self._call("read tags of", key, "get_object_tagging", Key=key)
        return {tag["Key"]: tag["Value"] for tag in response.get("TagSet", ())}

    def put_tags(self, key: str, tags: Mapping[str, str], *, merge: bool = True) -> None:
        """Set tags; with ``merge`` the object's other tags are kept (S3 replaces the whole set)."""
        current = self.get_tags(key) if merge else {}
        current.update({k: sanitize_tag_value(v) for k, v in tags.items()})
        if len(current) > MAX_TAGS_PER_OBJECT:
            raise BucketError(f"tagging s3://{self.name}/{key} would exceed S3's limit of "
                              f"{MAX_TAGS_PER_OBJECT} tags", key=key, code="TooManyTags")
        tag_set = [{"Key": k, "Value": v} for k, v in current.items()]
        self._call("tag", key, "put_object_tagging", Key=key, Tagging={"TagSet": tag_set})

    def is_processed(self, key: str) -> bool:
        return self.get_tags(key).get(PROCESSED_TAG_KEY) == PROCESSED_TAG_VALUE

    def mark_processed(self, key: str) -> None:
        self.put_tags(key, {PROCESSED_TAG_KEY: PROCESSED_TAG_VALUE})

    def quarantine(self, key: str, *, reason: str) -> None:
        """Tag a file that cannot be used, with a short reason; it stays where it is."""
        self.put_tags(key, {QUARANTINE_TAG_KEY: "true", QUARANTINE_REASON_TAG_KEY: reason})

    def get_object_acl(self, key: str) -> dict[str, Any]:
        return self._call("read ACL of", key, "get_object_acl", Key=key)

    # --- writing ------------------------------------------------------------------------------------

    def put_bytes(self, key: str, body: bytes, *, content_type: str = "application/json",
                  acl: str | None = BUCKET_OWNER_FULL_CONTROL,
                  metadata: Mapping[str, str] | None = None) -> None:
        """Upload one object. Partner uploads need the ``bucket-owner-full-control`` ACL (default)."""
        params: dict[str, Any] = {"Key": key, "Body": body, "ContentType": content_type}
        if acl:
            params["ACL"] = acl
        if metadata:
            params["Metadata"] = dict(metadata)
        self._call("upload", key, "put_object", **params)

    def copy(self, source_key: str, destination_key: str, *,
             metadata: Mapping[str, str] | None = None) -> None:
        """Server-side copy; ``metadata`` replaces the source's user metadata when given."""
        params: dict[str, Any] = {"Key": destination_key, "CopySource": {"Bucket": self.name, "Key": source_key}}
        if metadata is not None:
            params.update(Metadata=dict(metadata), MetadataDirective="REPLACE")
        self._call("copy to", destination_key, "copy_object", **params)

    def delete(self, key: str) -> None:
        self._call("delete", key, "delete_object", Key=key)
