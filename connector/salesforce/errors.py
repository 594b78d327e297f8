"""Translate simple-salesforce and requests failures into the project's errors.

Every call into simple-salesforce goes through :func:`translated_errors`, so the
rest of the connector only ever sees ``connector.errors`` types. The
translation keeps the Salesforce error code, the HTTP status and a readable
message; it never copies a URL's query, a header or a session id into the
message (simple-salesforce puts the session in headers, never in the body).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from simple_salesforce import exceptions as sf_exceptions

from connector.errors import (
    SalesforceAuthError,
    SalesforceError,
    SalesforceLimitExceeded,
    SalesforceRequestError,
    TransientSalesforceError,
)

#: Salesforce error codes that mean "the same request may succeed later".
TRANSIENT_ERROR_CODES = frozenset({
    "UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION", "REQUEST_RUNNING_TOO_LONG",
    "QUERY_TIMEOUT", "TOO_MANY_APEX_REQUESTS",
})
LIMIT_ERROR_CODES = frozenset({"REQUEST_LIMIT_EXCEEDED"})
AUTH_ERROR_CODES = frozenset({"INVALID_SESSION_ID", "InvalidSessionId", "INVALID_AUTH_HEADER"})

#: Error bodies can be whole HTML pages (a proxy, a maintenance page); keep logs readable.
MAX_MESSAGE_CHARS = 500


def error_code_and_message(content: Any) -> tuple[str | None, str]:
    """Pull ``(errorCode, message)`` out of any of Salesforce's error body shapes.

    REST answers a list of ``{"errorCode", "message"}``; per-record results use
    ``statusCode``; Bulk v1 answers ``{"exceptionCode", "exceptionMessage"}``;
    OAuth ``{"error", "error_description"}``; a 300 answers a list of URLs;
    anything else arrives as text.
    """
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    if isinstance(content, list) and content and isinstance(content[0], dict):
        first = content[0]
        code = first.get("errorCode") or first.get("statusCode")
        return code, _clip(str(first.get("message", "")))
    if isinstance(content, dict):
        code = content.get("errorCode") or content.get("exceptionCode") or content.get("error")
        message = (content.get("message") or content.get("exceptionMessage")
                   or content.get("error_description") or "")
        return code, _clip(str(message))
    if isinstance(content, list):
        return None, _clip(", ".join(str(item) for item in content))
    return None, _clip(str(content or "").strip())


def translate(exc: BaseException) -> SalesforceError:
    """The ``connector.errors`` equivalent of a simple-salesforce or requests failure."""
    if isinstance(exc, SalesforceError):
        return exc
    if isinstance(exc, sf_exceptions.SalesforceAuthenticationFailed):
        code = None if exc.code is None else str(exc.code)
        return SalesforceAuthError(
            f"Salesforce login failed ({code or 'no code'}): {_clip(exc.auth_message)}",
            code=code, status=None)
    if isinstance(exc, sf_exceptions.SalesforceError):
        return _translate_http_error(exc)
    if isinstance(exc, sf_exceptions.SalesforceOperationError):
        # Bulk API 2.0: a job that Failed or was Aborted, or an upload that was refused.
        return SalesforceRequestError(f"Salesforce bulk job failed: {_clip(str(exc))}",
                                      code="BULK_JOB_FAILED")
    for exc_type, error_type, code, message in _REQUESTS_FAILURES:
        if isinstance(exc, exc_type):
            return error_type(message.format(name=type(exc).__name__), code=code)
    raise TypeError(f"not a Salesforce failure: {type(exc).__name__}")


#: requests' own failures, most specific first. Messages name the exception type only:
#: requests' text quotes the URL, whose query string may hold record data.
_REQUESTS_FAILURES: tuple[tuple[type[BaseException], type[SalesforceError], str, str], ...] = (
    # A certificate problem will not fix itself: not transient.
    (requests.exceptions.SSLError, SalesforceError, "TLS_ERROR",
     "TLS verification of the Salesforce server failed; if it uses a private CA, set SF_CA_BUNDLE"),
    # Nothing reached the server: even a non-idempotent write may be repeated.
    (requests.exceptions.ConnectTimeout, TransientSalesforceError, "CONNECT_TIMEOUT",
     "Salesforce could not be reached in time ({name})"),
    (requests.exceptions.Timeout, TransientSalesforceError, "TIMEOUT",
     "Salesforce did not answer in time ({name})"),
    (requests.exceptions.ConnectionError, TransientSalesforceError, "CONNECTION_ERROR",
     "could not reach Salesforce ({name})"),
    # A 2xx that is not JSON comes from a proxy or a maintenance page, not from the API.
    (requests.exceptions.JSONDecodeError, TransientSalesforceError, "INVALID_RESPONSE",
     "Salesforce answered with a body that is not JSON"),
    (requests.exceptions.RequestException, SalesforceError, "HTTP_ERROR",
     "HTTP request to Salesforce failed ({name})"),
)

#: Failures that prove the request was not applied, so even a create may be repeated.
NOT_APPLIED_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "CONNECT_TIMEOUT", "HTTP_503"})


def was_not_applied(error: SalesforceError) -> bool:
    """True when the failed request certainly changed nothing in the org."""
    return error.transient and (error.code in NOT_APPLIED_CODES or error.status == 503)


#: The exceptions :func:`translated_errors` converts; anything else is a bug and propagates.
TRANSLATED_EXCEPTIONS = (
    sf_exceptions.SalesforceError,
    sf_exceptions.SalesforceOperationError,
    requests.exceptions.RequestException,
)


@contextmanager
def translated_errors() -> Iterator[None]:
    """Run a block that calls simple-salesforce; re-raise its failures as project errors."""
    try:
        yield
    except TRANSLATED_EXCEPTIONS as exc:
        # ``from None``: the original carries the request URL (with SOQL and data
        # values in its query string); the translation keeps what an operator needs.
        raise translate(exc) from None


def _translate_http_error(exc: sf_exceptions.SalesforceError) -> SalesforceError:
    status = exc.status
    code, message = error_code_and_message(exc.content)
    resource = exc.resource_name or "request"
    text = f"Salesforce {resource} failed (HTTP {status}{' ' + code if code else ''}): {message}"
    if isinstance(exc, sf_exceptions.SalesforceExpiredSession) or code in AUTH_ERROR_CODES:
        return SalesforceAuthError(text, code=code or "INVALID_SESSION_ID", status=status)
    if code in LIMIT_ERROR_CODES:
        return SalesforceLimitExceeded(text, code=code, status=status)
    if code in TRANSIENT_ERROR_CODES or (isinstance(status, int) and (status >= 500 or status == 429)):
        return TransientSalesforceError(text, code=code or f"HTTP_{status}", status=status)
    if isinstance(exc, sf_exceptions.SalesforceMoreThanOneRecord):
        return SalesforceRequestError(text, code=code or "MORE_THAN_ONE_RECORD", status=status)
    if isinstance(exc, sf_exceptions.SalesforceResourceNotFound):
        return SalesforceRequestError(text, code=code or "NOT_FOUND", status=status)
    return SalesforceRequestError(text, code=code or f"HTTP_{status}", status=status)


def _clip(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + "…"
