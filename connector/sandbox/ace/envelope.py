"""Whole-file checks of an inbound file (ACE-CONTRACT §4, §5.2, §5.5).

A file failing any of them is rejected as a whole: nothing in it is applied,
and its results carry ``isApiError: true`` and the reason in ``apiErrors``.
Messages follow ACE's JSON-schema style where ACE's wording is known
(``<input> is not of type 'object'``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from connector.settings import ACE_INBOUND_MAX_BYTES, ACE_INBOUND_MAX_RECORDS
from connector.sandbox.ace.config import Flags

#: How much of a wrong input is quoted back in an error message.
MAX_QUOTED_CHARS = 200
SUPPORTED_MAJOR_VERSIONS = (1, 2)
_VERSION_TEXT = re.compile(r"^\s*(\d+)(?:\.\d*)?\s*$")


class FileRejected(Exception):
    """The file as a whole breaks the contract; ``errors`` go to ``apiErrors``."""

    def __init__(self, errors: list[str], *, spms_id: Any = None) -> None:
        self.errors = errors
        self.spms_id = spms_id
        super().__init__("; ".join(errors))


@dataclass(frozen=True)
class Envelope:
    spms_id: Any
    version_text: str | None
    major_version: int
    records: list[Any]


def quote(value: Any) -> str:
    """The input as ACE quotes it in an error: compact JSON, cut short."""
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= MAX_QUOTED_CHARS else text[: MAX_QUOTED_CHARS - 1] + "…"


def check_size(size_bytes: int) -> None:
    if size_bytes > ACE_INBOUND_MAX_BYTES:
        raise FileRejected([f"The file is {size_bytes} bytes; files over {ACE_INBOUND_MAX_BYTES} bytes "
                            "(1 MB) are not processed"])


def decode_json(data: bytes) -> Any:
    if data.startswith(b"\xef\xbb\xbf"):
        raise FileRejected(["The file starts with a UTF-8 byte order mark; send UTF-8 JSON without one"])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRejected([f"The file is not UTF-8 text (byte {exc.start}: {exc.reason}); "
                            "only UTF-8 JSON is processed"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRejected([f"The file does not match the field definition format: invalid JSON at "
                            f"line {exc.lineno} column {exc.colno} ({exc.msg})"]) from None
    except RecursionError:
        raise FileRejected(["The file does not match the field definition format: "
                            "JSON nested too deeply"]) from None


def _record_array(document: dict[str, Any], *, array_key: str, flags: Flags) -> list[Any]:
    spms_id = document.get("spmsId")
    capital = array_key[0].upper() + array_key[1:]
    present = [key for key in (array_key, capital) if key in document]
    if array_key == "leads" and len(present) == 2:
        raise FileRejected(["Both 'leads' and 'Leads' are present; send one record array, 'leads'"],
                           spms_id=spms_id)
    if array_key in document:
        records = document[array_key]
    elif array_key == "leads" and capital in document and flags.accept_capital_Leads:
        records = document[capital]
    else:
        hint = (" (field names are case-sensitive)" if capital in document else "")
        raise FileRejected([f"'{array_key}' is a required property{hint}"], spms_id=spms_id)
    if not isinstance(records, list):
        raise FileRejected([f"{quote(records)} is not of type 'array'"], spms_id=spms_id)
    return records


def _major_version(document: dict[str, Any], *, flags: Flags, high_water: int | None) -> tuple[str | None, int]:
    spms_id = document.get("spmsId")
    if "version" not in document or document["version"] is None:
        if high_water == 2 or not flags.allow_v1:
            raise FileRejected(["'version' is a required property; send \"2.0\""], spms_id=spms_id)
        return None, 1  # version 1 files could omit it
    raw = document["version"]
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise FileRejected([f"{quote(raw)} is not of type 'string'"], spms_id=spms_id)
    text = str(raw)
    match = _VERSION_TEXT.match(text)
    major = int(match.group(1)) if match else None
    if major not in SUPPORTED_MAJOR_VERSIONS:
        raise FileRejected([f"Unsupported version '{text}'; send \"2.0\""], spms_id=spms_id)
    if major == 1 and not flags.allow_v1:
        raise FileRejected([f"Version '{text}' is no longer accepted; payload version 1 has been retired, "
                            "send \"2.0\""], spms_id=spms_id)
    if high_water is not None and major < high_water:
        raise FileRejected([f"Version '{text}' is lower than version {high_water} already used by this "
                            "partner; the payload version may go up, never down"], spms_id=spms_id)
    return text, major


def read_envelope(data: bytes, *, array_key: str, flags: Flags, high_water: int | None) -> Envelope:
    """Parse and check one inbound file; raise FileRejected for any whole-file failure."""
    document = decode_json(data)
    if not isinstance(document, dict):
        raise FileRejected([f"{quote(document)} is not of type 'object'"])
    records = _record_array(document, array_key=array_key, flags=flags)
    version_text, major = _major_version(document, flags=flags, high_water=high_water)
    if len(records) > ACE_INBOUND_MAX_RECORDS:
        raise FileRejected([f"The file holds {len(records)} records; at most {ACE_INBOUND_MAX_RECORDS} "
                            "records are allowed per file"], spms_id=document.get("spmsId"))
    return Envelope(spms_id=document.get("spmsId"), version_text=version_text,
                    major_version=major, records=records)
