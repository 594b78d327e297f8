"""Pure helpers of the outbound flow: one ACE record, one stored Salesforce row, one payload.

Nothing here talks to S3, Salesforce or Redis; ``outbound_batch`` does, with these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
import re
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

from connector.ace.catalog import MULTI_VALUE_SEPARATOR, is_masked
from connector.ace.records import format_ace_datetime, parse_ace_datetime

ACE_ID_KEY = "apnCrmUniqueIdentifier"
LAST_MODIFIED_KEY = "lastModifiedDate"
#: The partner key of each entity in ACE's files (leads use their own name, ACE-CONTRACT §7).
PARTNER_KEY_KEYS = {"opportunity": "partnerCrmUniqueIdentifier", "lead": "partnerCrmLeadId"}

# The per-record sync status values (docs/ARCHITECTURE.md): what the admin reads on the record.
STATUS_PENDING = "Pending"  # ACE does not know this record's partner key yet: the link is owed
STATUS_SENT = "Sent"
STATUS_SYNCED = "Synced"
STATUS_ERROR = "Error"

#: A placeholder close date lies this far ahead when ACE gives none (the admin corrects it).
PLACEHOLDER_CLOSE_DAYS = 30
#: Text fields are filled from these ACE fields (first visible one) when a referral creates a record.
PLACEHOLDER_SOURCES: dict[str, tuple[str, ...]] = {
    "Name": ("partnerProjectTitle", "customerCompanyName"),
    "Company": ("customerCompanyName", "company"),
}
_TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url"})
_NUMBER_TYPES = frozenset({"double", "currency", "int", "percent", "long"})
_SALESFORCE_ID_LENGTHS = (15, 18)
_DATE_START = re.compile(r"\d{4}-\d{2}-\d{2}")


class RecordRefused(ValueError):
    """A record of the file cannot be applied; the message says why (it is logged and reported)."""


@dataclass(frozen=True)
class IncomingRecord:
    """One record of an outbound file, with the keys the flow needs."""

    index: int  # position in the file, for messages
    data: Mapping[str, Any]
    ace_id: str
    partner_key: str | None
    last_modified: datetime | None

    def where(self) -> str:
        return f"record {self.index} ({self.ace_id})"


@dataclass(frozen=True)
class StoredRecord:
    """What the org holds for a record the file may touch."""

    id: str
    ace_id: str | None
    partner_key: str | None
    ace_last_modified: datetime | None
    row: Mapping[str, Any] = field(default_factory=dict)  # the fields read, for the mapping


def read_incoming(index: int, data: Mapping[str, Any], *, entity: str) -> IncomingRecord:
    """The keys of one record; RecordRefused when it cannot be matched or ordered."""
    ace_id = data.get(ACE_ID_KEY)
    if not isinstance(ace_id, str) or not ace_id.strip():
        raise RecordRefused(f"record {index} has no {ACE_ID_KEY} (got {ace_id!r}): it cannot be matched")
    partner_key = data.get(PARTNER_KEY_KEYS[entity])
    if not isinstance(partner_key, str) or not partner_key.strip() or is_masked(partner_key) \
            or partner_key == PARTNER_KEY_KEYS[entity]:  # AWS's lead sample carries the key's own name
        partner_key = None
    raw_modified = data.get(LAST_MODIFIED_KEY)
    try:
        last_modified = parse_ace_datetime(raw_modified) if raw_modified is not None else None
    except ValueError as exc:
        raise RecordRefused(f"record {index} ({ace_id}): {LAST_MODIFIED_KEY} {exc}") from None
    return IncomingRecord(index=index, data=data, ace_id=ace_id.strip(), partner_key=partner_key.strip()
                          if partner_key else None, last_modified=last_modified)


def newest_per_ace_id(records: Iterable[IncomingRecord]) -> tuple[list[IncomingRecord], list[IncomingRecord]]:
    """One record per ACE id (the newest; the later one on a tie), and the others.

    An incremental export may carry a record twice; Salesforce also refuses one
    external id twice in a single request.
    """
    kept: dict[str, IncomingRecord] = {}
    dropped: list[IncomingRecord] = []
    for record in records:
        current = kept.get(record.ace_id)
        if current is None:
            kept[record.ace_id] = record
        elif _order(record) >= _order(current):
            dropped.append(current)
            kept[record.ace_id] = record
        else:
            dropped.append(record)
    return list(kept.values()), dropped


def _order(record: IncomingRecord) -> datetime:
    return record.last_modified or datetime.min.replace(tzinfo=UTC)


class Age(Enum):
    """How an incoming record's ``lastModifiedDate`` compares with the one already applied."""

    NEWER = "newer"  # or nothing applied yet: apply it
    SAME_SECOND = "same second"  # apply it only if its content differs from what the record holds
    OLDER = "older"  # never applied: older data never overwrites newer


