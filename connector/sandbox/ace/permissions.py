"""ACE's bucket permissions, as far as a simulator can enforce them (ACE-CONTRACT §1, §2).

Real ACE answers ``AccessDenied`` at upload time when a partner writes outside
the two inbound folders or omits the ``bucket-owner-full-control`` ACL. A
simulator that sits beside moto or any S3 store cannot refuse a request, so it
checks after the fact and answers each breach with an error file in the
entity's results folder, naming the cause, then moves the object out of the way
(into ``<entity>-inbound-archive/rejected/``). The partner's code sees a
failure for the write it should never have made, which is what matters in tests.

- Objects the simulator writes carry the user metadata ``ace-simulator: true``;
  an object without it under an outbound, results or archive folder was
  written by someone else. Each object is examined once: the state remembers
  the ones checked (by ETag) among those modified since the previous check,
  with a margin for clock skew, so a check costs one HEAD per new object,
  however full the folders get.
- The ACL check looks for a FULL_CONTROL grant to the bucket owner. When the
  uploader and the bucket owner are the same account (moto, a single-account
  sandbox) that grant is always present, so the check can only catch uploads
  whose ACL explicitly leaves the owner out; against a real cross-account
  bucket it catches a missing canned ACL as ACE does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from connector.ace.bucket import AceBucket, ObjectInfo
from connector.ace.layout import AceLayout, EntityLayout
from connector.errors import ObjectNotFound

SIMULATOR_METADATA_KEY = "ace-simulator"
SIMULATOR_METADATA = {SIMULATOR_METADATA_KEY: "true"}
#: Objects this much older than the previous check are looked at again (clock skew, 1 s stamps).
RECHECK_MARGIN_SECONDS = 300
REJECTED_FOLDER = "rejected/"


def has_owner_full_control(acl: Mapping[str, Any], owner_id: str) -> bool:
    """True when the object's ACL grants the bucket owner FULL_CONTROL."""
    for grant in acl.get("Grants", ()):
        grantee = grant.get("Grantee", {})
        if grant.get("Permission") == "FULL_CONTROL" and grantee.get("ID") == owner_id:
            return True
    return False


def missing_acl_error(key: str) -> str:
    return (f"Access Denied: {key} was uploaded without the bucket-owner-full-control ACL; "
            "upload inbound files with ACL 'bucket-owner-full-control'")


def foreign_write_error(key: str, layout: AceLayout) -> str:
    allowed = " and ".join(entity.inbound for entity in layout.entities)
    return f"Access Denied: {key} was written outside the inbound folders; partners may only write under {allowed}"


def protected_prefixes(entity: EntityLayout) -> tuple[str, ...]:
    """Where only AWS writes."""
    return (entity.outbound, entity.outbound_archive, entity.inbound_archive, entity.results,
            entity.results_archive, entity.results_alternate)


def object_version(info: ObjectInfo) -> str:
    """What tells one upload of a key from another: a rewrite changes the ETag or the time."""
    return f"{info.etag}@{info.last_modified.isoformat()}"


def find_foreign_writes(bucket: AceBucket, layout: AceLayout, *, since: datetime | None,
                        checked: Mapping[str, str] | None = None,
                        ) -> tuple[list[tuple[EntityLayout, ObjectInfo]], dict[str, str]]:
    """Objects under AWS-only folders that the simulator did not write, newer than ``since``.

    ``checked`` maps the keys a previous check examined to the version it saw
    (``object_version``); those are not read again. Returns the writes found and
    the map for the next check: the objects still recent enough to be listed, each
    examined once.
    """
    threshold = since - timedelta(seconds=RECHECK_MARGIN_SECONDS) if since else None
    checked = checked or {}
    found: list[tuple[EntityLayout, ObjectInfo]] = []
    now_checked: dict[str, str] = {}
    for entity in layout.entities:
        for prefix in protected_prefixes(entity):
            for info in bucket.list_objects(prefix, skip_empty=False):
                if info.key in now_checked or (threshold and info.last_modified < threshold):
                    continue
                version = now_checked[info.key] = object_version(info)
                if checked.get(info.key) == version or (info.key.endswith("/") and info.size == 0):
                    continue  # examined already, or a folder marker
                try:
                    metadata = bucket.head(info.key).metadata or {}
                except ObjectNotFound:
                    del now_checked[info.key]
                    continue
                if metadata.get(SIMULATOR_METADATA_KEY) != "true":
                    found.append((entity, info))
    return found, now_checked
