"""The emulated org's clock: real time by default, movable by tests.

Audit stamps have whole-second resolution in an org, so writes within one
second tie; freezing the clock lets a test force such ties on purpose.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen: datetime | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return datetime.now(timezone.utc) + self._offset

    def freeze(self, moment: datetime) -> None:
        with self._lock:
            self._frozen = moment.astimezone(timezone.utc)

    def shift(self, seconds: float) -> None:
        """Move the clock forward (or back); a frozen clock stays frozen at the new time."""
        with self._lock:
            if self._frozen is not None:
                self._frozen += timedelta(seconds=seconds)
            else:
                self._offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        with self._lock:
            self._frozen = None
            self._offset = timedelta(0)
