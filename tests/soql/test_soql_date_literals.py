"""Relative date literals as [start, end) day ranges."""

from __future__ import annotations

from datetime import date

import pytest

from connector.soql.date_literals import (DATE_LITERALS_WITH_N, FIXED_DATE_LITERALS,
                                          date_literal_range)

WEDNESDAY = date(2024, 5, 15)   # the week began on Sunday 2024-05-12; Q2 began 2024-04-01
NEW_YEAR = date(2024, 1, 10)    # periods before it fall in 2023


@pytest.mark.parametrize(("name", "n", "today", "start", "end"), [
    ("TODAY", None, WEDNESDAY, date(2024, 5, 15), date(2024, 5, 16)),
    ("YESTERDAY", None, WEDNESDAY, date(2024, 5, 14), date(2024, 5, 15)),
    ("TOMORROW", None, WEDNESDAY, date(2024, 5, 16), date(2024, 5, 17)),
    ("THIS_WEEK", None, WEDNESDAY, date(2024, 5, 12), date(2024, 5, 19)),
    ("LAST_WEEK", None, WEDNESDAY, date(2024, 5, 5), date(2024, 5, 12)),
    ("NEXT_WEEK", None, WEDNESDAY, date(2024, 5, 19), date(2024, 5, 26)),
    ("THIS_WEEK", None, date(2024, 5, 12), date(2024, 5, 12), date(2024, 5, 19)),  # a Sunday
    ("THIS_WEEK", None, date(2024, 5, 18), date(2024, 5, 12), date(2024, 5, 19)),  # a Saturday
    ("THIS_MONTH", None, WEDNESDAY, date(2024, 5, 1), date(2024, 6, 1)),
    ("LAST_MONTH", None, NEW_YEAR, date(2023, 12, 1), date(2024, 1, 1)),
    ("NEXT_MONTH", None, date(2024, 12, 31), date(2025, 1, 1), date(2025, 2, 1)),
    ("THIS_QUARTER", None, WEDNESDAY, date(2024, 4, 1), date(2024, 7, 1)),
    ("LAST_QUARTER", None, NEW_YEAR, date(2023, 10, 1), date(2024, 1, 1)),
    ("NEXT_QUARTER", None, WEDNESDAY, date(2024, 7, 1), date(2024, 10, 1)),
    ("THIS_YEAR", None, WEDNESDAY, date(2024, 1, 1), date(2025, 1, 1)),
    ("LAST_YEAR", None, WEDNESDAY, date(2023, 1, 1), date(2024, 1, 1)),
    ("NEXT_YEAR", None, WEDNESDAY, date(2025, 1, 1), date(2026, 1, 1)),
    ("LAST_90_DAYS", None, WEDNESDAY, date(2024, 2, 15), date(2024, 5, 16)),   # 91 days
    ("NEXT_90_DAYS", None, WEDNESDAY, date(2024, 5, 16), date(2024, 8, 14)),
    ("LAST_N_DAYS", 1, WEDNESDAY, date(2024, 5, 14), date(2024, 5, 16)),       # yesterday+today
    ("LAST_N_DAYS", 0, WEDNESDAY, date(2024, 5, 15), date(2024, 5, 16)),
    ("NEXT_N_DAYS", 2, WEDNESDAY, date(2024, 5, 16), date(2024, 5, 18)),
    ("N_DAYS_AGO", 3, WEDNESDAY, date(2024, 5, 12), date(2024, 5, 13)),
    ("LAST_N_WEEKS", 2, WEDNESDAY, date(2024, 4, 28), date(2024, 5, 12)),
    ("NEXT_N_WEEKS", 1, WEDNESDAY, date(2024, 5, 19), date(2024, 5, 26)),
    ("LAST_N_MONTHS", 2, NEW_YEAR, date(2023, 11, 1), date(2024, 1, 1)),
    ("NEXT_N_MONTHS", 13, WEDNESDAY, date(2024, 6, 1), date(2025, 7, 1)),
    ("LAST_N_QUARTERS", 1, WEDNESDAY, date(2024, 1, 1), date(2024, 4, 1)),
    ("NEXT_N_QUARTERS", 2, WEDNESDAY, date(2024, 7, 1), date(2025, 1, 1)),
    ("LAST_N_YEARS", 2, WEDNESDAY, date(2022, 1, 1), date(2024, 1, 1)),
    ("NEXT_N_YEARS", 1, WEDNESDAY, date(2025, 1, 1), date(2026, 1, 1)),
])
def test_ranges(name, n, today, start, end):
    assert date_literal_range(name, n, today=today) == (start, end)


def test_every_advertised_literal_resolves():
    for name in FIXED_DATE_LITERALS:
        start, end = date_literal_range(name, today=WEDNESDAY)
        assert start < end
    for name in DATE_LITERALS_WITH_N:
        start, end = date_literal_range(name, 3, today=WEDNESDAY)
        assert start < end


def test_unknown_names_and_missing_numbers_are_refused():
    with pytest.raises(ValueError, match="unknown date literal 'LAST_FORTNIGHT'"):
        date_literal_range("LAST_FORTNIGHT", today=WEDNESDAY)
    with pytest.raises(ValueError, match="LAST_N_DAYS needs a number"):
        date_literal_range("last_n_days", today=WEDNESDAY)
