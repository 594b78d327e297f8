"""Who is who in the emulated org: its id, its two users, the connected app, the limits.

These are fixed, well-known values for a local stand-in; they protect nothing.
The session tokens handed out are random per server start.
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.sandbox.salesforce.ids import make_id

ORGANIZATION_ID = make_id("00D", 1)
ORGANIZATION_NAME = "ACE Connector Emulated Org"

#: Supported REST API versions (v40.0 .. v61.0); ss 1.12.10 defaults to 59.0.
OLDEST_API_VERSION = 40
NEWEST_API_VERSION = 61
DEFAULT_API_VERSION = "59.0"
#: Since v46.0 an upsert that updates answers 200 with a body, before that 204.
UPSERT_UPDATE_BODY_SINCE_VERSION = 46.0

DEFAULT_DAILY_API_REQUESTS = 1_000_000


@dataclass(frozen=True)
class OrgUser:
    id: str
    username: str
    password: str
    security_token: str
    first_name: str
    last_name: str
    email: str
    alias: str


INTEGRATION_USER = OrgUser(id=make_id("005", 1), username="integration@ace-connector.example",
                           password="emulator-password", security_token="EmulatorToken1",
                           first_name="Integration", last_name="User",
                           email="integration@ace-connector.example", alias="integ")
#: The second user: "a human edited this record".
ADMIN_USER = OrgUser(id=make_id("005", 2), username="admin@ace-connector.example",
                     password="emulator-admin-password", security_token="EmulatorToken2",
                     first_name="Org", last_name="Admin", email="admin@ace-connector.example",
                     alias="admin")
USERS = (INTEGRATION_USER, ADMIN_USER)

CONSUMER_KEY = "ace-connector-emulator-consumer-key"
CONSUMER_SECRET = "ace-connector-emulator-consumer-secret"


def user_rows() -> list[dict]:
    return [{"Id": user.id, "Username": user.username, "FirstName": user.first_name,
             "LastName": user.last_name, "Name": f"{user.first_name} {user.last_name}",
             "Email": user.email, "Alias": user.alias, "IsActive": 1} for user in USERS]


def organization_row() -> dict:
    return {"Id": ORGANIZATION_ID, "Name": ORGANIZATION_NAME, "OrganizationType": "Developer Edition",
            "InstanceName": "EMU1", "IsSandbox": 1}


def parse_api_version(segment: str) -> str | None:
    """``v59.0`` -> ``59.0`` when supported, else None."""
    if not segment.startswith("v"):
        return None
    try:
        number = float(segment[1:])
    except ValueError:
        return None
    if not (OLDEST_API_VERSION <= number <= NEWEST_API_VERSION) or not segment.endswith(".0"):
        return None
    return segment[1:]


def api_versions() -> list[dict]:
    return [{"label": f"v{number}.0", "url": f"/services/data/v{number}.0", "version": f"{number}.0"}
            for number in range(OLDEST_API_VERSION, NEWEST_API_VERSION + 1)]
