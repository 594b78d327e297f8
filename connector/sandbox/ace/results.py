"""Results and error files as ACE writes them (ACE-CONTRACT §5.4, §6).

Keys and their order follow AWS's own results samples exactly, so that a
partner's parser sees the same document from the simulator as from ACE.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

#: Marks a whole-file error file next to the results (ACE-CONTRACT §5.4).
ERROR_FILE_SUFFIX = ".error.json"
JSON_SUFFIX = ".json"


def ace_timestamp(moment: datetime) -> str:
    """``2023-05-28T15:21:22.331Z``: UTC with milliseconds (``fileApnProcessedDT``)."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def ace_datetime(moment: datetime) -> str:
    """``2022-03-08T13:15:35.000Z``: how ACE writes record datetimes (whole seconds)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class RecordOutcome:
    """What happened to one inbound record."""

    partner_key: Any = None
    aws_id: Any = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {
            "warnings": list(self.warnings) or None,
            "partnerCrmUniqueIdentifier": self.partner_key,
            "isSuccess": self.ok,
            "errors": list(self.errors) or None,
            "apnCrmUniqueIdentifier": self.aws_id,
        }


def overall_success(outcomes: list[RecordOutcome]) -> str:
    """``ALL``, ``NONE`` or ``PARTIAL`` (the last is docs/ACE-CONTRACT.md's choice for mixed files)."""
    successes = sum(1 for outcome in outcomes if outcome.ok)
    if outcomes and successes == len(outcomes):
        return "ALL"
    return "PARTIAL" if successes else "NONE"


def results_document(*, file_key: str, spms_id: Any, outcomes: list[RecordOutcome],
                     processed_at: datetime) -> dict[str, Any]:
    """The results of a file whose envelope was accepted: one entry per record, input order."""
    return {
        "success": overall_success(outcomes),
        "spmsId": spms_id,
        "isApiError": False,
        "inboundApiResults": [outcome.to_json() for outcome in outcomes],
        "fileName": file_key,
        "fileApnProcessedDT": ace_timestamp(processed_at),
        "apiErrors": None,
    }


def file_error_document(*, file_key: str, spms_id: Any, errors: list[str], processed_at: datetime,
                        results: list[Any] | None) -> dict[str, Any]:
    """A whole-file rejection: nothing in the file was applied."""
    return {
        "success": "NONE",
        "spmsId": spms_id,
        "isApiError": True,
        "inboundApiResults": results,
        "fileName": file_key,
        "fileApnProcessedDT": ace_timestamp(processed_at),
        "apiErrors": list(errors),
    }


def results_name(file_name: str, *, suffix: str) -> str:
    """``opp_1.json`` → ``opp_1_result.json``; a name without ``.json`` keeps its full text."""
    base = file_name[: -len(JSON_SUFFIX)] if file_name.lower().endswith(JSON_SUFFIX) else file_name
    return f"{base}{suffix}{JSON_SUFFIX}"


def error_file_name(file_name: str) -> str:
    """``deck.pdf`` → ``deck.pdf.error.json`` (ACE-CONTRACT §5.4)."""
    return file_name + ERROR_FILE_SUFFIX
