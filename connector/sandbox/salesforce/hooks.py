"""Test hooks: request statistics and injected faults (``/_emulator/stats``, ``/_emulator/faults``).

A fault fires on requests whose endpoint kind starts with ``kind`` (e.g.
``composite``, ``sobject.upsert``) or whose path contains ``path``, with
probability ``rate`` drawn from a RNG seeded per fault, at most ``count`` times.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field

from connector.sandbox.salesforce.api_errors import ApiError

#: error -> (HTTP status, message) of the whole-request faults
FAULT_ERRORS = {
    "UNABLE_TO_LOCK_ROW": (400, "unable to obtain exclusive access to this record or 1 records"),
    "REQUEST_LIMIT_EXCEEDED": (403, "TotalRequests Limit exceeded."),
    "SERVER_UNAVAILABLE": (503, "Server temporarily unavailable, please try again later."),
    "UNKNOWN_EXCEPTION": (500, "An unexpected error occurred. Please include this ErrorId if you "
                               "contact support: 0000000000-00000 (-0000000000)"),
    "INVALID_SESSION_ID": (401, "Session expired or invalid"),
}
#: Fault kinds that are not an error answer.
SPECIAL_FAULTS = ("latency", "BULK_JOB_FAILED")
MAX_LATENCY_MILLISECONDS = 60_000


class FaultSpecError(ValueError):
    """A POST /_emulator/faults body that cannot be used."""


@dataclass
class Fault:
    error: str
    rate: float = 1.0
    count: int | None = None
    kind: str = ""
    path: str = ""
    method: str = ""
    status: int | None = None
    latency_ms: int = 0
    per_record: bool = False
    rng: random.Random = field(default_factory=random.Random, repr=False)
    fired: int = 0

    def applies(self, *, kind: str, path: str, method: str) -> bool:
        if self.count is not None and self.fired >= self.count:
            return False
        if self.kind and not kind.startswith(self.kind):
            return False
        if self.path and self.path not in path:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        return self.rng.random() < self.rate

    def api_error(self) -> ApiError:
        status, message = FAULT_ERRORS[self.error]
        return ApiError(self.error, message, status=self.status or status, include_fields=False)

    def describe(self) -> dict:
        return {"error": self.error, "rate": self.rate, "count": self.count, "kind": self.kind,
                "path": self.path, "method": self.method, "status": self.status,
                "latency_ms": self.latency_ms, "per_record": self.per_record, "fired": self.fired}


def parse_fault(spec: object, *, seed: int) -> Fault:
    if not isinstance(spec, dict):
        raise FaultSpecError(f"each fault must be a JSON object, got {spec!r}")
    unknown = set(spec) - {"error", "rate", "count", "kind", "path", "method", "status",
                           "latency_ms", "per_record"}
    if unknown:
        raise FaultSpecError(f"unknown fault keys: {', '.join(sorted(unknown))}")
    error = spec.get("error")
    if error not in FAULT_ERRORS and error not in SPECIAL_FAULTS:
        raise FaultSpecError(f"error must be one of {', '.join([*FAULT_ERRORS, *SPECIAL_FAULTS])}; "
                             f"got {error!r}")
    rate = spec.get("rate", 1.0)
    if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise FaultSpecError(f"rate must be a number from 0 to 1, got {rate!r}")
    count = spec.get("count")
    if count is not None and (not isinstance(count, int) or count < 0):
        raise FaultSpecError(f"count must be a non-negative integer or null, got {count!r}")
    latency = spec.get("latency_ms", 0)
    if not isinstance(latency, int) or not 0 <= latency <= MAX_LATENCY_MILLISECONDS:
        raise FaultSpecError(f"latency_ms must be an integer from 0 to {MAX_LATENCY_MILLISECONDS}")
    return Fault(error=error, rate=float(rate), count=count, kind=str(spec.get("kind", "")),
                 path=str(spec.get("path", "")), method=str(spec.get("method", "")),
                 status=spec.get("status"), latency_ms=latency,
                 per_record=bool(spec.get("per_record", False)), rng=random.Random(seed))


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def configure(self, body: object) -> list[dict]:
        if isinstance(body, dict) and "faults" not in body:
            body = {"faults": [body]}
        if not isinstance(body, dict) or not isinstance(body.get("faults"), list):
            raise FaultSpecError('the body must be a fault object or {"faults": [...], "seed": n}')
        seed = body.get("seed", 0)
        if not isinstance(seed, int):
            raise FaultSpecError(f"seed must be an integer, got {seed!r}")
        faults = [parse_fault(spec, seed=seed + index) for index, spec in enumerate(body["faults"])]
        with self._lock:
            self._faults = faults
        return [fault.describe() for fault in faults]

    def clear(self) -> None:
        with self._lock:
            self._faults = []

    def listing(self) -> list[dict]:
        with self._lock:
            return [fault.describe() for fault in self._faults]

    def for_request(self, *, kind: str, path: str, method: str) -> list[Fault]:
        """Faults firing on this request (whole-request ones; per-record ones are drawn later)."""
        fired = []
        with self._lock:
            for fault in self._faults:
                if fault.per_record or fault.error == "BULK_JOB_FAILED":
                    continue
                if fault.applies(kind=kind, path=path, method=method):
                    fault.fired += 1
                    fired.append(fault)
        return fired

    def record_fault(self, *, kind: str) -> ApiError | None:
        """A per-record fault for one record of a Collections call, if one fires."""
        with self._lock:
            for fault in self._faults:
                if fault.per_record and fault.error in FAULT_ERRORS and fault.applies(
                        kind=kind, path="", method=""):
                    fault.fired += 1
                    return fault.api_error()
        return None

    def take_bulk_failure(self) -> bool:
        with self._lock:
            for fault in self._faults:
                if fault.error == "BULK_JOB_FAILED" and fault.applies(kind="", path="", method=""):
                    fault.fired += 1
                    return True
        return False


class Stats:
    """Requests served, by endpoint kind, and the API usage an org would count."""

    def __init__(self, *, daily_api_max: int) -> None:
        self._lock = threading.Lock()
        self._configured_daily_api_max = daily_api_max
        self.daily_api_max = daily_api_max
        self.by_kind: Counter[str] = Counter()
        self.api_usage = 0

    def count(self, kind: str, *, api_call: bool) -> int:
        with self._lock:
            self.by_kind[kind] += 1
            if api_call:
                self.api_usage += 1
            return self.api_usage

    def usage(self) -> int:
        with self._lock:
            return self.api_usage

    def snapshot(self) -> dict:
        with self._lock:
            return {"total": sum(self.by_kind.values()), "api_usage": self.api_usage,
                    "daily_api_max": self.daily_api_max, "by_kind": dict(sorted(self.by_kind.items()))}

    def reset(self) -> None:
        with self._lock:
            self.by_kind.clear()
            self.api_usage = 0
            self.daily_api_max = self._configured_daily_api_max
