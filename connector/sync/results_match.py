"""Find the Salesforce records that ACE's per-record results speak of.

A result names its record by partner key (the key we sent: the record Id by
default) and, once ACE knows it, by ACE id. Both are looked up in one query
each for a whole group of results files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from connector.sync.context import SyncContext
from connector.sync.outbound_records import StoredRecord, looks_like_salesforce_id


@dataclass
class RecordIndex:
    """Stored records by partner key (15- and 18-character Ids both) and by ACE id."""

    by_partner_key: dict[str, StoredRecord] = field(default_factory=dict)
    by_ace_id: dict[str, StoredRecord] = field(default_factory=dict)

    def add(self, record: StoredRecord) -> None:
        if record.partner_key:
            self.by_partner_key[record.partner_key] = record
            self.by_partner_key.setdefault(record.partner_key[:15], record)
        if record.ace_id:
            self.by_ace_id[record.ace_id] = record

    def match(self, *, partner_key: str | None, ace_id: str | None) -> StoredRecord | None:
        """The record a result is about: by partner key first, then by ACE id."""
        if partner_key and (found := self.by_partner_key.get(partner_key)) is not None:
            return found
        return self.by_ace_id.get(ace_id) if ace_id else None


def queryable_partner_keys(keys: Iterable[str], *, partner_key_field: str) -> list[str]:
    """Keys a query may carry: when the partner key is the record Id, only well-formed Ids
    (Salesforce refuses a whole query over one malformed Id)."""
    return sorted(k for k in set(keys) if partner_key_field != "Id" or looks_like_salesforce_id(k))


def find_records(ctx: SyncContext, mapping: Any, pairs: Iterable[tuple[str | None, str | None]]) -> RecordIndex:
    """The records behind ``(partner_key, ace_id)`` pairs: a query by partner key, then one by
    ACE id for the pairs the first did not resolve (accepts and rejects carry no partner key)."""
    pairs = list(pairs)
    partner_key_field = mapping.partner_key_field or "Id"
    fields = list(dict.fromkeys(["Id", mapping.ace_id_field, partner_key_field]))
    index = RecordIndex()

    def load(key_field: str, values: list[str]) -> None:
        if values:
            for row in ctx.salesforce.find_by(mapping.salesforce_object, fields, key_field=key_field, values=values):
                index.add(StoredRecord(id=row["Id"], ace_id=row.get(mapping.ace_id_field),
                                       partner_key=row.get(partner_key_field), ace_last_modified=None))

    load(partner_key_field, queryable_partner_keys((p for p, _ in pairs if p), partner_key_field=partner_key_field))
    load(mapping.ace_id_field, sorted({a for p, a in pairs if a and index.match(partner_key=p, ace_id=None) is None}))
    return index
