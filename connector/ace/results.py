"""Results files and error files: ACE's answer to every inbound file (ACE-CONTRACT §5.4, §6).

A results file has exactly the keys of AWS's samples; error files (for uploads
ACE could not read at all) have the same keys with ``isApiError`` true and no
per-record results. ``ResultsFile.parse`` reads both, and tolerates the small
differences seen between sources (``_result`` or ``_results`` names, keys left
out, ``success`` in another case); partners should trust each record's
``isSuccess`` rather than the file-level ``success``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connector.ace.jsonio import dump_json, load_json_object, validation_reason
from connector.ace.records import AceDateTime
from connector.errors import MalformedFileError

__all__ = [
    "ERROR_FILE_SUFFIX",
    "Outcome",
    "RESULTS_SUFFIX",
    "RecordResult",
    "ResultsFile",
    "error_file_name",
    "inbound_base_name",
    "outcome_of",
    "results_file_name",
]

#: ``<inbound base>_result.json`` (AWS's newer documents; the 2021 FAQ says ``_results``).
RESULTS_SUFFIX = "_result"
#: ``<inbound name>.error.json`` for uploads that are not JSON files.
ERROR_FILE_SUFFIX = ".error.json"

_RESULT_ENDINGS = ("_results.json", "_result.json", ".error.json", "_error.json")


class Outcome(StrEnum):
    ALL = "ALL"
    NONE = "NONE"
    PARTIAL = "PARTIAL"  # never shown in AWS's samples; assumed for mixed outcomes


def outcome_of(successes: Iterable[bool]) -> Outcome:
    """ALL when every record succeeded, NONE when none did (or there were none), else PARTIAL."""
    flags = list(successes)
    if flags and all(flags):
        return Outcome.ALL
    if any(flags):
        return Outcome.PARTIAL
    return Outcome.NONE


class RecordResult(BaseModel):
    """The outcome of one inbound record (lead results carry the partner key in the same field)."""

    model_config = ConfigDict(extra="allow")

    warnings: list[str] | None = None
    partnerCrmUniqueIdentifier: str | None = None
    isSuccess: bool = False
    errors: list[str] | None = None
    apnCrmUniqueIdentifier: str | None = None


class ResultsFile(BaseModel):
    """A results file, or an error file (``isApiError`` true, ``inboundApiResults`` empty or null)."""

    model_config = ConfigDict(extra="allow")

    success: str | None = None
    spmsId: str | None = None
    isApiError: bool = False
    inboundApiResults: list[RecordResult] | None = None
    fileName: str | None = None
    fileApnProcessedDT: AceDateTime | None = None
    apiErrors: list[str] | None = Field(default=None)

    @classmethod
    def parse(cls, data: bytes, *, key: str | None = None) -> ResultsFile:
        """Read a results or error file; MalformedFileError (naming ``key``) when it cannot be."""
        raw = load_json_object(data, key=key)
        if isinstance(raw.get("success"), bool):  # tolerate true/false for ALL/NONE
            raw["success"] = Outcome.ALL if raw["success"] else Outcome.NONE
        if isinstance(raw.get("spmsId"), int) and not isinstance(raw.get("spmsId"), bool):
            raw["spmsId"] = str(raw["spmsId"])
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            raise MalformedFileError(validation_reason(exc), key=key) from None

    @classmethod
    def for_records(cls, results: list[RecordResult], *, file_name: str, spms_id: str | None,
                    processed_at: datetime | None = None) -> ResultsFile:
        """The results file of an inbound file whose envelope was fine."""
        return cls(success=outcome_of(r.isSuccess for r in results), spmsId=spms_id, isApiError=False,
                   inboundApiResults=results, fileName=file_name,
                   fileApnProcessedDT=processed_at or datetime.now(UTC), apiErrors=None)

    @classmethod
    def for_file_error(cls, errors: list[str], *, file_name: str, spms_id: str | None = None,
                       processed_at: datetime | None = None,
                       results: list[RecordResult] | None = None) -> ResultsFile:
        """A whole-file rejection: nothing in the inbound file was applied."""
        return cls(success=Outcome.NONE, spmsId=spms_id, isApiError=True, inboundApiResults=results,
                   fileName=file_name, fileApnProcessedDT=processed_at or datetime.now(UTC), apiErrors=errors)

    @property
    def outcome(self) -> Outcome | None:
        """``success`` as an Outcome (case-insensitive), None when it is missing or unknown."""
        try:
            return Outcome(str(self.success).upper()) if self.success is not None else None
        except ValueError:
            return None

    @property
    def is_file_error(self) -> bool:
        """True when the file as a whole was rejected (error file, or an API-level error)."""
        return self.isApiError or self.inboundApiResults is None or bool(self.apiErrors)

    @property
    def records(self) -> list[RecordResult]:
        return list(self.inboundApiResults or ())

    def to_json_dict(self) -> dict[str, Any]:
        # every documented key is written, null or not, as in AWS's samples
        return self.model_dump(mode="json")

    def dump(self, *, indent: int | None = None) -> bytes:
        return dump_json(self.to_json_dict(), indent=indent)


def _basename(key: str) -> str:
    return key.rsplit("/", 1)[-1]


def results_file_name(inbound_key: str, *, suffix: str = RESULTS_SUFFIX) -> str:
    """``opportunity-inbound/opp_1.json`` -> ``opp_1_result.json`` (no folder)."""
    name = _basename(inbound_key)
    base = name[: -len(".json")] if name.lower().endswith(".json") else name
    return f"{base}{suffix}.json"


def error_file_name(inbound_key: str) -> str:
    """``opportunity-inbound/deck.pdf`` -> ``deck.pdf.error.json`` (no folder)."""
    return _basename(inbound_key) + ERROR_FILE_SUFFIX


def inbound_base_name(results_key: str) -> str | None:
    """The inbound base name a results/error file answers, or None for other names.

    ``x_result.json``, ``x_results.json`` -> ``x``; ``deck.pdf.error.json``, ``deck.pdf_error.json``
    -> ``deck.pdf``. The ``fileName`` inside the file is authoritative; this is for correlation.
    """
    name = _basename(results_key)
    for ending in _RESULT_ENDINGS:
        if name.endswith(ending) and len(name) > len(ending):
            return name[: -len(ending)]
    return None
