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
    """Set up structlog (and route stdlib logging through it)."""
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, SecretRedactor(secrets), renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=level.upper(), stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
    # boto and urllib3 are chatty at INFO and may echo request details.
    for noisy in ("botocore", "boto3", "urllib3", "s3transfer", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str | None = None, **context: Any) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name, **context)
