"""The test hooks: stats, faults, limits, reset; and the Sforce-Limit-Info header."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import (
    SalesforceGeneralError, SalesforceMalformedRequest, SalesforceRefusedRequest)


def test_every_response_carries_api_usage(sf, make):
    sf.Lead.create(make.lead())
    lead_type = sf.Lead
    lead_type.describe()
    assert lead_type.api_usage["api-usage"].used == 2
    with pytest.raises(SalesforceMalformedRequest) as excinfo:
        sf.query("SELECT FROM Lead")
    assert excinfo.value.content  # errors carry the header too (checked raw below)


def test_limit_header_on_errors_and_limits_endpoint(emulator, http, sf):
    response = http.get(f"{emulator.instance_url}/services/data/v59.0/sobjects/Nope",
                        headers={"Authorization": f"Bearer {emulator.session_id}"})
    assert response.status_code == 404
    assert response.headers["Sforce-Limit-Info"].startswith("api-usage=1/")
    limits = sf.limits()["DailyApiRequests"]
    assert limits["Max"] - limits["Remaining"] == 2


def test_stats_count_calls_per_endpoint_kind(sf, make, hooks):
    sf.Lead.create(make.lead())
    sf.Lead.upsert("ACE_Lead_Id__c/L1", make.lead())
    sf.query("SELECT Id FROM Lead")
    stats = hooks("GET", "stats")
    assert stats["by_kind"] == {"sobject.create": 1, "sobject.upsert": 1, "query": 1}
    assert stats["total"] == stats["api_usage"] == 3
    assert stats["records"] == {"created": 2}


def test_daily_limit_is_enforced(sf, make, hooks):
    hooks("POST", "limits", json={"daily_api_max": 1})
    sf.Lead.create(make.lead())
    with pytest.raises(SalesforceRefusedRequest) as excinfo:
        sf.Lead.create(make.lead())
    assert excinfo.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


@pytest.mark.parametrize(("error", "exception", "status"), [
    ("UNABLE_TO_LOCK_ROW", SalesforceMalformedRequest, 400),
    ("REQUEST_LIMIT_EXCEEDED", SalesforceRefusedRequest, 403),
    ("SERVER_UNAVAILABLE", SalesforceGeneralError, 503),
    ("UNKNOWN_EXCEPTION", SalesforceGeneralError, 500),
])
def test_injected_errors(sf, make, hooks, error, exception, status):
    hooks("POST", "faults", json={"error": error, "kind": "sobject.create", "count": 1})
    with pytest.raises(exception) as excinfo:
        sf.Lead.create(make.lead())
    assert excinfo.value.status == status
    assert excinfo.value.content[0]["errorCode"] == error
    assert sf.Lead.create(make.lead())["success"] is True  # count exhausted


def test_fault_rate_is_seeded_and_repeatable(sf, make, hooks):
    def outcomes() -> list[bool]:
        hooks("POST", "reset")
        hooks("POST", "faults", json={"faults": [{"error": "UNABLE_TO_LOCK_ROW", "rate": 0.5}], "seed": 7})
        seen = []
        for _ in range(12):
            try:
                sf.Lead.create(make.lead())
                seen.append(True)
            except SalesforceMalformedRequest:
                seen.append(False)
        return seen

    first = outcomes()
    assert first == outcomes()
    assert True in first and False in first


def test_per_record_lock_faults_in_collections(sf, make, hooks):
    hooks("POST", "faults", json={"error": "UNABLE_TO_LOCK_ROW", "per_record": True, "count": 1})
    records = [{"attributes": {"type": "Lead"}, **make.lead()} for _ in range(3)]
    results = sf.restful("composite/sobjects", method="POST", json={"records": records})
    assert [r["success"] for r in results] == [False, True, True]
    assert results[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"


def test_bad_fault_spec_is_explained(emulator, http):
    response = http.post(f"{emulator.instance_url}/_emulator/faults", json={"error": "BOOM"})
    assert response.status_code == 400 and "error must be one of" in response.json()["error"]


def test_reset_empties_the_org_but_keeps_sessions(sf, make, hooks):
    sf.Lead.create(make.lead())
    hooks("POST", "reset")
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 0
    assert sf.query("SELECT COUNT() FROM User")["totalSize"] == 2


def test_touch_moves_system_modstamp_alone(sf, make, hooks):
    hooks("POST", "clock", json={"freeze": "2024-06-03T09:12:44Z"})
    created = sf.Lead.create(make.lead())
    hooks("POST", "clock", json={"shift_seconds": 1})
    hooks("POST", "touch", json={"object": "Lead", "id": created["id"]})
    record = sf.Lead.get(created["id"])
    assert record["LastModifiedDate"] == "2024-06-03T09:12:44.000+0000"
    assert record["SystemModstamp"] == "2024-06-03T09:12:45.000+0000"
