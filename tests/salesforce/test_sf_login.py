"""Every way in, against the org emulator's real login endpoints (SOAP and OAuth)."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.errors import SalesforceAuthError, SalesforceError
from connector.salesforce import CredentialKind, SalesforceClient, credential_kind, open_salesforce
from connector.sandbox.salesforce import org
from connector.settings import Settings


def _login_settings(sf_org, **values) -> Settings:
    return Settings(_env_file=None, sf_ca_bundle=Path(sf_org.ca_bundle), sf_api_version="59.0", **values)


def _soap_domain(sf_org) -> str:
    # simple-salesforce always logs in at https://{domain}.salesforce.com/services/Soap/u/{v};
    # a '?' turns the ".salesforce.com/..." tail into a query string the emulator ignores.
    return f"127.0.0.1:{sf_org.port}/services/Soap/u/59.0?x="


def _oauth_domain(sf_org) -> str:
    return f"127.0.0.1:{sf_org.port}/services/oauth2/token?x="


def _user_id(client: SalesforceClient) -> str:
    # Whoever creates a record owns it: the way to see who the session belongs to.
    created = client.create("Lead", [{"LastName": "Who", "Company": "Am I"}])[0]
    return next(client.query(f"SELECT OwnerId FROM Lead WHERE Id = '{created.id}'"))["OwnerId"]


def test_session_id_with_the_ca_bundle(org_settings, org_hooks):
    client = SalesforceClient(open_salesforce(org_settings))
    assert credential_kind(org_settings) is CredentialKind.SESSION
    assert _user_id(client) == org.INTEGRATION_USER.id


def test_without_the_ca_bundle_tls_fails_and_is_not_transient(org_settings):
    client = SalesforceClient(open_salesforce(org_settings.model_copy(update={"sf_ca_bundle": None})))
    with pytest.raises(SalesforceError) as info:
        client.describe("Lead")
    assert info.value.code == "TLS_ERROR" and not info.value.transient


def test_username_password_and_token_through_soap_login(sf_org, org_hooks):
    settings = _login_settings(sf_org, sf_username=org.INTEGRATION_USER.username,
                               sf_password=org.INTEGRATION_USER.password,
                               sf_security_token=org.INTEGRATION_USER.security_token,
                               sf_domain=_soap_domain(sf_org))
    assert credential_kind(settings) is CredentialKind.PASSWORD
    client = SalesforceClient(open_salesforce(settings))
    assert _user_id(client) == org.INTEGRATION_USER.id


def test_wrong_password_is_an_auth_error_that_shows_no_secret(sf_org):
    secret = "not-the-password-0123"
    settings = _login_settings(sf_org, sf_username=org.INTEGRATION_USER.username, sf_password=secret,
                               sf_security_token="tok-0123456789", sf_domain=_soap_domain(sf_org))
    with pytest.raises(SalesforceAuthError) as info:
        open_salesforce(settings)
    assert info.value.code == "INVALID_LOGIN"
    assert secret not in str(info.value) and "tok-0123456789" not in str(info.value)


def test_client_credentials_through_the_token_endpoint(sf_org, org_hooks):
    settings = _login_settings(sf_org, sf_consumer_key=org.CONSUMER_KEY,
                               sf_consumer_secret=org.CONSUMER_SECRET, sf_domain=_oauth_domain(sf_org))
    assert credential_kind(settings) is CredentialKind.CLIENT_CREDENTIALS
    assert _user_id(SalesforceClient(open_salesforce(settings))) == org.INTEGRATION_USER.id


def test_wrong_client_secret_is_an_auth_error(sf_org):
    settings = _login_settings(sf_org, sf_consumer_key=org.CONSUMER_KEY,
                               sf_consumer_secret="wrong-secret-value", sf_domain=_oauth_domain(sf_org))
    with pytest.raises(SalesforceAuthError) as info:
        open_salesforce(settings)
    assert info.value.code == "invalid_client" and "wrong-secret-value" not in str(info.value)


def test_jwt_bearer_with_a_private_key_file(sf_org, org_hooks, jwt_key_pair, tmp_path):
    key_file = tmp_path / "server.key"
    key_file.write_bytes(jwt_key_pair[0])
    settings = _login_settings(sf_org, sf_username=org.ADMIN_USER.username, sf_consumer_key=org.CONSUMER_KEY,
                               sf_private_key_file=key_file, sf_domain=_oauth_domain(sf_org))
    assert credential_kind(settings) is CredentialKind.JWT
    assert _user_id(SalesforceClient(open_salesforce(settings))) == org.ADMIN_USER.id


def test_an_expired_session_id_is_an_auth_error(sf_org, org_hooks, org_settings):
    client = SalesforceClient(open_salesforce(org_settings))
    client.describe("Lead")
    org_hooks("POST", "sessions/expire", json={"session_id": sf_org.session_id})  # reset restores it
    with pytest.raises(SalesforceAuthError) as info:
        list(client.query("SELECT Id FROM Lead"))
    assert info.value.code == "INVALID_SESSION_ID"
    assert sf_org.session_id not in str(info.value)


def test_a_logged_in_client_logs_in_again_when_its_session_expires(sf_org, org_hooks):
    settings = _login_settings(sf_org, sf_username=org.INTEGRATION_USER.username,
                               sf_password=org.INTEGRATION_USER.password, sf_domain=_soap_domain(sf_org))
    client = SalesforceClient(open_salesforce(settings))
    org_hooks("POST", "sessions/expire", json={"session_id": client.sf.session_id})
    assert list(client.query("SELECT Id FROM Lead")) == []
