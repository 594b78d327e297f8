"""Inbound files: ACE records packed into envelopes within ACE's limits, under unique names.

ACE takes at most ``ACE_INBOUND_MAX_RECORDS`` (50) records and
``ACE_INBOUND_MAX_BYTES`` (1 MB) per file (ACE-CONTRACT §5.2) and treats a reused name
as a duplicate it never processes (ACE-CONTRACT §5.1). :func:`pack_files` splits the
records by the configured count and by size; a record that cannot fit in a
file on its own is handed back, so its error can be written on the record.

Names follow the connector's choice of ACE-CONTRACT §5.1: ``opp_<MMDDYYYYHHMMSS>_<8 hex>.json``
(``lead_…`` for leads): the documented timestamp pattern plus eight random hex
digits, so two workers in the same second never collide.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from connector.ace.jsonio import dump_json
from connector.ace.layout import RECORD_ARRAY_KEYS
from connector.settings import ACE_INBOUND_MAX_BYTES, ACE_INBOUND_MAX_RECORDS

#: The payload version the connector speaks (ACE-CONTRACT §4.1: send "2.0").
PAYLOAD_VERSION = "2.0"
#: File name prefix per entity (ACE-CONTRACT §5.1 connector choice).
FILE_NAME_PREFIXES = {"opportunity": "opp", "lead": "lead"}
#: Random hex digits after the timestamp in a file name.
NAME_SUFFIX_HEX_DIGITS = 8
#: ``dump_json`` joins array items with ", ".
_ITEM_SEPARATOR_BYTES = 2


@dataclass(frozen=True)
class OutgoingRecord:
    """One record on its way to ACE, with what the flow must remember about it."""

    record: dict[str, Any]  # the ACE JSON record, as it goes in the file
    sf_id: str  # the Salesforce record it came from
    partner_key: str  # the partner key ACE echoes in the results
    kind: str  # create | update | decision (see connector.sync.referrals)
    content_hash: str | None = None  # what to remember as "last sent" once the file is written
    inbound_only_hash: str | None = None  # the same, for the fields ACE never exports
    decision_fingerprint: str | None = None  # a referral decision, remembered so it goes only once
    links_referral: bool = False  # an update of an AWS referral: it carries the partner key ACE links
    #: the encoded record, computed once for packing
    encoded: bytes = field(default=b"", compare=False, repr=False)

    def with_encoding(self) -> OutgoingRecord:
        return self if self.encoded else replace(self, encoded=dump_json(self.record))


@dataclass(frozen=True)
class InboundFile:
    """One file ready to upload: its key, its body and the records in it."""

    key: str
    entity: str
    body: bytes
    records: tuple[OutgoingRecord, ...]

    @property
    def partner_keys(self) -> list[str]:
        return [r.partner_key for r in self.records]

    @property
    def size_bytes(self) -> int:
        return len(self.body)


@dataclass(frozen=True)
class PackedFiles:
    files: list[InboundFile]
    #: records whose file would be over the byte limit even alone, with the size they need
    too_large: list[tuple[OutgoingRecord, int]]


def file_name(entity: str, *, now: datetime, token: str | None = None) -> str:
    """``opp_<MMDDYYYYHHMMSS>_<8 hex>.json`` for opportunities, ``lead_…`` for leads (UTC)."""
    if entity not in FILE_NAME_PREFIXES:
        raise ValueError(f"unknown ACE entity {entity!r}; expected one of {', '.join(FILE_NAME_PREFIXES)}")
    stamp = now.astimezone(UTC).strftime("%m%d%Y%H%M%S")
    suffix = token or uuid.uuid4().hex[:NAME_SUFFIX_HEX_DIGITS]
    return f"{FILE_NAME_PREFIXES[entity]}_{stamp}_{suffix}.json"


def envelope(entity: str, records: Sequence[dict[str, Any]], *, spms_id: str) -> dict[str, Any]:
    """The file's JSON document: ``version`` "2.0", ``spmsId`` and the entity's record array.

    ``spmsId`` is optional in ACE's envelope (SPEC §4.2): left out rather than sent empty
    when ``ACE_SPMS_ID`` is not set.
    """
    head: dict[str, Any] = {"version": PAYLOAD_VERSION}
    if spms_id:
        head["spmsId"] = spms_id
    return {**head, RECORD_ARRAY_KEYS[entity]: list(records)}


def pack_files(records: Iterable[OutgoingRecord], *, entity: str, prefix: str, spms_id: str, now: datetime,
               records_per_file: int, max_file_bytes: int = ACE_INBOUND_MAX_BYTES,
               name_factory: Callable[[], str] | None = None) -> PackedFiles:
    """Records into files of at most ``records_per_file`` records and ``max_file_bytes`` bytes, in order."""
    if not 1 <= records_per_file <= ACE_INBOUND_MAX_RECORDS:
        raise ValueError(f"records_per_file must be 1..{ACE_INBOUND_MAX_RECORDS}, not {records_per_file}")
    if not 1 <= max_file_bytes <= ACE_INBOUND_MAX_BYTES:
        raise ValueError(f"max_file_bytes must be 1..{ACE_INBOUND_MAX_BYTES}, not {max_file_bytes}")
    names = name_factory or (lambda: file_name(entity, now=now))
    overhead = len(dump_json(envelope(entity, [], spms_id=spms_id)))
    files: list[InboundFile] = []
    too_large: list[tuple[OutgoingRecord, int]] = []
    batch: list[OutgoingRecord] = []
    size = overhead

    def flush() -> None:
        nonlocal batch, size
        if batch:
            files.append(_build(entity, batch, key=prefix + names(), spms_id=spms_id, max_file_bytes=max_file_bytes))
        batch, size = [], overhead

    for outgoing in records:
        outgoing = outgoing.with_encoding()
        alone = overhead + len(outgoing.encoded)
        if alone > max_file_bytes:
            too_large.append((outgoing, alone))
            continue
        added = len(outgoing.encoded) + (_ITEM_SEPARATOR_BYTES if batch else 0)
        if batch and (len(batch) >= records_per_file or size + added > max_file_bytes):
            flush()
            added = len(outgoing.encoded)
        batch.append(outgoing)
        size += added
    flush()
    return PackedFiles(files=files, too_large=too_large)


def _build(entity: str, batch: list[OutgoingRecord], *, key: str, spms_id: str,
           max_file_bytes: int) -> InboundFile:
    body = dump_json(envelope(entity, [r.record for r in batch], spms_id=spms_id))
    if len(body) > max_file_bytes:  # the arithmetic above is exact; this guards it
        raise AssertionError(f"packed file {key} is {len(body)} bytes, over {max_file_bytes}")
    return InboundFile(key=key, entity=entity, body=body, records=tuple(batch))
