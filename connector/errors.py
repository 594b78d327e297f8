"""The project's exception hierarchy.

Errors raised by lower layers (boto3/botocore, simple-salesforce, PyYAML) are
translated into these types at the boundary that calls them, so the rest of
the code, and the people reading logs, deal with one vocabulary.

    ConnectorError
    ├── ConfigurationError          a setting is missing or invalid
    ├── AceError                    anything on the ACE side
    │   ├── AceContractError        a file or record breaks the ACE file contract
    │   │   └── MalformedFileError  a whole file cannot be read (quarantine it)
    │   └── BucketError             S3 failed
    │       ├── BucketAccessDenied
    │       ├── BucketNotFound
    │       ├── ObjectNotFound
    │       ├── ObjectTooLarge
    │       └── TransientBucketError (retry later)
    ├── SalesforceError             anything on the Salesforce side
    │   ├── SalesforceAuthError
    │   ├── SalesforceRequestError  the org refused a request (bad data, bad query)
    │   ├── SalesforceLimitExceeded the org's API limit is used up: stop, resume later
    │   └── TransientSalesforceError (retry later)
    ├── MappingError                a YAML mapping is wrong (file, line, column)
    │   └── MappingErrors           all the problems of a load, one MappingError each
    └── SyncError                   a sync flow could not complete
        └── LockNotHeld             another worker holds the lock, or it expired
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base class of every error this project raises on purpose."""

    #: True when retrying the same operation later may succeed.
    transient: bool = False


class ConfigurationError(ConnectorError):
    """A setting is missing, malformed or inconsistent."""


# --- ACE side ---------------------------------------------------------------


class AceError(ConnectorError):
    """Something went wrong on the ACE side of the exchange."""


class AceContractError(AceError):
    """A file or record does not follow the ACE file contract."""


class MalformedFileError(AceContractError):
    """A whole file cannot be used: it is quarantined, never deleted.

    ``reason`` is a short, specific explanation fit for an S3 tag and a log line.
    """

    def __init__(self, reason: str, *, key: str | None = None) -> None:
        self.reason = reason
        self.key = key
        super().__init__(f"{key}: {reason}" if key else reason)


class BucketError(AceError):
    """An S3 operation on the ACE bucket failed."""

    def __init__(self, message: str, *, key: str | None = None, code: str | None = None) -> None:
        self.key = key
        self.code = code
        super().__init__(message)


class BucketAccessDenied(BucketError):
    """S3 answered AccessDenied (wrong prefix, missing ACL, or IAM policy)."""


class BucketNotFound(BucketError):
    """The configured bucket does not exist."""


class ObjectNotFound(BucketError):
    """The object is gone (another worker may have processed it)."""


class ObjectTooLarge(BucketError):
    """The object is over the configured size limit; its body was not read."""


class TransientBucketError(BucketError):
    """Throttling, a 5xx or a connection failure: retry later."""

    transient = True


# --- Salesforce side ----------------------------------------------------------


class SalesforceError(ConnectorError):
    """Something went wrong talking to the Salesforce org."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        self.code = code
        self.status = status
        super().__init__(message)


class SalesforceAuthError(SalesforceError):
    """Login failed or the session expired and could not be renewed."""


class SalesforceRequestError(SalesforceError):
    """The org refused the request: invalid data, unknown field, malformed query."""


class SalesforceLimitExceeded(SalesforceError):
    """REQUEST_LIMIT_EXCEEDED or the connector's own API budget is spent."""


class TransientSalesforceError(SalesforceError):
    """UNABLE_TO_LOCK_ROW, 503, timeouts, connection failures: retry later."""

    transient = True


# --- Mapping ----------------------------------------------------------------------


class MappingError(ConnectorError):
    """A mapping file is wrong. Rendered as ``file:line:col: message``."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(self.location_prefix() + message)

    def location_prefix(self) -> str:
        parts = [p for p in (self.file, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts) + ": " if parts else ""


class MappingErrors(MappingError):
    """Every problem found in one or more mapping files, reported together, one per line."""

    def __init__(self, errors: list[MappingError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


# --- Sync ---------------------------------------------------------------------------


class SyncError(ConnectorError):
    """A sync flow could not complete."""


class LockNotHeld(SyncError):
    """A lock is held by another worker, or was lost (its TTL ran out and another took it)."""

    def __init__(self, message: str, *, name: str) -> None:
        self.name = name
        super().__init__(message)
