"""Every simple-salesforce and requests failure becomes one of the project's error types."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce import exceptions as sf

from connector.errors import (
    SalesforceAuthError,
    SalesforceError,
    SalesforceLimitExceeded,
    SalesforceRequestError,
    TransientSalesforceError,
)
from connector.salesforce.errors import error_code_and_message, translate, translated_errors, was_not_applied

URL = "https://org.example.com/services/data/v59.0/query/?q=SELECT+Id+FROM+Lead"
SESSION_ID = "00D000000000001!AQEAQsecretSessionTokenValue"


def _rest_error(code: str, message: str = "something happened") -> list[dict[str, str]]:
    return [{"message": message, "errorCode": code}]


@pytest.mark.parametrize(
    ("exc", "expected_type", "expected_code", "expected_status"),
    [
        (sf.SalesforceExpiredSession(URL, 401, "query", _rest_error("INVALID_SESSION_ID")),
         SalesforceAuthError, "INVALID_SESSION_ID", 401),
        (sf.SalesforceAuthenticationFailed("INVALID_LOGIN", "Invalid username or password"),
         SalesforceAuthError, "INVALID_LOGIN", None),
        (sf.SalesforceMalformedRequest(URL, 400, "query", _rest_error("MALFORMED_QUERY")),
         SalesforceRequestError, "MALFORMED_QUERY", 400),
        (sf.SalesforceMalformedRequest(URL, 400, "Lead", _rest_error("UNABLE_TO_LOCK_ROW")),
         TransientSalesforceError, "UNABLE_TO_LOCK_ROW", 400),
        (sf.SalesforceMalformedRequest(URL, 400, "", {"exceptionCode": "InvalidSessionId",
                                                      "exceptionMessage": "bad session"}),
         SalesforceAuthError, "InvalidSessionId", 400),
        (sf.SalesforceRefusedRequest(URL, 403, "query",
                                     _rest_error("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")),
         SalesforceLimitExceeded, "REQUEST_LIMIT_EXCEEDED", 403),
        (sf.SalesforceRefusedRequest(URL, 403, "Lead", _rest_error("INSUFFICIENT_ACCESS")),
         SalesforceRequestError, "INSUFFICIENT_ACCESS", 403),
        (sf.SalesforceResourceNotFound(URL, 404, "Lead", _rest_error("NOT_FOUND")),
         SalesforceRequestError, "NOT_FOUND", 404),
        (sf.SalesforceMoreThanOneRecord(URL, 300, "Lead", ["/services/data/v59.0/sobjects/Lead/00Q1",
                                                           "/services/data/v59.0/sobjects/Lead/00Q2"]),
         SalesforceRequestError, "MORE_THAN_ONE_RECORD", 300),
        (sf.SalesforceGeneralError(URL, 503, "query", _rest_error("SERVER_UNAVAILABLE")),
         TransientSalesforceError, "SERVER_UNAVAILABLE", 503),
        (sf.SalesforceGeneralError(URL, 500, "query", "<html>Internal error</html>"),
         TransientSalesforceError, "HTTP_500", 500),
        (sf.SalesforceGeneralError(URL, 405, "Lead", _rest_error("METHOD_NOT_ALLOWED")),
         SalesforceRequestError, "METHOD_NOT_ALLOWED", 405),
        (sf.SalesforceOperationError("Job failure. Response content: InvalidBatch : Field name not found"),
         SalesforceRequestError, "BULK_JOB_FAILED", None),
        (sf.SalesforceBulkV2LoadError("Failed to upload job data. Error Code 400."),
         SalesforceRequestError, "BULK_JOB_FAILED", None),
        (requests.exceptions.ReadTimeout("read timed out"), TransientSalesforceError, "TIMEOUT", None),
        (requests.exceptions.ConnectTimeout("connect timed out"),
         TransientSalesforceError, "CONNECT_TIMEOUT", None),
        (requests.exceptions.ConnectionError("connection reset"),
         TransientSalesforceError, "CONNECTION_ERROR", None),
        (requests.exceptions.SSLError("certificate verify failed"), SalesforceError, "TLS_ERROR", None),
    ],
)
def test_each_failure_maps_to_its_project_error(exc, expected_type, expected_code, expected_status):
    error = translate(exc)
    assert type(error) is expected_type
    assert error.code == expected_code
    assert error.status == expected_status
    assert str(error)


def test_transient_flag_follows_the_type():
    assert translate(requests.exceptions.ReadTimeout()).transient
    assert not translate(sf.SalesforceRefusedRequest(
        URL, 403, "query", _rest_error("REQUEST_LIMIT_EXCEEDED"))).transient
    assert not translate(requests.exceptions.SSLError()).transient


def test_message_keeps_code_and_text_but_not_url_query_or_session():
    exc = sf.SalesforceMalformedRequest(
        URL + "+WHERE+Email+%3D+%27x%40y.com%27", 400, "query",
        _rest_error("INVALID_FIELD", "No such column 'Foo' on entity 'Lead'"))
    error = translate(exc)
    assert "INVALID_FIELD" in str(error)
    assert "No such column 'Foo' on entity 'Lead'" in str(error)
    assert "q=" not in str(error) and "x%40y.com" not in str(error)


def test_context_manager_raises_translation_without_the_original_attached():
    with pytest.raises(SalesforceAuthError) as info:
        with translated_errors():
            raise sf.SalesforceExpiredSession(URL, 401, "query", _rest_error("INVALID_SESSION_ID"))
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__
    assert SESSION_ID not in str(info.value)


def test_context_manager_leaves_other_exceptions_alone():
    with pytest.raises(KeyError):
        with translated_errors():
            raise KeyError("not a Salesforce failure")


def test_long_bodies_are_clipped():
    error = translate(sf.SalesforceGeneralError(URL, 502, "query", "x" * 10_000))
    assert len(str(error)) < 700


def test_auth_failure_with_missing_description():
    error = translate(sf.SalesforceAuthenticationFailed("invalid_grant", None))
    assert isinstance(error, SalesforceAuthError)
    assert error.code == "invalid_grant"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ([{"statusCode": "DUPLICATE_VALUE", "message": "dup", "fields": []}], ("DUPLICATE_VALUE", "dup")),
        ({"error": "invalid_grant", "error_description": "authentication failure"},
         ("invalid_grant", "authentication failure")),
        (b"plain text body", (None, "plain text body")),
        (None, (None, "")),
    ],
)
def test_error_code_and_message_reads_every_body_shape(content, expected):
    assert error_code_and_message(content) == expected


def test_only_failures_that_prove_nothing_was_written_count_as_not_applied():
    assert was_not_applied(translate(requests.exceptions.ConnectTimeout()))
    assert was_not_applied(translate(sf.SalesforceGeneralError(URL, 503, "x", "down")))
    assert was_not_applied(translate(sf.SalesforceMalformedRequest(
        URL, 400, "x", _rest_error("UNABLE_TO_LOCK_ROW"))))
    assert not was_not_applied(translate(requests.exceptions.ReadTimeout()))
    assert not was_not_applied(translate(sf.SalesforceGeneralError(URL, 500, "x", "boom")))
    assert not was_not_applied(translate(requests.exceptions.ConnectionError()))
