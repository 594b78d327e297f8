"""Turning a request body into stored values, with the checks a real org makes.

Order of checks follows an org's: unknown fields, then read-only fields, then
each value's type and limits, then missing required fields.
"""

from __future__ import annotations

from connector.sandbox.salesforce.api_errors import ApiError
from connector.sandbox.salesforce.schema import FieldDef, ObjectDef
from connector.sandbox.salesforce.standard_objects import stage_facts
from connector.sandbox.salesforce.values import to_storage

#: Body keys that are not fields and are ignored.
IGNORED_BODY_KEYS = frozenset({"attributes"})


def unknown_field(obj: ObjectDef, name: str) -> ApiError:
    return ApiError("INVALID_FIELD", f"No such column '{name}' on sobject of type {obj.name}",
                    fields=[name])


def read_only_fields(names: list[str]) -> ApiError:
    return ApiError("INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {', '.join(names)}. Please check the security "
                    "settings of this field and verify that it is read/write for your profile or "
                    "permission set.", fields=names)


def required_missing(names: list[str]) -> ApiError:
    return ApiError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(names)}]",
                    fields=names)


def split_body(obj: ObjectDef, body: object, *, creating: bool, record_id: str | None = None
               ) -> tuple[dict[FieldDef, object], dict[FieldDef, dict]]:
    """Map body keys to fields (case-insensitively).

    Returns (field -> raw value, reference field -> {external-id field: value})
    for the relationship syntax ``"Account": {"Ext__c": "A-1"}``.
    """
    if not isinstance(body, dict):
        raise ApiError("JSON_PARSER_ERROR", "The request body must be a JSON object of field values")
    plain: dict[FieldDef, object] = {}
    by_relationship: dict[FieldDef, dict] = {}
    forbidden: list[str] = []
    for key, value in body.items():
        if key in IGNORED_BODY_KEYS:
            continue
        definition = obj.field(key)
        if definition is None:
            reference = obj.relationship(key)
            if reference is not None and isinstance(value, dict):
                by_relationship[reference] = value
                continue
            raise unknown_field(obj, key)
        if definition.name == "Id":
            if creating:
                raise ApiError("INVALID_FIELD", "Record ID: cannot specify Id in an insert call",
                               fields=["Id"])
            if record_id is not None and isinstance(value, str) and value[:15] == record_id[:15]:
                continue  # the record's own id is tolerated in an update body
            raise ApiError("INVALID_FIELD", f"Id in the body ({value}) differs from the record's id",
                           fields=["Id"])
        allowed = definition.createable if creating else definition.updateable
        if not allowed:
            forbidden.append(definition.name)
            continue
        plain[definition] = value
    if forbidden:
        raise read_only_fields(forbidden)
    return plain, by_relationship


def coerce(plain: dict[FieldDef, object]) -> dict[str, object]:
    return {definition.name: to_storage(definition, value) for definition, value in plain.items()}


def apply_create_defaults(obj: ObjectDef, values: dict[str, object]) -> None:
    for definition in obj.fields.values():
        if definition.name in values or not definition.createable:
            continue
        if definition.default_value is not None:
            values[definition.name] = (int(definition.default_value)
                                       if definition.type == "boolean" else definition.default_value)
        elif definition.type == "boolean":
            values[definition.name] = 0


def check_required(obj: ObjectDef, values: dict[str, object], *, creating: bool) -> None:
    """Creating: every required field present. Updating: no non-nillable field nulled."""
    missing = []
    for definition in obj.fields.values():
        if definition.type == "boolean" or not definition.createable:
            continue
        if creating:
            if definition.required and values.get(definition.name) is None:
                missing.append(definition.name)
        elif not definition.nillable and definition.name in values and values[definition.name] is None:
            missing.append(definition.name)
    if missing:
        raise required_missing(missing)


def derive(obj: ObjectDef, merged: dict[str, object], changed: dict[str, object]) -> dict[str, object]:
    """Values an org computes itself (formulas, stage defaults, composed names)."""
    derived: dict[str, object] = {}
    if obj.name == "Opportunity":
        facts = stage_facts(merged.get("StageName"))  # type: ignore[arg-type]
        if facts is not None:
            probability, category, closed, won = facts
            if "StageName" in changed:
                if "Probability" not in changed:
                    derived["Probability"] = float(probability)
                if "ForecastCategoryName" not in changed:
                    derived["ForecastCategoryName"] = category
            derived["IsClosed"], derived["IsWon"] = int(closed), int(won)
        amount = merged.get("Amount")
        probability_now = derived.get("Probability", merged.get("Probability"))
        derived["ExpectedRevenue"] = (round(float(amount) * float(probability_now) / 100, 2)
                                      if amount is not None and probability_now is not None else None)
    if obj.field("FirstName") is not None and obj.field("Name") is not None \
            and not obj.field("Name").createable:
        parts = [merged.get("FirstName"), merged.get("LastName")]
        derived["Name"] = " ".join(str(part) for part in parts if part) or None
    return derived
