"""The adapter against the project's org emulator, over real HTTPS, with unmodified simple-salesforce.

One emulator serves the whole session and is reset before each test that
uses it. ``org_hooks`` calls the emulator's test hooks (stats, faults, limits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connector.salesforce import RetryPolicy, SalesforceClient, clear_describe_cache, open_salesforce
from connector.sandbox.salesforce import EmulatorServer
from connector.settings import Settings

API_VERSION = "59.0"
#: No pauses between retries: the tests count attempts, they do not time them.
NO_WAIT_RETRIES = RetryPolicy(attempts=3, first_delay_seconds=0)


@pytest.fixture(scope="session")
def jwt_key_pair() -> tuple[bytes, bytes]:
    """(private PEM, public PEM) for the JWT bearer flow."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    return private_pem, public_pem


@pytest.fixture(scope="session")
def sf_org(jwt_key_pair: tuple[bytes, bytes]) -> Iterator[EmulatorServer]:
    with EmulatorServer(api_version=API_VERSION, jwt_public_key_pem=jwt_key_pair[1]) as server:
        yield server


@pytest.fixture
def org_hooks(sf_org: EmulatorServer) -> Callable[..., Any]:
    """``org_hooks("POST", "faults", json={...})`` -> the hook's JSON answer. Resets the org first."""
    http = sf_org.requests_session()

    def call(method: str, name: str, **kwargs: Any) -> Any:
        response = http.request(method, f"{sf_org.instance_url}/_emulator/{name}", **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    call("POST", "reset")
    clear_describe_cache()
    return call


@pytest.fixture
def org_settings(sf_org: EmulatorServer) -> Settings:
    """Settings for the session-id way in, trusting the emulator's CA bundle."""
    return Settings(_env_file=None, sf_instance_url=sf_org.instance_url, sf_session_id=sf_org.session_id,
                    sf_ca_bundle=Path(sf_org.ca_bundle), sf_api_version=API_VERSION)


@pytest.fixture
def make_client(org_settings: Settings, org_hooks: Callable[..., Any]) -> Callable[..., SalesforceClient]:
    """A fresh client on its own session: ``make_client(bulk_threshold_records=5)``."""
    def make(**options: Any) -> SalesforceClient:
        options.setdefault("retry_policy", NO_WAIT_RETRIES)
        options.setdefault("bulk_first_poll_seconds", 0.05)
        return SalesforceClient(open_salesforce(org_settings), **options)
    return make


@pytest.fixture
def client(make_client: Callable[..., SalesforceClient]) -> SalesforceClient:
    return make_client()
