"""The emulator's WSGI application: login, sessions, API limits, faults, then the handlers."""

from __future__ import annotations

import json
import time

from werkzeug.wrappers import Request, Response

from connector.logs import get_logger
from connector.sandbox.salesforce import admin, auth
from connector.sandbox.salesforce.api_errors import ApiError, MultipleMatches, invalid_session, not_found
from connector.sandbox.salesforce.backend import OrgBackend
from connector.sandbox.salesforce.org import api_versions, parse_api_version
from connector.sandbox.salesforce.responses import Call, DataHandlers, Reply
from connector.sandbox.salesforce.routing import MethodNotAllowed, match_data_route, split_raw_path

JSON_CONTENT_TYPE = "application/json;charset=UTF-8"
log = get_logger(__name__)


def _json_response(status: int, body: object) -> Response:
    return Response(json.dumps(body), status=status, content_type=JSON_CONTENT_TYPE)


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "oauth") and token.strip():
        return token.strip()
    return request.headers.get("X-SFDC-Session")


class EmulatorApp:
    def __init__(self, backend: OrgBackend, *, instance_url: str, api_version: str) -> None:
        self.backend = backend
        self.instance_url = instance_url
        self.api_version = api_version
        self.handlers = DataHandlers(backend)

    def __call__(self, environ: dict, start_response):  # noqa: ANN204 - WSGI signature
        request = Request(environ)
        raw_path = environ.get("REQUEST_URI") or environ.get("RAW_URI") or request.full_path
        try:
            response = self.dispatch(request, raw_path)
        except Exception:  # an emulator bug must still answer like an org, and be visible
            log.exception("emulator.unhandled_error", path=raw_path.split("?", 1)[0])
            response = _json_response(500, [{"errorCode": "UNKNOWN_EXCEPTION",
                                              "message": "An unexpected error occurred in the emulator"}])
        return response(environ, start_response)

    def dispatch(self, request: Request, raw_path: str) -> Response:
        segments = split_raw_path(raw_path)
        method = request.method.upper()
        if segments[:1] == ["_emulator"]:
            status, body = admin.handle(self.backend, method, segments[1:], request.get_data())
            return _json_response(status, body)
        if segments[:1] != ["services"]:
            return _json_response(404, not_found().rest_body())
        if segments[1:3] == ["Soap", "u"] and method == "POST":
            self.backend.stats.count("login.soap", api_call=False)
            reply = auth.soap_login(request.get_data(), sessions=self.backend.sessions,
                                    instance_url=self.instance_url,
                                    api_version=segments[3] if len(segments) > 3 else self.api_version)
            return Response(reply.body, status=reply.status, content_type=reply.content_type)
        if segments[1:3] == ["oauth2", "token"] and method == "POST":
            self.backend.stats.count("login.oauth", api_call=False)
            reply = auth.oauth_token(request.form.to_dict(), sessions=self.backend.sessions,
                                     authorization=request.headers.get("Authorization"),
                                     instance_url=self.instance_url,
                                     jwt_public_key_pem=self.backend.jwt_public_key_pem)
            return _json_response(reply.status, reply.body)
        if segments[1:2] == ["data"]:
            if len(segments) == 2:
                return _json_response(200, api_versions())
            return self._data(request, method, segments[2:], raw_path)
        return _json_response(404, not_found().rest_body())

    def _data(self, request: Request, method: str, segments: list[str], raw_path: str) -> Response:
        api_version = parse_api_version(segments[0])
        try:
            if api_version is None:
                raise not_found()
            user_id = self.backend.sessions.user_id(_bearer(request))
            if user_id is None:
                raise invalid_session()
            try:
                match = match_data_route(method, segments[1:])
            except MethodNotAllowed as exc:
                raise ApiError("METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are "
                               f"{','.join(exc.allowed)}", status=405, include_fields=False) from None
            if match is None:
                raise not_found()
            if self.backend.stats.usage() >= self.backend.stats.daily_api_max:
                raise ApiError("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", status=403,
                               include_fields=False)
            self.backend.stats.count(match.kind, api_call=True)
            self._inject_faults(request, match.kind, raw_path)
            call = Call(request=request, api_version=api_version, user_id=user_id, kind=match.kind)
            reply: Reply = getattr(self.handlers, match.handler)(call, *match.args)
            response = self._reply(reply)
        except MultipleMatches as exc:
            response = _json_response(300, exc.urls)
        except ApiError as exc:
            response = _json_response(exc.status, exc.rest_body())
        used, maximum = self.backend.stats.usage(), self.backend.stats.daily_api_max
        response.headers["Sforce-Limit-Info"] = f"api-usage={used}/{maximum}"
        return response

    def _inject_faults(self, request: Request, kind: str, raw_path: str) -> None:
        for fault in self.backend.faults.for_request(kind=kind, path=raw_path, method=request.method):
            if fault.error == "latency":
                time.sleep(fault.latency_ms / 1000)
                continue
            if fault.error == "INVALID_SESSION_ID":
                # Only the current token dies, so an automatic re-login succeeds.
                self.backend.sessions.revoke(_bearer(request) or "")
            raise fault.api_error()

    @staticmethod
    def _reply(reply: Reply) -> Response:
        if reply.status == 204 or (reply.body is None and reply.status == 201):
            return Response(status=reply.status)
        if isinstance(reply.body, str):
            return Response(reply.body, status=reply.status, content_type=reply.content_type)
        return _json_response(reply.status, reply.body)
