"""Which credentials open a session, and the errors when none are complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.errors import ConfigurationError
from connector.salesforce.session import CredentialKind, credential_kind, http_session, open_salesforce
from connector.salesforce.transport import MeteredAdapter
from connector.settings import Settings

PASSWORD = "hunter2-very-secret"
TOKEN = "tok3n-very-secret"
SECRET = "consumer-secret-value"


def _settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ({"sf_instance_url": "https://127.0.0.1:8443", "sf_session_id": "00D!abc"}, CredentialKind.SESSION),
        ({"sf_username": "u@example.com", "sf_password": PASSWORD, "sf_security_token": TOKEN},
         CredentialKind.PASSWORD),
        ({"sf_username": "u@example.com", "sf_password": PASSWORD}, CredentialKind.PASSWORD),
        ({"sf_username": "u@example.com", "sf_consumer_key": "3MVG", "sf_private_key_file": "key.pem"},
         CredentialKind.JWT),
        ({"sf_consumer_key": "3MVG", "sf_consumer_secret": SECRET, "sf_domain": "acme.my"},
         CredentialKind.CLIENT_CREDENTIALS),
        # A session id wins over a username/password that is also configured.
        ({"sf_instance_url": "https://127.0.0.1:8443", "sf_session_id": "00D!abc",
          "sf_username": "u@example.com", "sf_password": PASSWORD}, CredentialKind.SESSION),
    ],
)
def test_credential_kind(values, kind):
    assert credential_kind(_settings(**values)) is kind


def test_nothing_configured_lists_every_way_in():
    with pytest.raises(ConfigurationError) as info:
        credential_kind(_settings())
    message = str(info.value)
    for name in ("SF_INSTANCE_URL", "SF_SESSION_ID", "SF_USERNAME", "SF_PASSWORD",
                 "SF_CONSUMER_KEY", "SF_PRIVATE_KEY_FILE", "SF_CONSUMER_SECRET"):
        assert name in message


def test_partial_set_names_what_is_missing_and_never_a_value():
    with pytest.raises(ConfigurationError) as info:
        credential_kind(_settings(sf_password=PASSWORD, sf_security_token=TOKEN))
    message = str(info.value)
    assert "username and password is missing SF_USERNAME" in message
    assert PASSWORD not in message and TOKEN not in message


def test_session_id_without_instance_url_is_named():
    with pytest.raises(ConfigurationError, match="session id is missing SF_INSTANCE_URL"):
        credential_kind(_settings(sf_session_id="00D!abc"))


def test_client_credentials_need_a_my_domain():
    with pytest.raises(ConfigurationError) as info:
        credential_kind(_settings(sf_consumer_key="3MVG", sf_consumer_secret=SECRET))
    assert "SF_DOMAIN" in str(info.value) and "My Domain" in str(info.value)
    assert SECRET not in str(info.value)


def test_missing_private_key_file_is_a_configuration_error(tmp_path: Path):
    settings = _settings(sf_username="u@example.com", sf_consumer_key="3MVG",
                         sf_private_key_file=tmp_path / "absent.pem")
    with pytest.raises(ConfigurationError, match="SF_PRIVATE_KEY_FILE"):
        open_salesforce(settings)


def test_missing_ca_bundle_is_a_configuration_error(tmp_path: Path):
    with pytest.raises(ConfigurationError, match="SF_CA_BUNDLE"):
        http_session(_settings(sf_ca_bundle=tmp_path / "absent.pem"))


def test_http_session_trusts_the_ca_bundle_and_is_metered(tmp_path: Path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    session = http_session(_settings(sf_ca_bundle=bundle))
    assert session.verify == str(bundle)
    assert isinstance(session.get_adapter("https://org.example.com"), MeteredAdapter)


def test_session_id_login_pins_the_api_version_without_a_network_call():
    sf = open_salesforce(_settings(sf_instance_url="https://127.0.0.1:8443", sf_session_id="00D!abc",
                                   sf_api_version="58.0"))
    assert sf.sf_instance == "127.0.0.1:8443"
    assert sf.base_url == "https://127.0.0.1:8443/services/data/v58.0/"
    assert isinstance(sf.session.get_adapter(sf.base_url), MeteredAdapter)
