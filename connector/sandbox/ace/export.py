"""Outbound export: the records changed since the last export, as ACE's hourly files (ACE-CONTRACT §8.5, §16.3).

Every changed record the partner may see goes out with its full field set
(nulls included), masked as the lifecycle requires, several records per file;
each file is also copied to ``<entity>-outbound-archive/``. File names are
unique and meaningless on purpose: the connector must never parse them.

"Changed" means any change that moved the record's ``lastModifiedDate``, the
partner's own creates and updates included: ACE's export is incremental by
modification time, so a partner sees its own writes come back and must not
echo them (ACE-CONTRACT §8.5 lists the AWS-side changes; this is the wider reading).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from connector.ace.bucket import AceBucket
from connector.ace.layout import AceLayout
from connector.sandbox.ace.book import Book
from connector.sandbox.ace.config import SimulatorConfig
from connector.sandbox.ace.permissions import SIMULATOR_METADATA
from connector.sandbox.ace.state import SimulatorState

OUTBOUND_VERSION = "2.0"


def export_changes(*, bucket: AceBucket, layout: AceLayout, state: SimulatorState, config: SimulatorConfig,
                   books: Mapping[str, Book], now: datetime) -> list[str]:
    """Write outbound files for every pending change; returns the keys written (archives excluded)."""
    written: list[str] = []
    per_file = max(1, config.export_records_per_file)
    for entity in layout.entities:
        book = books[entity.entity]
        changed = list(state.changed[entity.entity])
        ids = [record_id for record_id in changed if book.exportable(record_id)]
        for start in range(0, len(ids), per_file):
            views = [book.outbound_view(record_id) for record_id in ids[start:start + per_file]]
            document = {"version": OUTBOUND_VERSION, "spmsId": config.partner.spms_id,
                        entity.record_array_key: views}
            body = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
            state.export_sequence += 1
            name = f"{entity.entity}_{now:%Y%m%dT%H%M%S}Z_{state.export_sequence:06d}.json"
            for prefix in (entity.outbound, entity.outbound_archive):
                bucket.put_bytes(prefix + name, body, acl=None, metadata=SIMULATOR_METADATA)
            written.append(entity.outbound + name)
        for record_id in changed:
            book.after_export(record_id)
        state.changed[entity.entity] = []
    return written
