"""Login flows (SOAP, OAuth password / client credentials / JWT) and the 401 path."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceExpiredSession


def test_soap_login_with_security_token(emulator, org_facts):
    sf = Salesforce(username=org_facts.username, password=org_facts.password,
                    security_token=org_facts.security_token, domain=org_facts.soap_domain,
                    session=emulator.requests_session(), version="59.0")
    assert sf.sf_instance == f"127.0.0.1:{emulator.port}"
    assert sf.Lead.describe()["name"] == "Lead"


def test_soap_login_with_organization_id(emulator, org_facts):
    from connector.sandbox.salesforce.org import ORGANIZATION_ID
    sf = Salesforce(username=org_facts.username, password=org_facts.password,
                    organizationId=ORGANIZATION_ID[:15], domain=org_facts.soap_domain,
                    session=emulator.requests_session(), version="59.0")
    assert sf.limits()["DailyApiRequests"]["Max"] > 0


def test_soap_login_with_a_wrong_password_fails_like_an_org(emulator, org_facts):
    with pytest.raises(SalesforceAuthenticationFailed) as excinfo:
        Salesforce(username=org_facts.username, password="wrong", security_token="x",
                   domain=org_facts.soap_domain, session=emulator.requests_session())
    assert excinfo.value.code == "INVALID_LOGIN"


def test_oauth_password_flow(emulator, org_facts):
    sf = Salesforce(username=org_facts.username, password=org_facts.password,
                    consumer_key=org_facts.consumer_key, consumer_secret=org_facts.consumer_secret,
                    domain=org_facts.oauth_domain, session=emulator.requests_session(), version="59.0")
    assert sf.sf_instance == f"127.0.0.1:{emulator.port}"
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 0


@pytest.mark.parametrize(("secret", "code"), [("wrong-secret", "invalid_client_id")])
def test_oauth_password_flow_refuses_a_bad_client(emulator, org_facts, secret, code):
    with pytest.raises(SalesforceAuthenticationFailed) as excinfo:
        Salesforce(username=org_facts.username, password=org_facts.password,
                   consumer_key=org_facts.consumer_key, consumer_secret=secret,
                   domain=org_facts.oauth_domain, session=emulator.requests_session())
    assert excinfo.value.code == code


def test_oauth_client_credentials_flow(emulator, org_facts):
    sf = Salesforce(consumer_key=org_facts.consumer_key, consumer_secret=org_facts.consumer_secret,
                    domain=org_facts.oauth_domain, session=emulator.requests_session(), version="59.0")
    assert sf.Lead.metadata()["objectDescribe"]["name"] == "Lead"


def test_oauth_jwt_bearer_flow(emulator, org_facts, jwt_private_key_pem):
    sf = Salesforce(username=org_facts.username, consumer_key=org_facts.consumer_key,
                    privatekey=jwt_private_key_pem.decode(), domain=org_facts.oauth_domain,
                    session=emulator.requests_session(), version="59.0")
    assert sf.Lead.create({"LastName": "Ng", "Company": "Acme"})["success"] is True


def test_jwt_signed_by_another_key_is_refused(emulator, org_facts):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(SalesforceAuthenticationFailed) as excinfo:
        Salesforce(username=org_facts.username, consumer_key=org_facts.consumer_key,
                   privatekey=other.decode(), domain=org_facts.oauth_domain,
                   session=emulator.requests_session())
    assert excinfo.value.code == "invalid_grant"


def test_a_bad_session_id_is_an_expired_session(emulator):
    sf = Salesforce(instance_url=emulator.instance_url, session_id="00Dnope!AQbogus",
                    session=emulator.requests_session())
    with pytest.raises(SalesforceExpiredSession) as excinfo:
        sf.query("SELECT Id FROM Lead")
    assert excinfo.value.content == [{"message": "Session expired or invalid",
                                      "errorCode": "INVALID_SESSION_ID"}]


def test_expired_session_fault_is_survived_by_automatic_relogin(emulator, org_facts, hooks):
    sf = Salesforce(username=org_facts.username, password=org_facts.password,
                    security_token=org_facts.security_token, domain=org_facts.soap_domain,
                    session=emulator.requests_session(), version="59.0")
    first_token = sf.session_id
    hooks("POST", "faults", json={"error": "INVALID_SESSION_ID", "count": 1, "kind": "query"})
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 0
    assert sf.session_id != first_token


def test_revoked_session_hook(emulator, sf, hooks):
    assert hooks("POST", "sessions/expire", json={"session_id": emulator.session_id}) == {"revoked": True}
    with pytest.raises(SalesforceExpiredSession):
        sf.Lead.describe()
