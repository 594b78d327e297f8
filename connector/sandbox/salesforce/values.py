"""Field values: from request JSON (or bulk CSV text) to storage, and from storage to JSON.

Storage forms follow the convention in ``schema.py``. Input parsing is strict in
the way a real org is: a value of the wrong JSON type, an unparseable date or a
number beyond its precision is refused with the error code the org would use.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from connector.sandbox.salesforce.api_errors import ApiError
from connector.sandbox.salesforce.ids import to_id18
from connector.sandbox.salesforce.schema import FieldDef

TEXT_TYPES = frozenset({"string", "textarea", "picklist", "multipicklist", "combobox", "email",
                        "phone", "url", "encryptedstring"})
NUMBER_TYPES = frozenset({"double", "currency", "percent"})
#: Characters of an offending value quoted back in an error message.
ERROR_VALUE_PREVIEW_CHARS = 50

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def format_datetime_storage(moment: datetime) -> str:
    """UTC, whole seconds, fixed width: text order is time order."""
    moment = moment.astimezone(timezone.utc).replace(microsecond=0)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def api_datetime(moment: datetime) -> str:
    """The API's output form: ``2024-06-03T09:12:44.000+0000``."""
    return format_datetime_storage(moment)[:-1] + "+0000"


def _json_error(definition: FieldDef, value: object, expected: str) -> ApiError:
    shown = str(value)[:ERROR_VALUE_PREVIEW_CHARS]
    return ApiError("JSON_PARSER_ERROR",
                    f"Cannot deserialize instance of {expected} from value '{shown}' "
                    f"for field {definition.name}", fields=[definition.name])


def parse_datetime(text: str) -> datetime | None:
    match = _DATETIME.match(text)
    if not match:
        return None
    day, hour, minute, second, _fraction, zone = match.groups()
    try:
        naive = datetime.fromisoformat(f"{day}T{hour}:{minute}:{second}")
    except ValueError:
        return None
    if zone == "Z":
        offset = timedelta(0)
    else:
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        offset = offset if zone[0] == "+" else -offset
    return naive.replace(tzinfo=timezone(offset))


def _text_value(definition: FieldDef, value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _json_error(definition, value, "String")
    text = value if isinstance(value, str) else str(value)
    if text == "":
        return None  # an org stores an empty string as null
    if definition.type == "multipicklist":
        parts = [part for part in text.split(";") if part]
        text = ";".join(parts)
        check = parts
    else:
        check = [text]
    if definition.length and len(text) > definition.length:
        raise ApiError("STRING_TOO_LONG",
                       f"{definition.label}: data value too large: "
                       f"{text[:ERROR_VALUE_PREVIEW_CHARS]} (max length={definition.length})",
                       fields=[definition.name])
    if definition.restricted_picklist:
        for part in check:
            if part not in definition.picklist_values:
                raise ApiError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                               f"{definition.label}: bad value for restricted picklist field: {part}",
                               fields=[definition.name])
    if definition.type == "email" and not _EMAIL.match(text):
        raise ApiError("INVALID_EMAIL_ADDRESS", f"{definition.label}: invalid email address: {text}",
                       fields=[definition.name])
    return text


def _number_value(definition: FieldDef, value: object) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _json_error(definition, value, "double")
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(repr(value))
    except InvalidOperation:
        raise _json_error(definition, value, "double") from None
    if not number.is_finite():
        raise _json_error(definition, value, "double")
    if definition.type == "int":
        if number != number.to_integral_value():
            raise _json_error(definition, value, "int")
        integer_digits = definition.precision or 9
        if len(str(abs(int(number)))) > integer_digits:
            raise _range_error(definition, value)
        return int(number)
    scale = definition.scale
    rounded = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    integer_digits = (definition.precision or 18) - scale
    if abs(rounded) >= Decimal(10) ** integer_digits:
        raise _range_error(definition, value)
    return float(rounded)


def _range_error(definition: FieldDef, value: object) -> ApiError:
    return ApiError("NUMBER_OUTSIDE_VALID_RANGE",
                    f"{definition.label}: value outside of valid range on numeric field: {value}",
                    fields=[definition.name])


def _boolean_value(definition: FieldDef, value: object) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return int(value.lower() == "true")
    raise _json_error(definition, value, "boolean")


def _date_value(definition: FieldDef, value: object) -> str:
    if isinstance(value, str) and _DATE.match(value):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise _json_error(definition, value, "date")


def _datetime_value(definition: FieldDef, value: object) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        raise _json_error(definition, value, "datetime")
    return format_datetime_storage(moment)


def _reference_value(definition: FieldDef, value: object) -> str:
    if not isinstance(value, str):
        raise _json_error(definition, value, "id")
    id18 = to_id18(value)
    if id18 is None:
        raise ApiError("MALFORMED_ID", f"{definition.label}: id value of incorrect type: {value}",
                       fields=[definition.name])
    return id18


def to_storage(definition: FieldDef, value: object) -> object:
    """The stored form of one input value; raises ApiError for a bad one.

    ``None`` clears the field (a boolean cleared becomes false, as in an org).
    """
    if value is None:
        return 0 if definition.type == "boolean" else None
    kind = definition.type
    if kind in TEXT_TYPES:
        return _text_value(definition, value)
    if kind in NUMBER_TYPES or kind == "int":
        if isinstance(value, str) and value.strip() == "":
            return None
        return _number_value(definition, value)
    if kind == "boolean":
        return _boolean_value(definition, value)
    if kind == "date":
        return _date_value(definition, value)
    if kind == "datetime":
        return _datetime_value(definition, value)
    if kind in ("reference", "id"):
        return _reference_value(definition, value)
    raise _json_error(definition, value, kind)


def to_json(definition: FieldDef, stored: object) -> object:
    """How the API shows a stored value."""
    if stored is None:
        return None
    kind = definition.type
    if kind == "boolean":
        return bool(stored)
    if kind == "datetime":
        return f"{stored[:-1]}+0000" if isinstance(stored, str) and stored.endswith("Z") else stored
    if kind in NUMBER_TYPES:
        number = float(stored)
        return number if math.isfinite(number) else None
    if kind == "int":
        return int(stored)
    return stored
