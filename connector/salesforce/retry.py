"""Bounded retries with exponential backoff for transient Salesforce failures.

Only a few quick attempts happen here, inside one call: enough to ride out a
locked row or a brief 503. Longer outages are the worker's business (dramatiq
retries the whole message later), so the delays stay short.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from connector.errors import SalesforceError
from connector.logs import get_logger

T = TypeVar("T")

log = get_logger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    #: total tries, the first one included
    attempts: int = 3
    first_delay_seconds: float = 0.5
    max_delay_seconds: float = 8.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"RetryPolicy.attempts must be at least 1, not {self.attempts}")
        if self.first_delay_seconds < 0 or self.max_delay_seconds < 0:
            raise ValueError("RetryPolicy delays cannot be negative")

    def delay_seconds(self, retry_number: int) -> float:
        """The pause before retry ``retry_number`` (1-based), with jitter so workers spread out."""
        ceiling = min(self.first_delay_seconds * 2 ** (retry_number - 1), self.max_delay_seconds)
        return ceiling * random.uniform(0.5, 1.0)


def is_transient(error: SalesforceError) -> bool:
    return error.transient


def call_with_retries(operation: Callable[[], T], *, policy: RetryPolicy, what: str,
                      retry_if: Callable[[SalesforceError], bool] = is_transient,
                      sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``operation``; repeat it while it raises an error ``retry_if`` accepts.

    The last error propagates unchanged once the attempts are spent.
    """
    for attempt in range(1, policy.attempts + 1):
        try:
            return operation()
        except SalesforceError as error:
            if attempt == policy.attempts or not retry_if(error):
                raise
            delay = policy.delay_seconds(attempt)
            log.warning("salesforce.retry", what=what, attempt=attempt, code=error.code,
                        status=error.status, delay_seconds=round(delay, 3))
            sleep(delay)
    raise AssertionError("unreachable: the loop returns or raises")
