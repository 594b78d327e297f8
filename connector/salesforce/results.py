"""One outcome per record written, in the order the records were given."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple


class RecordError(NamedTuple):
    """One error Salesforce reported for a record."""

    code: str
    message: str
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f" [{', '.join(self.fields)}]" if self.fields else ""
        return f"{self.code}: {self.message}{where}"


@dataclass(frozen=True)
class WriteResult:
    """The outcome of writing the record at ``index`` of the caller's input."""

    index: int
    id: str | None
    created: bool
    success: bool
    errors: tuple[RecordError, ...] = ()

    @property
    def error_text(self) -> str:
        """All errors as one line, fit for a record's sync-error field and a log."""
        return "; ".join(str(error) for error in self.errors)

    def has_error(self, code: str) -> bool:
        return any(error.code == code for error in self.errors)


def failed(index: int, code: str, message: str, fields: tuple[str, ...] = ()) -> WriteResult:
    return WriteResult(index=index, id=None, created=False, success=False,
                       errors=(RecordError(code, message, fields),))


def from_collection_entry(index: int, entry: Mapping[str, Any] | None, *, created_default: bool) -> WriteResult:
    """Read one sObject Collections result: ``{"id", "success", "errors", ["created"]}``.

    Failed entries may lack ``id`` (or carry null); per-record errors use the
    ``statusCode`` key (``errorCode`` is accepted too).
    """
    if not isinstance(entry, Mapping):
        return failed(index, "INVALID_RESPONSE", f"Salesforce returned {entry!r} instead of a result")
    errors = tuple(
        RecordError(code=str(e.get("statusCode") or e.get("errorCode") or "UNKNOWN"),
                    message=str(e.get("message") or ""),
                    fields=tuple(e.get("fields") or ()))
        for e in entry.get("errors") or ())
    success = bool(entry.get("success"))
    return WriteResult(index=index, id=entry.get("id") or None,
                       created=bool(entry.get("created", created_default)) if success else False,
                       success=success, errors=errors)


def parse_bulk_error(text: str) -> RecordError:
    """Read a Bulk API 2.0 ``sf__Error`` cell: ``CODE:message:field,field --``.

    The message itself may hold colons, so the code is cut at the first colon
    and the field list at the last one.
    """
    body = text.strip()
    if body.endswith("--"):
        body = body[:-2].rstrip()
    code, sep, rest = body.partition(":")
    if not sep:
        return RecordError(code="UNKNOWN", message=body)
    message, sep, fields = rest.rpartition(":")
    if not sep:
        message, fields = rest, ""
    return RecordError(code=code.strip() or "UNKNOWN", message=message.strip(),
                       fields=tuple(f.strip() for f in fields.split(",") if f.strip()))
