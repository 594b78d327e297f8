"""The HTTP layer under simple-salesforce: timeouts, API metering, rate limiting.

simple-salesforce sends every request through one ``requests.Session``
(SFType calls, ``restful``, ``bulk2`` and login alike) but offers no timeout
for most of them and no hook before a request. A transport adapter mounted on
that session sees every request, so it is where the connector

* applies a default timeout (simple-salesforce has none, and a hung socket
  would stall a worker forever);
* asks the rate limiter for permission before each counted API call;
* counts the calls it made and reads ``Sforce-Limit-Info`` from every answer,
  errors included (simple-salesforce itself keeps it only after successes,
  and not at all for bulk calls).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

CONNECT_TIMEOUT_SECONDS = 10.0
#: Long enough for a 200-record Collections call or a describe of a large object.
READ_TIMEOUT_SECONDS = 120.0

#: Requests under these paths count against the org's daily API allowance;
#: login and token calls do not.
COUNTED_PATH_PREFIXES = ("/services/data/", "/services/async/", "/services/apexrest/")

#: The org-wide reading; the look-behind skips ``per-app-api-usage=``.
_API_USAGE = re.compile(r"(?<![-\w])api-usage=(?P<used>\d+)/(?P<max>\d+)")


class RateLimiter(Protocol):
    """What the client asks before each API call; the worker supplies a Redis-backed one."""

    def acquire(self, cost: int = 1) -> None:
        """Block until ``cost`` calls may be made, or raise to refuse them."""


@dataclass(frozen=True)
class ApiUsage:
    """The org's 24-hour API usage as last reported by Salesforce."""

    used: int
    max: int


class ApiMeter:
    """Counts API calls and keeps the latest ``Sforce-Limit-Info`` reading. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls = 0
        self._usage: ApiUsage | None = None

    @property
    def calls(self) -> int:
        """API calls this process made through the metered session."""
        with self._lock:
            return self._calls

    @property
    def usage(self) -> ApiUsage | None:
        """The latest ``api-usage=used/max`` reading; None before the first answer."""
        with self._lock:
            return self._usage

    def count_call(self) -> None:
        with self._lock:
            self._calls += 1

    def observe(self, response: requests.Response) -> None:
        reading = parse_limit_info(response.headers.get("Sforce-Limit-Info"))
        if reading is not None:
            with self._lock:
                self._usage = reading


def parse_limit_info(header: str | None) -> ApiUsage | None:
    """``api-usage=25/15000; per-app-api-usage=17/250(appName=x)`` → ``ApiUsage(25, 15000)``."""
    if not header:
        return None
    match = _API_USAGE.search(header)
    if match is None:
        return None
    return ApiUsage(used=int(match["used"]), max=int(match["max"]))


def is_counted(url: str) -> bool:
    return urlsplit(url).path.startswith(COUNTED_PATH_PREFIXES)


class MeteredAdapter(HTTPAdapter):
    """A transport adapter that times out, meters and rate-limits every Salesforce call.

    ``limiter`` may be set after construction: the session exists (and logs in)
    before the worker decides which limiter the client uses.
    """

    def __init__(self, *, meter: ApiMeter | None = None, limiter: RateLimiter | None = None,
                 ca_bundle: str | None = None,
                 connect_timeout_seconds: float = CONNECT_TIMEOUT_SECONDS,
                 read_timeout_seconds: float = READ_TIMEOUT_SECONDS) -> None:
        # No transport-level retries: whether a write may be repeated is decided
        # above, where it is known whether the write is idempotent.
        super().__init__(max_retries=0)
        self.meter = meter or ApiMeter()
        self.limiter = limiter
        self.ca_bundle = ca_bundle
        self.default_timeout = (connect_timeout_seconds, read_timeout_seconds)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        if self.ca_bundle is not None:
            # requests lets REQUESTS_CA_BUNDLE in the environment override
            # ``session.verify``; the configured bundle must win.
            kwargs["verify"] = self.ca_bundle
        counted = is_counted(request.url or "")
        if counted:
            if self.limiter is not None:
                self.limiter.acquire(1)
            self.meter.count_call()
        response = super().send(request, **kwargs)
        if counted:
            self.meter.observe(response)
        return response


def metered_adapter_of(session: requests.Session) -> MeteredAdapter | None:
    adapter = session.get_adapter("https://")
    return adapter if isinstance(adapter, MeteredAdapter) else None


def install_metered_adapter(session: requests.Session, **options: Any) -> MeteredAdapter:
    """The session's metered adapter, mounting one for ``https://`` if it has none."""
    adapter = metered_adapter_of(session)
    if adapter is None:
        adapter = MeteredAdapter(**options)
        session.mount("https://", adapter)
    return adapter
