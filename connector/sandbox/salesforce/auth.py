"""Sessions and the two login endpoints (SOAP partner login, OAuth 2.0 token).

Tokens stay valid until revoked through the test hooks; revoking one leaves
the user able to log in again, which is what simple-salesforce's automatic
re-login needs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from xml.sax.saxutils import escape

from connector.sandbox.salesforce.org import (
    CONSUMER_KEY, CONSUMER_SECRET, ORGANIZATION_ID, USERS, OrgUser)

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
INVALID_LOGIN_MESSAGE = "INVALID_LOGIN: Invalid username, password, security token; or user locked out."


class Sessions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, str] = {}  # token -> user id

    def issue(self, user: OrgUser) -> str:
        # Org ids prefix real tokens; the rest must stay clear of XML-special characters.
        token = f"{ORGANIZATION_ID[:15]}!AQ{secrets.token_urlsafe(36)}"
        with self._lock:
            self._tokens[token] = user.id
        return token

    def user_id(self, token: str | None) -> str | None:
        with self._lock:
            return self._tokens.get(token or "")

    def revoke(self, token: str) -> bool:
        with self._lock:
            return self._tokens.pop(token, None) is not None

    def restore(self, token: str, user: OrgUser) -> None:
        with self._lock:
            self._tokens[token] = user.id


def find_user(username: str | None) -> OrgUser | None:
    for user in USERS:
        if username is not None and user.username.lower() == username.strip().lower():
            return user
    return None


def password_matches(user: OrgUser, password: str | None) -> bool:
    # The emulated org trusts the loopback network, so the security token is optional.
    return password in (user.password, user.password + user.security_token)


@dataclass
class LoginReply:
    status: int
    content_type: str
    body: str | dict


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].split(":")[-1]


def soap_login(body: bytes, *, sessions: Sessions, instance_url: str, api_version: str) -> LoginReply:
    values: dict[str, str] = {}
    try:
        for element in ElementTree.fromstring(body).iter():
            values.setdefault(_local_name(element.tag), (element.text or "").strip())
    except ElementTree.ParseError:
        return _soap_fault("INVALID_LOGIN", "The login request is not a well-formed SOAP envelope")
    user = find_user(values.get("username"))
    org_id = values.get("organizationId")
    if user is None or not password_matches(user, values.get("password")) or (
            org_id and org_id[:15] != ORGANIZATION_ID[:15]):
        return _soap_fault("INVALID_LOGIN", INVALID_LOGIN_MESSAGE)
    token = sessions.issue(user)
    org15 = ORGANIZATION_ID[:15]
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns="urn:partner.soap.sforce.com"><soapenv:Body><loginResponse><result>'
        f"<metadataServerUrl>{instance_url}/services/Soap/m/{api_version}/{org15}</metadataServerUrl>"
        "<passwordExpired>false</passwordExpired><sandbox>true</sandbox>"
        f"<serverUrl>{instance_url}/services/Soap/u/{api_version}/{org15}</serverUrl>"
        f"<sessionId>{token}</sessionId><userId>{user.id}</userId>"
        "</result></loginResponse></soapenv:Body></soapenv:Envelope>")
    return LoginReply(200, "text/xml;charset=UTF-8", xml)


def _soap_fault(code: str, message: str) -> LoginReply:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:sf="urn:fault.partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>sf:{code}</faultcode><faultstring>{escape(message)}</faultstring>"
        '<detail><sf:LoginFault xsi:type="sf:LoginFault">'
        f"<sf:exceptionCode>{code}</sf:exceptionCode>"
        f"<sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>"
        "</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>")
    return LoginReply(500, "text/xml;charset=UTF-8", xml)


def _oauth_error(error: str, description: str, status: int = 400) -> LoginReply:
    return LoginReply(status, "application/json;charset=UTF-8",
                      {"error": error, "error_description": description})


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        key, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return key, secret


def _jwt_user(assertion: str, public_key_pem: bytes | None) -> OrgUser | str:
    """The user a JWT bearer assertion names, or the reason it is refused."""
    import jwt  # PyJWT comes with simple-salesforce

    if public_key_pem is None:
        return "no certificate is registered for this connected app"
    try:
        claims = jwt.decode(assertion, public_key_pem, algorithms=["RS256"],
                            options={"verify_aud": False, "require": ["iss", "sub", "exp"]})
    except jwt.PyJWTError as exc:
        return f"invalid assertion: {exc}"
    if claims.get("iss") != CONSUMER_KEY:
        return "client identifier invalid"
    user = find_user(claims.get("sub"))
    return user if user is not None else "user hasn't approved this consumer"


def oauth_token(form: dict[str, str], *, authorization: str | None, sessions: Sessions,
                instance_url: str, jwt_public_key_pem: bytes | None) -> LoginReply:
    grant = form.get("grant_type")
    if grant == "password":
        if (form.get("client_id"), form.get("client_secret")) != (CONSUMER_KEY, CONSUMER_SECRET):
            return _oauth_error("invalid_client_id", "client identifier invalid")
        user = find_user(form.get("username"))
        if user is None or not password_matches(user, form.get("password")):
            return _oauth_error("invalid_grant", "authentication failure")
    elif grant == "client_credentials":
        if _basic_credentials(authorization) != (CONSUMER_KEY, CONSUMER_SECRET):
            return _oauth_error("invalid_client", "invalid client credentials")
        user = USERS[0]  # the connected app's run-as user
    elif grant == JWT_GRANT:
        found = _jwt_user(form.get("assertion", ""), jwt_public_key_pem)
        if isinstance(found, str):
            return _oauth_error("invalid_grant", found)
        user = found
    else:
        return _oauth_error("unsupported_grant_type", "grant type not supported")
    token = sessions.issue(user)
    identity = f"{instance_url}/id/{ORGANIZATION_ID}/{user.id}"
    issued_at = str(int(time.time() * 1000))
    signature = base64.b64encode(hmac.new(CONSUMER_SECRET.encode(), (identity + issued_at).encode(),
                                          hashlib.sha256).digest()).decode()
    return LoginReply(200, "application/json;charset=UTF-8", {
        "access_token": token, "instance_url": instance_url, "id": identity, "token_type": "Bearer",
        "issued_at": issued_at, "signature": signature})
