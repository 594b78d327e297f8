"""The emulated org's schema: one declarative definition per object.

Describe output, record validation and the SOQL compiler all read these
definitions. Object and field names are case-insensitive, as in a real org:
look-ups go through ``OrgSchema.object`` and ``ObjectDef.field``.

Storage convention (shared with the SOQL compiler): one SQLite table per
object, named by its API name; one column per field, named by its API name;
plus an ``IsDeleted`` column. Values are stored as: text-like types as TEXT,
boolean as INTEGER 0/1, numbers as REAL (int as INTEGER), date as TEXT
``YYYY-MM-DD``, datetime as TEXT ``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC (fixed
width, so text order is time order), multipicklist as TEXT joined by ``;``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldDef:
    name: str
    #: the describe type: id, string, textarea, picklist, multipicklist, boolean, int,
    #: double, currency, percent, date, datetime, email, phone, url, reference
    type: str
    label: str = ""
    length: int = 0
    precision: int = 0
    scale: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    defaulted_on_create: bool = False
    default_value: object = None
    external_id: bool = False
    unique: bool = False
    case_sensitive: bool = False
    restricted_picklist: bool = False
    picklist_values: tuple[str, ...] = ()
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    custom: bool = False
    #: formula/roll-up or system-computed (describe's ``calculated``)
    calculated: bool = False

    @property
    def required(self) -> bool:
        """The rule clients derive from describe, and the one the emulator enforces."""
        return self.createable and not self.nillable and not self.defaulted_on_create


@dataclass
class ObjectDef:
    name: str
    key_prefix: str
    label: str = ""
    custom: bool = False
    label_plural: str = ""
    #: False for objects the integration user may read but not write (User, Organization)
    writable: bool = True
    #: keyed by lower-case field name
    fields: dict[str, FieldDef] = field(default_factory=dict)

    def field(self, name: str) -> FieldDef | None:
        return self.fields.get(name.lower())

    def add_field(self, definition: FieldDef) -> None:
        self.fields[definition.name.lower()] = definition

    def relationship(self, name: str) -> FieldDef | None:
        """The reference field whose relationship name is ``name`` (e.g. ``Account``)."""
        wanted = name.lower()
        for candidate in self.fields.values():
            if candidate.relationship_name and candidate.relationship_name.lower() == wanted:
                return candidate
        return None


@dataclass
class OrgSchema:
    #: keyed by lower-case object name
    objects: dict[str, ObjectDef] = field(default_factory=dict)

    def object(self, name: str) -> ObjectDef | None:
        return self.objects.get(name.lower())

    def add(self, obj: ObjectDef) -> None:
        self.objects[obj.name.lower()] = obj