def age_of(record: IncomingRecord, stored: StoredRecord | None) -> Age:
    """Where the record stands against what was applied.

    ACE stamps to the whole second, so two different versions of a record can carry
    the same stamp: an equal stamp is not proof the version was applied. A record
    without ``lastModifiedDate`` cannot prove it is newer: it only fills a record that
    never received ACE data.
    """
    if stored is None or stored.ace_last_modified is None:
        return Age.NEWER
    if record.last_modified is None or record.last_modified < stored.ace_last_modified:
        return Age.OLDER
    return Age.NEWER if record.last_modified > stored.ace_last_modified else Age.SAME_SECOND


def same_salesforce_value(new: Any, held: Any) -> bool:
    """True when ``held`` (as Salesforce returns it) already is ``new`` (as the mapping writes it).

    Salesforce gives back its own forms: ``...000+0000`` for ``...000Z``, ``1200.0`` for
    ``1200``, a multi-select's values in its own order, and no difference between null and "".
    """
    if new in (None, "", []) or held in (None, "", []):
        return new in (None, "", []) and held in (None, "", [])
    if new == held:
        return True
    if isinstance(new, (int, float)) and isinstance(held, (int, float)) and not isinstance(new, bool):
        return float(new) == float(held)
    if isinstance(new, str) and isinstance(held, str):
        moments = parse_sf_datetime(new) if _DATE_START.match(new) else None, \
            parse_sf_datetime(held) if _DATE_START.match(held) else None
        if None not in moments:
            return moments[0] == moments[1]
        return MULTI_VALUE_SEPARATOR in new and sorted(new.split(MULTI_VALUE_SEPARATOR)) == \
            sorted(held.split(MULTI_VALUE_SEPARATOR))
    return False


def parse_sf_datetime(value: Any) -> datetime | None:
    """A Salesforce datetime (``2024-05-01T12:00:00.000+0000``) as aware UTC; None when empty."""
    if value in (None, ""):
        return None
    text = str(value)
    if text.endswith(("+0000", "-0000")):
        text = text[:-5] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None  # not ours to judge: the record is then treated as never synced
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def sf_datetime(value: datetime) -> str:
    """A datetime as Salesforce accepts it (ACE's own format is valid ISO-8601)."""
    return format_ace_datetime(value)


def looks_like_salesforce_id(value: str) -> bool:
    return len(value) in _SALESFORCE_ID_LENGTHS and value.isalnum() and value.isascii()


def creation_placeholders(describe: Mapping[str, Any], record: IncomingRecord, *,
                          values: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Values for the fields Salesforce requires on create that the mapping left empty.

    An AWS referral arrives with its customer details masked, and the mapping never
    copies a masked value, so a new record may lack its Name (Opportunity) or
    LastName and Company (Lead). They get visible placeholders instead: the project
    title or company name when ACE shows them, else ``ACE <id>``; a picklist gets
    its default value; a date PLACEHOLDER_CLOSE_DAYS ahead. The admin sees the real
    values once the referral is accepted and ACE unmasks them.
    """
    filled: dict[str, Any] = {}
    present = {name.lower() for name, value in values.items() if value not in (None, "")}
    for spec in required_on_create(describe):
        name = spec.get("name", "")
        if name.lower() in present:
            continue
        value = _placeholder(spec, record, today=today)
        if value is not None:
            filled[name] = value
    return filled


# The last describe seen and its required fields: the client caches describes, so the same
# object comes back for every record, and scanning its hundreds of fields each time cost a
# tenth of a millisecond per created record.
_required_fields: tuple[Mapping[str, Any], tuple[Mapping[str, Any], ...]] | None = None


def required_on_create(describe: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...]:
    """The fields of ``describe`` a create must fill: createable, not nillable, no default."""
    global _required_fields
    cached = _required_fields
    if cached is not None and cached[0] is describe:
        return cached[1]
    required = tuple(spec for spec in describe.get("fields", ())
                     if spec.get("name", "") != "Id" and spec.get("createable")
                     and not spec.get("nillable", True) and not spec.get("defaultedOnCreate"))
    _required_fields = (describe, required)
    return required


def _placeholder(spec: Mapping[str, Any], record: IncomingRecord, *, today: date) -> Any:
    kind = spec.get("type")
    if kind in _TEXT_TYPES:
        for source in PLACEHOLDER_SOURCES.get(spec["name"], ()):
            value = record.data.get(source)
            if isinstance(value, str) and value.strip() and not is_masked(value):
                return _cut(value.strip(), spec)
        return _cut(f"ACE {record.ace_id}", spec)
    if kind in ("picklist", "multipicklist"):
        active = [v for v in spec.get("picklistValues") or () if v.get("active", True)]
        default = next((v["value"] for v in active if v.get("defaultValue")), None)
        return default or (active[0]["value"] if active else None)
    if kind == "date":
        return (today + timedelta(days=PLACEHOLDER_CLOSE_DAYS)).isoformat()
    if kind in _NUMBER_TYPES:
        return 0
    return None  # references and the like: Salesforce's own error names the field


def _cut(text: str, spec: Mapping[str, Any]) -> str:
    length = spec.get("length") or 0
    return text[:length] if length and len(text) > length else text
