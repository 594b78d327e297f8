"""SOQL's relative date literals (``TODAY``, ``LAST_N_DAYS:7``, ``THIS_MONTH``…) as date ranges.

Each literal stands for a half-open range of days ``[start, end)``. ``=`` means
"inside the range", ``<`` "before its start", ``>`` "after its end". Weeks start
on Sunday and quarters are calendar quarters (the en_US locale; fiscal literals
are not supported). The ranges follow Salesforce's documentation: ``LAST_N_DAYS:n``
includes today and the n days before it (so ``LAST_N_DAYS:1`` is yesterday and
today); every other ``LAST_…`` range ends before the current period and every
``NEXT_…`` range starts after it.
"""

from __future__ import annotations

from datetime import date, timedelta

DateRange = tuple[date, date]

MONTHS_PER_UNIT = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}


def _period_start(unit: str, today: date) -> date:
    if unit == "DAY":
        return today
    if unit == "WEEK":
        return today - timedelta(days=(today.weekday() + 1) % 7)
    months = MONTHS_PER_UNIT[unit]
    return date(today.year, (today.month - 1) // months * months + 1, 1)


def _shift(unit: str, start: date, periods: int) -> date:
    """``start`` (a period start) moved by whole periods."""
    if unit == "DAY":
        return start + timedelta(days=periods)
    if unit == "WEEK":
        return start + timedelta(weeks=periods)
    index = start.year * 12 + start.month - 1 + periods * MONTHS_PER_UNIT[unit]
    return date(index // 12, index % 12 + 1, 1)


def _periods(unit: str, today: date, first: int, count: int) -> DateRange:
    """``count`` periods of ``unit``, the first one ``first`` periods from the current one."""
    start = _shift(unit, _period_start(unit, today), first)
    return start, _shift(unit, start, count)


# NAME -> (unit, first period relative to the current one, number of periods)
_FIXED = {
    "YESTERDAY": ("DAY", -1, 1), "TODAY": ("DAY", 0, 1), "TOMORROW": ("DAY", 1, 1),
    "LAST_90_DAYS": ("DAY", -90, 91), "NEXT_90_DAYS": ("DAY", 1, 90),
    **{f"{when}_{unit}": (unit, first, 1)
       for unit in ("WEEK", "MONTH", "QUARTER", "YEAR")
       for when, first in (("LAST", -1), ("THIS", 0), ("NEXT", 1))},
}
_UNITS_WITH_N = {"DAYS": "DAY", "WEEKS": "WEEK", "MONTHS": "MONTH", "QUARTERS": "QUARTER",
                 "YEARS": "YEAR"}

FIXED_DATE_LITERALS = frozenset(_FIXED)
DATE_LITERALS_WITH_N = frozenset(
    {f"{when}_N_{plural}" for when in ("LAST", "NEXT") for plural in _UNITS_WITH_N}
    | {"N_DAYS_AGO"})


def date_literal_range(name: str, n: int | None = None, *, today: date) -> DateRange:
    """``[start, end)`` of the literal ``name`` (``n`` for the ``_N_`` forms) seen from ``today``."""
    upper = name.upper()
    if upper in _FIXED:
        unit, first, count = _FIXED[upper]
        return _periods(unit, today, first, count)
    if upper not in DATE_LITERALS_WITH_N:
        raise ValueError(f"unknown date literal {name!r}")
    if n is None:
        raise ValueError(f"date literal {upper} needs a number, as in {upper}:3")
    if upper == "N_DAYS_AGO":
        return _periods("DAY", today, -n, 1)
    if upper == "LAST_N_DAYS":
        return _periods("DAY", today, -n, n + 1)
    when, _, plural = upper.split("_")
    unit = _UNITS_WITH_N[plural]
    return _periods(unit, today, -n, n) if when == "LAST" else _periods(unit, today, 1, n)
