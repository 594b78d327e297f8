"""What opportunity and lead stores share: ids, blank records, timestamps, the change log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connector.ace.catalog import Direction, EntityCatalog
from connector.sandbox.ace.config import SimulatorConfig
from connector.sandbox.ace.results import ace_datetime
from connector.sandbox.ace.state import SimulatorState

#: Who ACE names in `lastModifiedBy` when AWS people change a record.
AWS_ACTOR = "AWS Partner Central"


class UnknownRecord(LookupError):
    """A test hook named an id the simulator does not know."""


class InvalidChange(ValueError):
    """A test hook asked for a change ACE would not make."""


class Book:
    """The records of one entity inside the simulator state."""

    entity: str
    catalog: EntityCatalog

    def __init__(self, state: SimulatorState, config: SimulatorConfig, *, now: datetime) -> None:
        self.state = state
        self.config = config
        self.now = now

    @property
    def records(self) -> dict[str, dict[str, Any]]:
        return self.state.store(self.entity)

    def get(self, record_id: str) -> dict[str, Any] | None:
        entry = self.records.get(record_id)
        return entry["fields"] if entry else None

    def require(self, record_id: str) -> dict[str, Any]:
        fields = self.get(record_id)
        if fields is None:
            raise UnknownRecord(f"no {self.entity} with id {record_id!r} in the simulator")
        return fields

    def meta(self, record_id: str) -> dict[str, Any]:
        return self.records[record_id]["meta"]

    def find_by(self, field: str, value: Any) -> str | None:
        if value in (None, ""):
            return None
        for record_id, entry in self.records.items():
            if entry["fields"].get(field) == value:
                return record_id
        return None

    def stored_fields(self) -> list[str]:
        """Every contract field a stored record carries (outbound and inbound-only)."""
        return [spec.name for spec in self.catalog if not spec.deprecated]

    def outbound_fields(self) -> list[str]:
        return [spec.name for spec in self.catalog
                if not spec.deprecated and spec.direction is not Direction.INBOUND_ONLY]

    def insert(self, values: Mapping[str, Any], *, actor: str, meta: Mapping[str, Any]) -> str:
        record_id = self.state.new_id(self.entity)
        fields: dict[str, Any] = dict.fromkeys(self.stored_fields())
        fields.update(values)
        fields["apnCrmUniqueIdentifier"] = record_id
        stamp = ace_datetime(self.now)
        fields.update(createdDate=stamp, createdBy=actor)
        self.records[record_id] = {"fields": fields, "meta": dict(meta)}
        self.touch(record_id, actor=actor)
        return record_id

    def touch(self, record_id: str, *, actor: str) -> None:
        """Record a change: new lastModified stamp, and queued for the next export."""
        fields = self.records[record_id]["fields"]
        fields["lastModifiedDate"] = ace_datetime(self.now)
        fields["lastModifiedBy"] = actor
        self.state.mark_changed(self.entity, record_id)

    def check_field_names(self, values: Mapping[str, Any]) -> None:
        unknown = sorted(name for name in values if name not in self.catalog)
        if unknown:
            raise InvalidChange(f"unknown {self.entity} field(s): {', '.join(unknown)}")

    def partner_actor(self) -> str:
        return self.config.partner.alliance_lead_name
