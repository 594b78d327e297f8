"""One Salesforce org emulator for the whole session, reset before every test.

Every org-specific assumption the tests make (users, picklist values, key
prefixes, the connected app) comes from ``org_facts``, so pointing these
tests at a real developer org means changing that one fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from simple_salesforce import Salesforce

from connector.sandbox.salesforce import EmulatorServer, org

API_VERSION = "59.0"


@pytest.fixture(scope="session")
def jwt_private_key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@pytest.fixture(scope="session")
def emulator(jwt_private_key_pem: bytes) -> Iterator[EmulatorServer]:
    private_key = serialization.load_pem_private_key(jwt_private_key_pem, password=None)
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with EmulatorServer(api_version=API_VERSION, jwt_public_key_pem=public_pem) as server:
        yield server


@pytest.fixture(scope="session")
def http(emulator: EmulatorServer) -> requests.Session:
    """A plain HTTPS session trusting the emulator (for the test hooks and raw checks)."""
    return emulator.requests_session()


@pytest.fixture(autouse=True)
def _fresh_org(request: pytest.FixtureRequest) -> None:
    if "emulator" in request.fixturenames:
        emulator: EmulatorServer = request.getfixturevalue("emulator")
        response = emulator.requests_session().post(emulator.instance_url + "/_emulator/reset")
        assert response.status_code == 200, response.text


@pytest.fixture
def sf(emulator: EmulatorServer) -> Salesforce:
    """simple-salesforce as the integration user, with the session id from the info file."""
    return Salesforce(instance_url=emulator.instance_url, session_id=emulator.session_id,
                      session=emulator.requests_session(), version=API_VERSION)


@pytest.fixture
def sf_admin(emulator: EmulatorServer) -> Salesforce:
    """simple-salesforce as the second user ("a human edited this record")."""
    return Salesforce(instance_url=emulator.instance_url, session_id=emulator.admin_session_id,
                      session=emulator.requests_session(), version=API_VERSION)


@pytest.fixture
def hooks(emulator: EmulatorServer, http: requests.Session):
    """Call an emulator test hook: ``hooks("POST", "faults", json={...})`` -> parsed JSON."""
    def call(method: str, name: str, **kwargs: object) -> object:
        response = http.request(method, f"{emulator.instance_url}/_emulator/{name}", **kwargs)
        assert response.status_code == 200, response.text
        return response.json()
    return call


@pytest.fixture(scope="session")
def org_facts(emulator: EmulatorServer) -> SimpleNamespace:
    host = f"127.0.0.1:{emulator.port}"
    return SimpleNamespace(
        username=org.INTEGRATION_USER.username, password=org.INTEGRATION_USER.password,
        security_token=org.INTEGRATION_USER.security_token,
        integration_user_id=org.INTEGRATION_USER.id, admin_user_id=org.ADMIN_USER.id,
        consumer_key=org.CONSUMER_KEY, consumer_secret=org.CONSUMER_SECRET,
        soap_domain=f"{host}/services/Soap/u/{API_VERSION}?x=",
        oauth_domain=f"{host}/services/oauth2/token?x=",
        prefixes={"Account": "001", "Contact": "003", "User": "005", "Opportunity": "006",
                  "Lead": "00Q"},
        opportunity_stage="Prospecting", closed_won_stage="Closed Won",
        lead_status_default="Open - Not Contacted",
    )


def new_opportunity(**fields: object) -> dict:
    return {"Name": "Edge rollout", "StageName": "Prospecting", "CloseDate": "2024-09-30", **fields}


def new_lead(**fields: object) -> dict:
    return {"LastName": "Ng", "Company": "Acme", **fields}


@pytest.fixture
def make() -> SimpleNamespace:
    """Minimal valid bodies for the objects the connector writes."""
    return SimpleNamespace(opportunity=new_opportunity, lead=new_lead)
