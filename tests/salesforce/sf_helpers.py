"""Helpers shared by the adapter's emulator tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def stats(hooks: Callable[..., Any]) -> dict[str, int]:
    """Requests served per endpoint kind since the last reset."""
    return hooks("GET", "stats")["by_kind"]


def lead(n: int, **fields: Any) -> dict[str, Any]:
    return {"LastName": f"Lead {n}", "Company": "Acme", "ACE_Lead_Id__c": f"L{n:05d}", **fields}


def opportunity(n: int, **fields: Any) -> dict[str, Any]:
    return {"Name": f"Deal {n}", "StageName": "Prospecting", "CloseDate": "2024-09-30",
            "ACE_Opportunity_Id__c": f"O{n:09d}", **fields}


class CountingLimiter:
    """A rate limiter that only counts what it is asked for."""

    def __init__(self) -> None:
        self.acquired = 0

    def acquire(self, cost: int = 1) -> None:
        self.acquired += cost
