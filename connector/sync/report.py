"""What one run of a flow did: counters, errors, and (on a dry run) the writes it would have made.

Every flow returns a :class:`FlowReport`. The CLI prints it, the actors log it
and ``SyncState.track_run`` stores its counters. Counter names are plain
strings so a flow can count what it needs; the common ones are constants here
so the flows and ``status`` agree on their spelling.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Counters shared by the flows (a flow may count other things too).
FILES_SEEN = "files_seen"
FILES_DONE = "files_done"
FILES_QUARANTINED = "files_quarantined"
FILES_LOCKED = "files_locked"  # another worker holds the file's lock
FILES_DEFERRED = "files_deferred"  # left untagged after a transient failure: retried next run
FILES_SENT = "files_sent"
FILES_REJECTED = "files_rejected"  # ACE refused a whole inbound file
FILES_UNANSWERED = "files_unanswered"
RECORDS_OK = "records_ok"
RECORDS_FAILED = "records_failed"
RECORDS_SKIPPED = "records_skipped"
RECORDS_PLANNED = "records_planned"  # a dry run's would-be writes

#: An error list longer than this keeps its first entries and a count: the log has the rest.
MAX_REPORTED_ERRORS = 100


@dataclass(frozen=True)
class PlannedWrite:
    """One write a dry run would have made.

    ``action`` is what would happen (``upsert``, ``update``, ``tag``, ``delete``,
    ``put``...), ``target`` where (a Salesforce object or an S3 key), ``key`` which
    record (an ACE id, a Salesforce Id) when it is about one, ``values`` the data.
    """

    action: str
    target: str
    key: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        which = f" {self.key}" if self.key else ""
        values = f" {dict(self.values)}" if self.values else ""
        return f"{self.action} {self.target}{which}{values}"


@dataclass
class FlowReport:
    """The outcome of one run of one flow (or of one file within it)."""

    flow: str
    dry_run: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    planned_writes: list[PlannedWrite] = field(default_factory=list)
    errors_dropped: int = 0

    def count(self, name: str, amount: int = 1) -> None:
        self.counts[name] += amount

    def __getitem__(self, name: str) -> int:
        return self.counts[name]

    def add_error(self, message: str) -> None:
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(message)
        else:
            self.errors_dropped += 1

    def plan(self, action: str, target: str, *, key: str | None = None,
             values: Mapping[str, Any] | None = None) -> None:
        self.planned_writes.append(PlannedWrite(action=action, target=target, key=key, values=dict(values or {})))

    def merge(self, other: FlowReport) -> FlowReport:
        """Add another report's counters, errors and plans to this one (a file's into the run's)."""
        self.counts.update(other.counts)
        for message in other.errors:
            self.add_error(message)
        self.errors_dropped += other.errors_dropped
        self.planned_writes.extend(other.planned_writes)
        return self

    @property
    def ok(self) -> bool:
        return not self.errors and not self.errors_dropped

    def as_counts(self) -> dict[str, int]:
        """Non-zero counters, sorted, for ``FlowRun.counts`` and logs."""
        return {name: value for name, value in sorted(self.counts.items()) if value}

    def summary(self) -> str:
        counts = ", ".join(f"{name}={value}" for name, value in self.as_counts().items()) or "nothing to do"
        mode = " (dry run)" if self.dry_run else ""
        errors = len(self.errors) + self.errors_dropped
        return f"{self.flow}{mode}: {counts}" + (f"; {errors} error(s)" if errors else "")
