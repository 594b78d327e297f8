"""Custom fields read from sfdx source (``objects/<Object>/fields/*.field-meta.xml``).

The emulator and a real deployment read the same files, so the org the tests
run against has exactly the fields an admin deploys. Every ``*.field-meta.xml``
under the source folder is loaded, whoever added it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

from connector.sandbox.salesforce.schema import FieldDef, OrgSchema

METADATA_NAMESPACE = "{http://soap.sforce.com/2006/04/metadata}"

#: Metadata API field type -> (describe type, default length)
FIELD_TYPES = {
    "Text": ("string", 255), "TextArea": ("textarea", 255), "LongTextArea": ("textarea", 32768),
    "Html": ("textarea", 32768), "Email": ("email", 80), "Phone": ("phone", 40), "Url": ("url", 255),
    "Checkbox": ("boolean", 0), "Picklist": ("picklist", 255), "MultiselectPicklist": ("multipicklist", 4099),
    "Date": ("date", 0), "DateTime": ("datetime", 0), "Number": ("double", 0),
    "Currency": ("currency", 0), "Percent": ("percent", 0), "Lookup": ("reference", 18),
}


class SfdxSourceError(ValueError):
    """A field-meta.xml file cannot be turned into a field definition."""


def _text(element: ElementTree.Element, tag: str) -> str | None:
    found = element.find(METADATA_NAMESPACE + tag)
    return found.text.strip() if found is not None and found.text is not None else None


def _flag(element: ElementTree.Element, tag: str) -> bool:
    return (_text(element, tag) or "false").lower() == "true"


def _picklist(root: ElementTree.Element) -> tuple[tuple[str, ...], str | None, bool]:
    value_set = root.find(METADATA_NAMESPACE + "valueSet")
    if value_set is None:
        return (), None, False
    values, default = [], None
    definition = value_set.find(METADATA_NAMESPACE + "valueSetDefinition")
    for value in (definition if definition is not None else []):
        if value.tag != METADATA_NAMESPACE + "value":
            continue
        name = _text(value, "fullName")
        if name is None:
            continue
        values.append(name)
        if _flag(value, "default"):
            default = name
    return tuple(values), default, _flag(value_set, "restricted")


def parse_field(path: Path) -> FieldDef:
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as exc:
        raise SfdxSourceError(f"{path}: not well-formed XML ({exc})") from exc
    name = _text(root, "fullName") or path.name.removesuffix(".field-meta.xml")
    metadata_type = _text(root, "type")
    if metadata_type not in FIELD_TYPES:
        raise SfdxSourceError(f"{path}: field type {metadata_type!r} is not supported by the emulator "
                              f"(supported: {', '.join(sorted(FIELD_TYPES))})")
    describe_type, default_length = FIELD_TYPES[metadata_type]
    length = int(_text(root, "length") or default_length)
    required = _flag(root, "required")
    flags: dict = {
        "name": name, "type": describe_type, "label": _text(root, "label") or name,
        "length": length, "custom": True, "nillable": not required,
        "external_id": _flag(root, "externalId"), "unique": _flag(root, "unique"),
        "case_sensitive": _flag(root, "caseSensitive"),
    }
    if describe_type in ("double", "currency", "percent"):
        flags.update(precision=int(_text(root, "precision") or 18), scale=int(_text(root, "scale") or 0))
    if describe_type == "boolean":
        flags.update(nillable=False, defaulted_on_create=True,
                     default_value=(_text(root, "defaultValue") or "false").lower() == "true")
    if describe_type in ("picklist", "multipicklist"):
        values, default, restricted = _picklist(root)
        flags.update(picklist_values=values, restricted_picklist=restricted, default_value=default,
                     defaulted_on_create=default is not None)
    if describe_type == "reference":
        target = _text(root, "referenceTo")
        if not target:
            raise SfdxSourceError(f"{path}: a Lookup field needs <referenceTo>")
        relationship = _text(root, "relationshipName") or name.removesuffix("__c")
        flags.update(reference_to=(target,), relationship_name=relationship + "__r")
    return FieldDef(**flags)


def load_custom_fields(source_dir: Path, schema: OrgSchema) -> list[str]:
    """Add every field under ``source_dir`` to the objects of ``schema``.

    Returns the ``Object.Field`` names loaded. A field for an object the schema
    does not know is an error: the emulator would otherwise silently lack it.
    """
    loaded = []
    for path in sorted(Path(source_dir).glob("**/objects/*/fields/*.field-meta.xml")):
        object_name = path.parent.parent.name
        obj = schema.object(object_name)
        if obj is None:
            raise SfdxSourceError(f"{path}: object {object_name!r} is not part of the emulated org")
        definition = parse_field(path)
        obj.add_field(definition)
        loaded.append(f"{obj.name}.{definition.name}")
    return loaded
