"""Errors the emulated org answers with, in the shapes simple-salesforce expects.

One exception type carries the Salesforce error code, the message, the field
names and the HTTP status. Each surface renders it differently: REST calls as a
list of ``{"message", "errorCode", "fields"}``, sObject Collections as a per-record
``{"statusCode", "message", "fields"}``, Bulk 2.0 as a failedResults CSV cell.
"""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, code: str, message: str, *, status: int = 400,
                 fields: list[str] | None = None, include_fields: bool = True) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.fields = list(fields or [])
        #: query and session errors carry no "fields" key
        self.include_fields = include_fields

    def rest_body(self) -> list[dict]:
        entry: dict = {"message": self.message, "errorCode": self.code}
        if self.include_fields:
            entry["fields"] = self.fields
        return [entry]

    def record_error(self) -> dict:
        return {"statusCode": self.code, "message": self.message, "fields": self.fields}

    def bulk_cell(self) -> str:
        return f"{self.code}:{self.message}:{','.join(self.fields)} --"


class MultipleMatches(ApiError):
    """An external id matched several live records: HTTP 300 with their URLs."""

    def __init__(self, urls: list[str], *, field_name: str, value: str) -> None:
        super().__init__("MULTIPLE_CHOICES",
                         f"more than one record found for external id field {field_name}: {value}",
                         status=300)
        self.urls = urls


def not_found(message: str = "The requested resource does not exist") -> ApiError:
    return ApiError("NOT_FOUND", message, status=404, include_fields=False)


def invalid_session() -> ApiError:
    return ApiError("INVALID_SESSION_ID", "Session expired or invalid", status=401,
                    include_fields=False)


def entity_deleted() -> ApiError:
    return ApiError("ENTITY_IS_DELETED", "entity is deleted", status=404)
