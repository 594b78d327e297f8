"""One measured run: a child job's own figures plus the Salesforce calls the org counted.

Salesforce calls are read from the org emulator's ``/_emulator/stats`` before
and after the job (the org is the referee: the connector's own counters are
not trusted to count themselves). Each endpoint kind is a read, a write or
other (describe, limits).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: Endpoint kinds (the emulator's names) that only read data.
READ_KINDS = frozenset({"query", "query.more", "query.all", "composite.retrieve", "sobject.get",
                        "sobject.get_by_external_id"})
#: SOQL calls: a query and each further page of it.
SOQL_KINDS = frozenset({"query", "query.more", "query.all"})
WRITE_KIND_PREFIXES = ("composite.", "sobject.", "bulk2.")

MIB = 1024 * 1024


def is_write(kind: str) -> bool:
    return kind.startswith(WRITE_KIND_PREFIXES) and kind not in READ_KINDS


@dataclass(frozen=True)
class SalesforceCalls:
    """API calls the org counted over one job, by endpoint kind."""

    by_kind: dict[str, int] = field(default_factory=dict)

    @classmethod
    def between(cls, before: dict[str, Any], after: dict[str, Any]) -> SalesforceCalls:
        delta = Counter(after.get("by_kind", {}))
        delta.subtract(before.get("by_kind", {}))
        return cls({kind: count for kind, count in sorted(delta.items())
                    if count > 0 and not kind.startswith("login.")})

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def writes(self) -> int:
        return sum(count for kind, count in self.by_kind.items() if is_write(kind))

    @property
    def reads(self) -> int:
        return sum(count for kind, count in self.by_kind.items() if kind in READ_KINDS)

    @property
    def soql(self) -> int:
        return sum(count for kind, count in self.by_kind.items() if kind in SOQL_KINDS)

    @property
    def other(self) -> int:
        return self.total - self.writes - self.reads

    def as_json(self) -> dict[str, Any]:
        return {"total": self.total, "writes": self.writes, "reads": self.reads, "soql": self.soql,
                "other": self.other, "by_kind": dict(self.by_kind)}


@dataclass(frozen=True)
class Measurement:
    """What one job cost."""

    records: int
    wall_seconds: float
    salesforce: SalesforceCalls
    s3_requests: int | None
    s3_by_operation: dict[str, int]
    peak_rss_bytes: int | None
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_child(cls, result: dict[str, Any], *, records: int, salesforce: SalesforceCalls) -> Measurement:
        known = {"wall_seconds", "s3_requests", "s3_by_operation", "peak_rss_bytes"}
        return cls(records=records, wall_seconds=result["wall_seconds"], salesforce=salesforce,
                   s3_requests=result.get("s3_requests"), s3_by_operation=result.get("s3_by_operation") or {},
                   peak_rss_bytes=result.get("peak_rss_bytes"),
                   details={k: v for k, v in result.items() if k not in known})

    @property
    def records_per_second(self) -> float:
        return self.records / self.wall_seconds if self.wall_seconds else float("inf")

    @property
    def ms_per_record(self) -> float:
        return 1000 * self.wall_seconds / self.records if self.records else 0.0

    @property
    def cpu_ms_per_record(self) -> float | None:
        """The process's own CPU time per record: what other work on the machine barely moves."""
        cpu = self.details.get("cpu_seconds")
        return None if cpu is None or not self.records else 1000 * cpu / self.records

    @property
    def peak_rss_mib(self) -> float | None:
        return None if self.peak_rss_bytes is None else self.peak_rss_bytes / MIB

    def s3_operation(self, name: str) -> int:
        return self.s3_by_operation.get(name, 0)

    def as_json(self) -> dict[str, Any]:
        return {"records": self.records, "wall_seconds": round(self.wall_seconds, 3),
                "records_per_second": round(self.records_per_second, 1),
                "ms_per_record": round(self.ms_per_record, 3),
                "cpu_ms_per_record": None if self.cpu_ms_per_record is None else round(self.cpu_ms_per_record, 3),
                "salesforce_calls": self.salesforce.as_json(),
                "s3_requests": self.s3_requests, "s3_by_operation": self.s3_by_operation,
                "peak_rss_mib": None if self.peak_rss_mib is None else round(self.peak_rss_mib, 1),
                **self.details}

    def scaled(self, factor: float) -> dict[str, Any]:
        """The figures of ``factor`` times the records, for a job whose cost per record is constant."""
        return {"records": round(self.records * factor),
                "wall_seconds": round(self.wall_seconds * factor, 2),
                "salesforce_calls": round(self.salesforce.total * factor),
                "salesforce_writes": round(self.salesforce.writes * factor),
                "s3_requests": None if self.s3_requests is None else round(self.s3_requests * factor)}
