"""The folder (key prefix) layout of an ACE bucket.

Every prefix sits at the bucket root and ends with ``/``. The connector reads
``<entity>-outbound/`` and the results folder, and writes ``<entity>-inbound/``;
AWS (or the simulator) does the reverse and keeps the ``-archive`` copies.

Two spellings of the results folder exist in AWS's documentation. The
canonical one is ``<entity>-inbound-processed-results/``; the other,
``<entity>-inbound-results/``, is kept as ``results_alternate`` so readers can
scan both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from connector.settings import Settings

Entity = Literal["opportunity", "lead"]
ENTITIES: tuple[Entity, ...] = ("opportunity", "lead")

#: The record array key of each entity's files (ACE-CONTRACT §4.3).
RECORD_ARRAY_KEYS: dict[Entity, str] = {"opportunity": "opportunities", "lead": "leads"}

ARCHIVE_SUFFIX = "-archive/"


def as_prefix(value: str) -> str:
    """A key prefix: no leading slash, exactly one trailing slash."""
    stripped = value.strip().lstrip("/").rstrip("/")
    if not stripped:
        raise ValueError(f"an ACE folder prefix cannot be empty (got {value!r})")
    return stripped + "/"


def archive_of(prefix: str) -> str:
    """``opportunity-outbound/`` → ``opportunity-outbound-archive/`` (ACE-CONTRACT §2)."""
    return as_prefix(prefix).rstrip("/") + ARCHIVE_SUFFIX


@dataclass(frozen=True)
class EntityLayout:
    """The six folders of one entity, plus the alternate results spelling."""

    entity: Entity
    outbound: str
    inbound: str
    results: str
    results_alternate: str

    @classmethod
    def default(cls, entity: Entity) -> EntityLayout:
        return cls.build(entity)

    @classmethod
    def build(cls, entity: Entity, *, outbound: str | None = None, inbound: str | None = None,
              results: str | None = None, results_alternate: str | None = None) -> EntityLayout:
        if entity not in ENTITIES:
            raise ValueError(f"unknown ACE entity {entity!r}; expected one of {', '.join(ENTITIES)}")
        return cls(
            entity=entity,
            outbound=as_prefix(outbound or f"{entity}-outbound/"),
            inbound=as_prefix(inbound or f"{entity}-inbound/"),
            results=as_prefix(results or f"{entity}-inbound-processed-results/"),
            results_alternate=as_prefix(results_alternate or f"{entity}-inbound-results/"),
        )

    @property
    def record_array_key(self) -> str:
        return RECORD_ARRAY_KEYS[self.entity]

    @property
    def outbound_archive(self) -> str:
        return archive_of(self.outbound)

    @property
    def inbound_archive(self) -> str:
        return archive_of(self.inbound)

    @property
    def results_archive(self) -> str:
        return archive_of(self.results)

    @property
    def results_scan_prefixes(self) -> tuple[str, ...]:
        """Where results may appear: the canonical folder first, then the alternate one."""
        if self.results_alternate == self.results:
            return (self.results,)
        return (self.results, self.results_alternate)

    def all_prefixes(self) -> tuple[str, ...]:
        return (self.outbound, self.outbound_archive, self.inbound, self.inbound_archive,
                self.results, self.results_archive, self.results_alternate)


@dataclass(frozen=True)
class AceLayout:
    """The folders of both entities."""

    opportunity: EntityLayout
    lead: EntityLayout

    @classmethod
    def default(cls) -> AceLayout:
        return cls(opportunity=EntityLayout.default("opportunity"), lead=EntityLayout.default("lead"))

    @classmethod
    def from_settings(cls, settings: Settings) -> AceLayout:
        return cls(
            opportunity=EntityLayout.build(
                "opportunity",
                outbound=settings.ace_opportunity_outbound_prefix,
                inbound=settings.ace_opportunity_inbound_prefix,
                results=settings.ace_opportunity_results_prefix,
            ),
            lead=EntityLayout.build(
                "lead",
                outbound=settings.ace_lead_outbound_prefix,
                inbound=settings.ace_lead_inbound_prefix,
                results=settings.ace_lead_results_prefix,
            ),
        )

    @property
    def entities(self) -> tuple[EntityLayout, ...]:
        return (self.opportunity, self.lead)

    def for_entity(self, entity: str) -> EntityLayout:
        for layout in self.entities:
            if layout.entity == entity:
                return layout
        raise ValueError(f"unknown ACE entity {entity!r}; expected one of {', '.join(ENTITIES)}")
