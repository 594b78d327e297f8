"""Open a simple-salesforce session from the connector's settings.

Four ways in, tried in this order (the first complete set wins):

1. ``SF_INSTANCE_URL`` + ``SF_SESSION_ID``: an existing session (the emulator, CI).
2. JWT bearer: ``SF_USERNAME`` + ``SF_CONSUMER_KEY`` + ``SF_PRIVATE_KEY_FILE``.
3. Username and password (SOAP login): ``SF_USERNAME`` + ``SF_PASSWORD``, plus
   ``SF_SECURITY_TOKEN`` unless the org trusts the worker's IP range.
4. Client credentials: ``SF_CONSUMER_KEY`` + ``SF_CONSUMER_SECRET`` with
   ``SF_DOMAIN`` set to the org's My Domain (Salesforce refuses this flow on
   ``login``/``test``).

``SF_DOMAIN`` picks the login host (``https://{domain}.salesforce.com``),
``SF_CA_BUNDLE`` the certificates to trust, ``SF_API_VERSION`` the API version.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import requests
from simple_salesforce import Salesforce

from connector.errors import ConfigurationError
from connector.salesforce.errors import translated_errors
from connector.salesforce.transport import MeteredAdapter
from connector.settings import Settings

#: Salesforce only allows the client credentials flow on a My Domain host.
GENERIC_LOGIN_DOMAINS = frozenset({"login", "test"})


class CredentialKind(str, Enum):
    SESSION = "session id"
    JWT = "JWT bearer"
    PASSWORD = "username and password"
    CLIENT_CREDENTIALS = "client credentials"


@dataclass(frozen=True)
class _CredentialSet:
    kind: CredentialKind
    #: setting names (upper case) that must all be set
    required: tuple[str, ...]


CREDENTIAL_SETS = (
    _CredentialSet(CredentialKind.SESSION, ("SF_INSTANCE_URL", "SF_SESSION_ID")),
    _CredentialSet(CredentialKind.JWT, ("SF_USERNAME", "SF_CONSUMER_KEY", "SF_PRIVATE_KEY_FILE")),
    _CredentialSet(CredentialKind.PASSWORD, ("SF_USERNAME", "SF_PASSWORD")),
    _CredentialSet(CredentialKind.CLIENT_CREDENTIALS, ("SF_CONSUMER_KEY", "SF_CONSUMER_SECRET")),
)


def credential_kind(settings: Settings) -> CredentialKind:
    """Which way :func:`open_salesforce` will log in; ConfigurationError if none is complete."""
    partial: list[str] = []
    for candidate in CREDENTIAL_SETS:
        missing = [name for name in candidate.required if not _is_set(settings, name)]
        if not missing:
            if candidate.kind is CredentialKind.CLIENT_CREDENTIALS and \
                    settings.sf_domain in GENERIC_LOGIN_DOMAINS:
                partial.append(f"{candidate.kind.value} needs SF_DOMAIN set to the org's My Domain "
                               f"(e.g. 'acme.my'), not '{settings.sf_domain}'")
                continue
            return candidate.kind
        if len(missing) < len(candidate.required):
            partial.append(f"{candidate.kind.value} is missing {', '.join(missing)}")
    choices = "; ".join(" + ".join(c.required) + f" ({c.kind.value})" for c in CREDENTIAL_SETS)
    message = f"no complete Salesforce credential set is configured. Set one of: {choices}."
    if partial:
        message += " Partly configured: " + "; ".join(partial) + "."
    raise ConfigurationError(message)


def http_session(settings: Settings) -> requests.Session:
    """The ``requests.Session`` every Salesforce call of this connector goes through."""
    session = requests.Session()
    ca_bundle = None
    if settings.sf_ca_bundle is not None:
        if not settings.sf_ca_bundle.is_file():
            raise ConfigurationError(f"SF_CA_BUNDLE points to {settings.sf_ca_bundle}, which is not a file")
        ca_bundle = session.verify = str(settings.sf_ca_bundle)
    session.mount("https://", MeteredAdapter(ca_bundle=ca_bundle))
    return session


def open_salesforce(settings: Settings, *, session: requests.Session | None = None) -> Salesforce:
    """A logged-in ``simple_salesforce.Salesforce`` pinned to ``SF_API_VERSION``.

    Login failures raise ``SalesforceAuthError``; a missing or incomplete
    configuration raises ``ConfigurationError`` naming the settings (never
    their values).
    """
    kind = credential_kind(settings)
    session = session or http_session(settings)
    common = {"version": settings.sf_api_version, "session": session}
    with translated_errors():
        if kind is CredentialKind.SESSION:
            return Salesforce(instance_url=settings.sf_instance_url,
                              session_id=_secret(settings, "sf_session_id"), **common)
        if kind is CredentialKind.JWT:
            key_file = settings.sf_private_key_file
            if key_file is None or not key_file.is_file():
                raise ConfigurationError(f"SF_PRIVATE_KEY_FILE points to {key_file}, which is not a file")
            # No instance_url here: simple-salesforce would use it as the token host.
            return Salesforce(username=settings.sf_username, consumer_key=settings.sf_consumer_key,
                              privatekey_file=str(key_file), domain=settings.sf_domain, **common)
        if kind is CredentialKind.PASSWORD:
            return Salesforce(username=settings.sf_username, password=_secret(settings, "sf_password"),
                              security_token=_secret(settings, "sf_security_token"),
                              domain=settings.sf_domain, **common)
        return Salesforce(consumer_key=settings.sf_consumer_key,
                          consumer_secret=_secret(settings, "sf_consumer_secret"),
                          domain=settings.sf_domain, **common)


def _is_set(settings: Settings, env_name: str) -> bool:
    value = getattr(settings, env_name.lower())
    if value is None:
        return False
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    return str(value).strip() != ""


def _secret(settings: Settings, field_name: str) -> str:
    """The plain value of a secret setting ('' when unset: a token is optional on trusted IPs)."""
    value = getattr(settings, field_name)
    return "" if value is None else value.get_secret_value()
