"""Describe output (global, basic info, full describe), built from the schema definitions."""

from __future__ import annotations

from connector.sandbox.salesforce.schema import FieldDef, ObjectDef, OrgSchema

SOAP_TYPES = {"id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean", "int": "xsd:int",
              "double": "xsd:double", "currency": "xsd:double", "percent": "xsd:double",
              "date": "xsd:date", "datetime": "xsd:dateTime", "time": "xsd:time"}
#: describe's byteLength is three bytes per character (UTF-8 worst case).
BYTES_PER_CHARACTER = 3
UNSORTABLE_TYPES = frozenset({"textarea", "multipicklist"})


def object_urls(obj: ObjectDef, *, api_version: str) -> dict:
    base = f"/services/data/v{api_version}/sobjects/{obj.name}"
    return {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"}


def object_summary(obj: ObjectDef, *, api_version: str) -> dict:
    writable = obj.writable
    return {
        "name": obj.name, "label": obj.label or obj.name,
        "labelPlural": obj.label_plural or f"{obj.label or obj.name}s", "keyPrefix": obj.key_prefix,
        "custom": obj.custom, "createable": writable, "updateable": writable, "deletable": writable,
        "queryable": True, "retrieveable": True, "searchable": writable, "layoutable": writable,
        "replicateable": True, "triggerable": writable, "undeletable": writable, "mergeable": False,
        "customSetting": False, "feedEnabled": False, "activateable": False,
        "deprecatedAndHidden": False, "mruEnabled": writable,
        "urls": object_urls(obj, api_version=api_version),
    }


def global_describe(schema: OrgSchema, *, api_version: str) -> dict:
    objects = sorted(schema.objects.values(), key=lambda obj: obj.name)
    return {"encoding": "UTF-8", "maxBatchSize": 200,
            "sobjects": [object_summary(obj, api_version=api_version) for obj in objects]}


def _picklist_entries(definition: FieldDef) -> list[dict]:
    return [{"value": value, "label": value, "active": True,
             "defaultValue": value == definition.default_value, "validFor": None}
            for value in definition.picklist_values]


def field_describe(definition: FieldDef) -> dict:
    kind = definition.type
    numeric = kind in ("double", "currency", "percent")
    text_like = kind not in SOAP_TYPES or kind in ("id", "reference")
    length = definition.length if text_like else 0
    name_like = definition.name in ("Name", "Username")
    return {
        "name": definition.name, "label": definition.label or definition.name, "type": kind,
        "soapType": SOAP_TYPES.get(kind, "xsd:string"),
        "length": length, "byteLength": length * BYTES_PER_CHARACTER,
        "precision": definition.precision if numeric else 0,
        "scale": definition.scale if numeric else 0,
        "digits": definition.precision if kind == "int" else 0,
        "nillable": definition.nillable, "createable": definition.createable,
        "updateable": definition.updateable, "defaultedOnCreate": definition.defaulted_on_create,
        "externalId": definition.external_id, "unique": definition.unique,
        "caseSensitive": definition.case_sensitive,
        "idLookup": definition.name == "Id" or definition.external_id or name_like,
        "custom": definition.custom, "calculated": definition.calculated, "autoNumber": False,
        "filterable": kind != "textarea" or definition.length <= 255,
        "sortable": kind not in UNSORTABLE_TYPES, "groupable": kind not in UNSORTABLE_TYPES,
        "nameField": definition.name == "Name",
        "picklistValues": _picklist_entries(definition),
        "restrictedPicklist": definition.restricted_picklist, "dependentPicklist": False,
        "controllerName": None,
        "referenceTo": list(definition.reference_to),
        "relationshipName": definition.relationship_name, "relationshipOrder": None,
        "cascadeDelete": False,
        "defaultValue": definition.default_value if definition.type != "reference" else None,
        "inlineHelpText": None, "htmlFormatted": False,
    }


def child_relationships(obj: ObjectDef, schema: OrgSchema) -> list[dict]:
    children = []
    for child in sorted(schema.objects.values(), key=lambda candidate: candidate.name):
        for definition in child.fields.values():
            if obj.name in definition.reference_to and definition.name not in (
                    "CreatedById", "LastModifiedById"):
                children.append({"childSObject": child.name, "field": definition.name,
                                 "relationshipName": None, "cascadeDelete": False,
                                 "deprecatedAndHidden": False, "restrictedDelete": False})
    return children


def describe(obj: ObjectDef, schema: OrgSchema, *, api_version: str) -> dict:
    summary = object_summary(obj, api_version=api_version)
    return {
        **summary,
        "fields": [field_describe(definition) for definition in obj.fields.values()],
        "childRelationships": child_relationships(obj, schema),
        "recordTypeInfos": [{"name": "Master", "developerName": "Master", "active": True,
                             "available": True, "defaultRecordTypeMapping": True, "master": True,
                             "recordTypeId": "012000000000000AAA", "urls": {}}],
    }
