"""The test hooks under ``/_emulator/`` (never counted as API calls, no session needed).

    GET  stats                 requests served, by endpoint kind, and API usage
    POST reset                 back to an empty org (sessions stay valid)
    GET|POST|DELETE faults     list / configure / clear injected faults
    POST clock                 {"freeze": "<ISO datetime>"} | {"shift_seconds": n} | {"reset": true}
    POST sessions/expire       {"session_id": "..."}: that token now answers 401
    POST limits                {"daily_api_max": n}
    POST touch                 {"object": "Lead", "id": "..."}: move SystemModstamp alone
"""

from __future__ import annotations

import json

from connector.sandbox.salesforce.api_errors import ApiError
from connector.sandbox.salesforce.backend import OrgBackend
from connector.sandbox.salesforce.hooks import FaultSpecError
from connector.sandbox.salesforce.values import parse_datetime


class HookError(ValueError):
    """A hook request that cannot be carried out; answered 400 with its message."""


def _body(raw: bytes) -> dict:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HookError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise HookError("the body must be a JSON object")
    return body


def handle(backend: OrgBackend, method: str, segments: list[str], raw_body: bytes) -> tuple[int, object]:
    """(status, JSON body) for a hook request; ``segments`` follow ``_emulator``."""
    name = "/".join(segments)
    try:
        body = _body(raw_body) if method in ("POST", "PUT", "PATCH") else {}
        if (method, name) == ("GET", "stats"):
            return 200, {**backend.stats.snapshot(), "records": dict(backend.records.writes)}
        if (method, name) == ("POST", "reset"):
            backend.reset()
            return 200, {"reset": True}
        if name == "faults":
            return _faults(backend, method, body)
        if (method, name) == ("POST", "clock"):
            return 200, _clock(backend, body)
        if (method, name) == ("POST", "sessions/expire"):
            return 200, {"revoked": backend.sessions.revoke(str(body.get("session_id", "")))}
        if (method, name) == ("POST", "limits"):
            maximum = body.get("daily_api_max")
            if not isinstance(maximum, int) or maximum < 0:
                raise HookError("daily_api_max must be a non-negative integer")
            backend.stats.daily_api_max = maximum
            return 200, {"daily_api_max": maximum}
        if (method, name) == ("POST", "touch"):
            obj = backend.records.object_named(str(body.get("object", "")))
            with backend.db.transaction() as conn:
                backend.records.touch(conn, obj, str(body.get("id", "")))
            return 200, {"touched": True}
    except (HookError, FaultSpecError) as exc:
        return 400, {"error": str(exc)}
    except ApiError as exc:
        return exc.status, {"error": exc.message, "errorCode": exc.code}
    return 404, {"error": f"no emulator hook {method} /_emulator/{name}"}


def _faults(backend: OrgBackend, method: str, body: dict) -> tuple[int, object]:
    if method == "GET":
        return 200, {"faults": backend.faults.listing()}
    if method == "DELETE":
        backend.faults.clear()
        return 200, {"faults": []}
    if method == "POST":
        return 200, {"faults": backend.faults.configure(body)}
    return 405, {"error": f"{method} is not allowed on /_emulator/faults"}


def _clock(backend: OrgBackend, body: dict) -> dict:
    if body.get("reset"):
        backend.clock.reset()
    if "freeze" in body:
        moment = parse_datetime(str(body["freeze"]))
        if moment is None:
            raise HookError("freeze must be an ISO 8601 datetime with a zone, e.g. 2024-06-03T09:12:44Z")
        backend.clock.freeze(moment)
    if "shift_seconds" in body:
        shift = body["shift_seconds"]
        if isinstance(shift, bool) or not isinstance(shift, (int, float)):
            raise HookError("shift_seconds must be a number")
        backend.clock.shift(shift)
    return {"now": backend.clock.now().isoformat()}
