"""The connector's dramatiq middleware: retries for transient errors only, stale triggers dropped.

Messages here are *triggers* ("run the outbound flow"), not work items: the
work itself is found from state (untagged files, unanswered files, changed
records). That is why the policy is short and strict:

* a transient error (``ConnectorError.transient``: S3 throttling or a 5xx,
  Salesforce lock contention or a 503) is retried a few times with backoff
  sized for an hourly sync — 15 s doubling up to 10 min, not dramatiq's week;
* ``SalesforceLimitExceeded`` stops the run cleanly: no retry (that would be
  a storm against a spent budget), no dead letter; the next scheduled run
  resumes once the budget allows;
* anything else (bad data, configuration, a bug) goes straight to the dead
  letter queue with its error recorded, for ``ace-connector status``;
* a trigger older than its max age is dropped (acknowledged, not failed): a
  newer one from the scheduler finds the same work.
"""

from __future__ import annotations

import traceback
from typing import Any

import structlog
from dramatiq import Broker, Retry
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import compute_backoff, current_millis
from dramatiq.middleware import Middleware, SkipMessage

from connector.errors import ConnectorError, SalesforceLimitExceeded
from connector.logs import get_logger

#: Dead-letter failure notes are capped: a message is an alert, not a log archive.
MAX_FAILURE_CHARS = 2000
#: The message option that carries the failure note (read back by ``dead_letters``).
FAILURE_OPTION = "connector_failure"

log = get_logger(__name__)


def failure_key(namespace: str, redis_message_id: str) -> str:
    """Where the Redis broker keeps the failure note of a dead-lettered message."""
    return f"{namespace}:__failures__.{redis_message_id}"


def describe_failure(exception: BaseException) -> str:
    text = f"{type(exception).__name__}: {exception}"
    return text if len(text) <= MAX_FAILURE_CHARS else text[: MAX_FAILURE_CHARS - 1] + "…"


def is_transient(exception: BaseException) -> bool:
    """True for errors a later attempt may not meet (and for an explicit ``dramatiq.Retry``)."""
    return isinstance(exception, Retry) or (isinstance(exception, ConnectorError) and exception.transient)


class TransientRetries(Middleware):
    """Retry transient errors with capped exponential backoff; dead-letter the rest at once.

    Replaces dramatiq's ``Retries`` (do not install both). Actors may override
    ``max_retries``, ``min_backoff`` and ``max_backoff`` (milliseconds, as in
    dramatiq). ``throws`` only quiets the worker's own traceback log.
    """

    def __init__(self, *, max_retries: int, min_backoff_ms: int, max_backoff_ms: int,
                 dead_letter_ttl_ms: int) -> None:
        self.max_retries = max_retries
        self.min_backoff_ms = min_backoff_ms
        self.max_backoff_ms = max_backoff_ms
        self.dead_letter_ttl_ms = dead_letter_ttl_ms

    @property
    def actor_options(self) -> set[str]:
        return {"max_retries", "min_backoff", "max_backoff", "throws"}

    def after_process_message(self, broker: Broker, message: Any, *, result: Any = None,
                              exception: BaseException | None = None) -> None:
        if exception is None:
            return
        context = {"actor": message.actor_name, "message_id": message.message_id,
                   "error": describe_failure(exception)}
        if isinstance(exception, SalesforceLimitExceeded):
            log.warning("salesforce API budget spent; run stopped, pending work waits for a later run",
                        **context)
            return

        retries = message.options.get("retries", 0)
        if is_transient(exception) and retries < _option(broker, message, "max_retries", self.max_retries):
            message.options["retries"] = retries + 1
            message.options["traceback"] = traceback.format_exc(limit=30)
            if isinstance(exception, Retry) and exception.delay is not None:
                delay_ms = exception.delay
            else:
                _, delay_ms = compute_backoff(
                    retries, factor=_option(broker, message, "min_backoff", self.min_backoff_ms),
                    max_backoff=_option(broker, message, "max_backoff", self.max_backoff_ms))
            # Act first, then log: the message's fate must not depend on the log's.
            broker.enqueue(message, delay=delay_ms)
            log.warning("transient error; message will be retried", retry=retries + 1,
                        delay_seconds=round(delay_ms / 1000, 1), **context)
            return

        message.fail()
        self._keep_failure(broker, message, context["error"])
        reason = "retries exhausted" if is_transient(exception) else "permanent error"
        log.error(f"message dead-lettered: {reason}", retries=retries, error_type=type(exception).__name__,
                  **context)

    def after_skip_message(self, broker: Broker, message: Any) -> None:
        # Another middleware (e.g. a time limit) may fail a message by skipping it.
        if message.failed:
            self._keep_failure(broker, message, "skipped and failed by middleware")

    def _keep_failure(self, broker: Broker, message: Any, text: str) -> None:
        """Store why the message failed, next to the dead letter, for ``status``."""
        message.options[FAILURE_OPTION] = text  # what the in-process broker keeps
        if isinstance(broker, RedisBroker):
            # The Redis broker dead-letters the message as it was enqueued, so the
            # note lives beside it, and expires with it.
            broker.client.set(failure_key(broker.namespace, message.options["redis_message_id"]), text,
                              px=self.dead_letter_ttl_ms)


def _option(broker: Broker, message: Any, name: str, default: int) -> int:
    """An option as the message, else its actor, else the middleware sets it."""
    actor_options = broker.get_actor(message.actor_name).options
    return message.options.get(name, actor_options.get(name, default))


class DropStaleMessages(Middleware):
    """Acknowledge and drop triggers older than ``max_age`` ms (actor option ``max_age``)."""

    def __init__(self, *, max_age_ms: int) -> None:
        self.max_age_ms = max_age_ms

    @property
    def actor_options(self) -> set[str]:
        return {"max_age"}

    def before_process_message(self, broker: Broker, message: Any) -> None:
        max_age_ms = _option(broker, message, "max_age", self.max_age_ms)
        age_ms = current_millis() - message.message_timestamp
        if max_age_ms and age_ms >= max_age_ms:
            log.info("stale trigger dropped; a newer run finds the same work", actor=message.actor_name,
                     message_id=message.message_id, age_seconds=round(age_ms / 1000))
            raise SkipMessage("message older than its max age")


class LogContext(Middleware):
    """Tag every log line written while a message runs with its actor and message id."""

    def before_process_message(self, broker: Broker, message: Any) -> None:
        structlog.contextvars.bind_contextvars(actor=message.actor_name, message_id=message.message_id)

    def after_process_message(self, broker: Broker, message: Any, *, result: Any = None,
                              exception: BaseException | None = None) -> None:
        structlog.contextvars.unbind_contextvars("actor", "message_id")

    after_skip_message = after_process_message  # type: ignore[assignment]
