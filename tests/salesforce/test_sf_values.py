"""Pure pieces of the adapter: value encoding, result parsing, limit headers, retries."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from connector.errors import SalesforceRequestError, TransientSalesforceError
from connector.salesforce.records import BULK_NULL, collection_body, csv_cell, csv_row, key_value
from connector.salesforce.results import RecordError, from_collection_entry, parse_bulk_error
from connector.salesforce.retry import RetryPolicy, call_with_retries
from connector.salesforce.transport import ApiUsage, is_counted, parse_limit_info


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, BULK_NULL),
        (True, "true"),
        (False, "false"),
        (1e20, "100000000000000000000"),
        (0.1, "0.1"),
        (Decimal("125000.50"), "125000.50"),
        (42, "42"),
        (date(2024, 6, 3), "2024-06-03"),
        (datetime(2024, 6, 3, 11, 12, 44, 123456, tzinfo=timezone(timedelta(hours=2))),
         "2024-06-03T09:12:44.123Z"),
        (datetime(2024, 6, 3, 9, 12, 44), "2024-06-03T09:12:44.000Z"),
        ("O'Brien, \"Ltd\"", "O'Brien, \"Ltd\""),
    ],
)
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


def test_csv_row_flattens_parent_references():
    row = csv_row({"attributes": {"type": "Opportunity"}, "Name": "Deal",
                   "Account": {"ACE_Account_Id__c": "A1"}})
    assert row == {"Name": "Deal", "Account.ACE_Account_Id__c": "A1"}


def test_collection_body_types_every_record_and_encodes_dates():
    body = json.loads(collection_body("Lead", [{"LastName": "Ng", "ACE_Last_Synced__c":
                                                datetime(2024, 6, 3, 9, 0, tzinfo=timezone.utc)}]))
    assert body == {"allOrNone": False, "records": [
        {"attributes": {"type": "Lead"}, "LastName": "Ng", "ACE_Last_Synced__c": "2024-06-03T09:00:00.000Z"}]}


def test_collection_body_refuses_values_it_cannot_encode():
    with pytest.raises(TypeError, match="cannot send a object"):
        collection_body("Lead", [{"LastName": object()}])


def test_key_value_ignores_case_and_blank_values():
    assert key_value({"ace_opportunity_id__c": "O1"}, "ACE_Opportunity_Id__c") == "O1"
    assert key_value({"ACE_Opportunity_Id__c": "  "}, "ACE_Opportunity_Id__c") is None
    assert key_value({}, "Id") is None


@pytest.mark.parametrize(
    ("cell", "error"),
    [
        ("REQUIRED_FIELD_MISSING:Required fields are missing: [Company]:Company --",
         RecordError("REQUIRED_FIELD_MISSING", "Required fields are missing: [Company]", ("Company",))),
        ("INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--",
         RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ())),
        ("STRING_TOO_LONG:Name: data value too large:Name,Title --",
         RecordError("STRING_TOO_LONG", "Name: data value too large", ("Name", "Title"))),
        ("something odd", RecordError("UNKNOWN", "something odd", ())),
    ],
)
def test_parse_bulk_error(cell, error):
    assert parse_bulk_error(cell) == error


def test_collection_entry_success_and_failure():
    ok = from_collection_entry(3, {"id": "00Q000000000001AAA", "success": True, "errors": [],
                                   "created": False}, created_default=True)
    assert (ok.index, ok.id, ok.created, ok.success) == (3, "00Q000000000001AAA", False, True)
    bad = from_collection_entry(4, {"success": False, "errors": [
        {"statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [Company]",
         "fields": ["Company"]}]}, created_default=True)
    assert not bad.success and bad.id is None and not bad.created
    assert bad.error_text == "REQUIRED_FIELD_MISSING: Required fields are missing: [Company] [Company]"


@pytest.mark.parametrize(
    ("header", "usage"),
    [
        ("api-usage=25/15000", ApiUsage(25, 15000)),
        ("api-usage=25/15000; per-app-api-usage=17/250(appName=connector)", ApiUsage(25, 15000)),
        ("per-app-api-usage=17/250(appName=connector)", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_limit_info(header, usage):
    assert parse_limit_info(header) == usage


def test_only_data_calls_are_counted():
    assert is_counted("https://h/services/data/v59.0/query/?q=x")
    assert is_counted("https://h/services/async/59.0/job")
    assert not is_counted("https://h/services/Soap/u/59.0")
    assert not is_counted("https://h/services/oauth2/token")


def test_retries_stop_at_the_bound_and_only_for_transient_errors():
    calls: list[int] = []
    pauses: list[float] = []

    def always_locked() -> None:
        calls.append(1)
        raise TransientSalesforceError("locked", code="UNABLE_TO_LOCK_ROW")

    with pytest.raises(TransientSalesforceError):
        call_with_retries(always_locked, policy=RetryPolicy(attempts=3, first_delay_seconds=1.0),
                          what="test", sleep=pauses.append)
    assert len(calls) == 3
    assert len(pauses) == 2 and 0.5 <= pauses[0] <= 1.0 and 1.0 <= pauses[1] <= 2.0

    calls.clear()

    def refused() -> None:
        calls.append(1)
        raise SalesforceRequestError("bad field", code="INVALID_FIELD")

    with pytest.raises(SalesforceRequestError):
        call_with_retries(refused, policy=RetryPolicy(), what="test", sleep=pauses.append)
    assert len(calls) == 1


def test_retry_returns_the_first_success():
    outcomes = iter([TransientSalesforceError("503", code="SERVER_UNAVAILABLE"), "done"])

    def flaky() -> str:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert call_with_retries(flaky, policy=RetryPolicy(first_delay_seconds=0), what="t",
                             sleep=lambda s: None) == "done"


def test_retry_policy_rejects_nonsense():
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)
