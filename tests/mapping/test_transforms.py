"""Round trips of the transforms, with generated values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.mapping import transforms as t

DATES = st.dates(min_value=datetime(1900, 1, 1).date(), max_value=datetime(2999, 12, 31).date())
DATETIMES = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2999, 12, 31),
                         timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
#: picklist-like values: no ';', no surrounding spaces, not empty
WORDS = st.text(st.characters(blacklist_characters=";", blacklist_categories=("Cs", "Cc", "Zs")),
                min_size=1, max_size=20)
UNIQUE_WORDS = st.lists(WORDS, min_size=1, max_size=8, unique=True)


@given(DATES)
def test_iso_date_keeps_dates_and_takes_the_date_of_a_datetime(day) -> None:
    assert t.iso_date(day.isoformat()) == day.isoformat()
    assert t.iso_date(f"{day.isoformat()}T23:59:59.000Z") == day.isoformat()


@given(DATETIMES)
def test_gmt_datetime_round_trips_through_salesforce_format(moment) -> None:
    ace = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    salesforce = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"
    assert t.gmt_datetime(ace) == ace
    assert t.gmt_datetime(salesforce) == ace
    assert t.gmt_datetime(t.gmt_datetime(ace)) == ace


def test_gmt_datetime_converts_other_zones_to_utc() -> None:
    assert t.gmt_datetime("2024-03-01T01:30:00.250+0200") == "2024-02-29T23:30:00.250Z"


@given(UNIQUE_WORDS)
def test_multi_select_round_trip(values) -> None:
    joined = ";".join(values)
    assert t.multi_select(joined) == joined
    assert t.multi_select(" ; ".join(values) + ";") == joined  # spaces and a trailing ';' are tidied


@given(UNIQUE_WORDS)
def test_list_as_text_round_trip(values) -> None:
    to_salesforce, to_ace = t.TRANSFORMS["list_as_text"].build({})
    assert to_ace(to_salesforce(values)) == values


@given(st.sampled_from(["Yes", "No"]))
def test_yes_no_checkbox_round_trip(value) -> None:
    to_salesforce, to_ace = t.TRANSFORMS["yes_no_checkbox"].build({})
    assert to_ace(to_salesforce(value)) == value
    assert isinstance(to_salesforce(value), bool)


@given(st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False, width=64)))
def test_number_round_trip(value) -> None:
    assert t.number(value) == value
    assert float(t.number(repr(value))) == float(value)


@given(st.text(max_size=300), st.integers(1, 200))
def test_truncate_keeps_a_prefix_of_at_most_length(value, length) -> None:
    to_salesforce, to_ace = t.TRANSFORMS["truncate"].build({"length": length})
    cut = to_salesforce(value)
    assert len(cut) <= length and value.startswith(cut) and to_ace(cut) == cut


@given(st.lists(st.text(st.characters(whitelist_categories=("L",)), min_size=1, max_size=12), min_size=1,
                max_size=3), st.text(st.characters(whitelist_categories=("L",)), min_size=1, max_size=12))
def test_full_name_splits_then_joins_back(first_names, last) -> None:
    full = " ".join([*first_names, last])
    to_salesforce, to_ace = t.TRANSFORMS["full_name"].build({})
    first, last_part = to_salesforce(full)
    assert last_part == last and first == " ".join(first_names)
    assert to_ace((first, last_part)) == full


def test_a_single_name_is_a_last_name() -> None:
    assert t.split_full_name("  Cher ") == (None, "Cher")


@pytest.mark.parametrize("transform,value", [
    ("iso_date", "2024-02-30"), ("iso_date", "31/01/2024"), ("gmt_datetime", "yesterday"),
    ("yes_no_checkbox", "Maybe"), ("number", "ten"), ("number", True), ("number", "nan"),
    ("list_as_text", 42),
])
def test_bad_values_raise_value_error_with_the_value(transform, value) -> None:
    to_salesforce, _ = t.TRANSFORMS[transform].build({})
    with pytest.raises(ValueError, match=repr(value)[:6].replace("(", r"\(")):
        to_salesforce(value)
