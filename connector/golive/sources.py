"""Where ACE's existing opportunities come from: a file AWS sent (JSON or CSV) or the outbound folder."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from connector.ace.bucket import AceBucket
from connector.ace.layout import AceLayout
from connector.errors import ConfigurationError

ACE_ID = "apnCrmUniqueIdentifier"
#: Column titles of AWS's exports, as Partner Central labels them, and the ACE field each is.
EXPORT_LABELS = {
    "opportunity id": ACE_ID, "apn crm unique identifier": ACE_ID, "id": ACE_ID,
    "customer company name": "customerCompanyName", "account name": "customerCompanyName",
    "partner project title": "partnerProjectTitle", "project title": "partnerProjectTitle",
    "target close date": "targetCloseDate", "close date": "targetCloseDate",
    "customer website": "customerWebsite", "website": "customerWebsite",
    "partner crm unique identifier": "partnerCrmUniqueIdentifier",
}


def _records_of(document: Any, *, source: str) -> list[dict[str, Any]]:
    if isinstance(document, Mapping):
        document = document.get("opportunities")
    if not isinstance(document, list) or not all(isinstance(r, Mapping) for r in document):
        raise ConfigurationError(f"{source}: expected an ACE opportunity file ({{\"opportunities\": [...]}}) "
                                 "or a JSON list of opportunity objects")
    return [dict(r) for r in document]


def _csv_records(text: str, *, source: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        raise ConfigurationError(f"{source}: the CSV file has no header row")
    columns = {name: EXPORT_LABELS.get(name.strip().casefold(), name.strip()) for name in reader.fieldnames}
    if ACE_ID not in columns.values():
        raise ConfigurationError(f"{source}: no column holds the ACE opportunity id (apnCrmUniqueIdentifier or "
                                 f"'Opportunity Id'); columns: {', '.join(reader.fieldnames)}")
    return [{columns[k]: (v.strip() or None) for k, v in row.items() if k is not None} for row in reader]


def load_ace_opportunities(path: str | Path) -> list[dict[str, Any]]:
    """ACE's opportunities from an outbound file, a JSON list, or AWS's CSV export."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".csv":
        records = _csv_records(text, source=str(path))
    else:
        try:
            records = _records_of(json.loads(text), source=str(path))
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"{path}: not valid JSON ({exc}); CSV files need a .csv name") from None
    missing = [i for i, r in enumerate(records, start=1) if not r.get(ACE_ID)]
    if missing:
        raise ConfigurationError(f"{path}: record(s) {', '.join(map(str, missing[:10]))} have no ACE id")
    return records


def outbound_opportunities(bucket: AceBucket, layout: AceLayout) -> list[dict[str, Any]]:
    """Every opportunity in the outbound folder (read only: nothing is tagged), newest version of each."""
    newest: dict[str, dict[str, Any]] = {}
    prefix = layout.for_entity("opportunity").outbound
    for info in bucket.list_objects(prefix):
        for record in _records_of(json.loads(bucket.read_bytes(info.key)), source=info.key):
            ace_id = record.get(ACE_ID)
            if not ace_id:
                continue
            seen = newest.get(ace_id)
            if seen is None or str(record.get("lastModifiedDate") or "") >= str(seen.get("lastModifiedDate") or ""):
                newest[ace_id] = record
    return list(newest.values())
