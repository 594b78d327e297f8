"""Structured logging: JSON in containers, readable on a terminal, secrets never shown."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import Any

import structlog

REDACTED = "***"


class SecretRedactor:
    """A structlog processor that replaces every known secret value in an event."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Short values would redact ordinary words; real secrets are long.
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self._secrets:
                if secret in value:
                    value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, dict):
            return {k: self.redact(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.redact(v) for v in value)
        return value

    def __call__(self, logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
        if not self._secrets:
            return event
        return {key: self.redact(_plain(value)) for key, value in event.items()}


def _plain(value: Any) -> Any:
    """Objects are rendered to text before redaction: their repr may hold a secret."""
    if value is None or isinstance(value, (str, int, float, bool, dict, list, tuple)):
        return value
    return str(value)


def configure_logging(*, level: str = "INFO", fmt: str = "auto", secrets: Iterable[str] = ()) -> None:
    """Set up structlog, and redact secrets from stdlib logging (libraries) too."""
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer()
    redactor = SecretRedactor(secrets)
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, redactor, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=level.upper(), stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _RedactingFilter) for f in handler.filters):
            handler.addFilter(_RedactingFilter(redactor))
    # boto and urllib3 are chatty at INFO and may echo request details.
    for noisy in ("botocore", "boto3", "urllib3", "s3transfer", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class _RedactingFilter(logging.Filter):
    """Libraries (botocore, dramatiq, requests) log through stdlib logging: redact their lines too."""

    def __init__(self, redactor: SecretRedactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self._redactor.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redactor.redact(record.exc_text)
        return True


def get_logger(name: str | None = None, **context: Any) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name, **context)


def url_without_password(url: str) -> str:
    """``redis://:pw@host:6379/0`` → ``redis://:***@host:6379/0``: safe to print or log."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:{REDACTED}@{host}"))
