"""Running the emulator: an HTTPS server on a thread, for tests, the demo and the CLI.

    with EmulatorServer() as org:
        sf = Salesforce(instance_url=org.instance_url, session_id=org.session_id,
                        session=org.requests_session(), version=org.api_version)
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from connector.sandbox.salesforce import org
from connector.sandbox.salesforce.app import EmulatorApp
from connector.sandbox.salesforce.backend import OrgBackend, default_sfdx_dir
from connector.sandbox.salesforce.tls import make_certificate, server_context


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request: a benchmark makes thousands."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class EmulatorServer:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, data_dir: Path | None = None,
                 sfdx_dir: Path | None = None, api_version: str = org.DEFAULT_API_VERSION,
                 daily_api_max: int = org.DEFAULT_DAILY_API_REQUESTS,
                 jwt_public_key_pem: bytes | None = None, public_host: str | None = None) -> None:
        """``public_host`` is the name clients reach the server by, when not ``host``
        (a server bound to 0.0.0.0 in a container is reached by its service name)."""
        self.host = host
        self.public_host = public_host
        self.port = port
        self.api_version = api_version
        self._own_data_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="sf-emulator-"))
        self.sfdx_dir = sfdx_dir if sfdx_dir is not None else default_sfdx_dir()
        self.daily_api_max = daily_api_max
        self.jwt_public_key_pem = jwt_public_key_pem
        self.backend: OrgBackend | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "EmulatorServer":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cert_path, key_path = make_certificate(
            self.data_dir, hostnames=(self.public_host,) if self.public_host else ())
        self.ca_bundle = str(cert_path)
        self.backend = OrgBackend(data_dir=self.data_dir, sfdx_dir=self.sfdx_dir,
                                  daily_api_max=self.daily_api_max,
                                  jwt_public_key_pem=self.jwt_public_key_pem)
        app = EmulatorApp(self.backend, instance_url="", api_version=self.api_version)
        self._server = make_server(self.host, self.port, app, threaded=True,
                                   request_handler=_QuietHandler,
                                   ssl_context=server_context(cert_path, key_path))
        self.port = self._server.server_port
        app.instance_url = self.instance_url
        self._thread = threading.Thread(target=self._server.serve_forever, name="sf-emulator",
                                        daemon=True)
        self._thread.start()
        return self

    @property
    def instance_url(self) -> str:
        return f"https://{self.public_host or self.host}:{self.port}"

    @property
    def session_id(self) -> str:
        return self.backend.session_id  # type: ignore[union-attr]

    @property
    def admin_session_id(self) -> str:
        return self.backend.admin_session_id  # type: ignore[union-attr]

    def info(self) -> dict:
        """What the info file holds: enough for a client with only simple-salesforce and requests."""
        return {"instance_url": self.instance_url, "session_id": self.session_id,
                "admin_session_id": self.admin_session_id, "ca_bundle": self.ca_bundle,
                "api_version": self.api_version,
                "login": {"username": org.INTEGRATION_USER.username,
                          "password": org.INTEGRATION_USER.password,
                          "security_token": org.INTEGRATION_USER.security_token,
                          "consumer_key": org.CONSUMER_KEY, "consumer_secret": org.CONSUMER_SECRET,
                          "soap_domain": f"{self.host}:{self.port}/services/Soap/u/{self.api_version}?x=",
                          "oauth_domain": f"{self.host}:{self.port}/services/oauth2/token?x="}}

    def write_info(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(self.info(), indent=2) + "\n")
        temporary.chmod(0o600)  # it holds session ids
        temporary.replace(path)  # readers never see a half-written file

    def requests_session(self):  # noqa: ANN201 - requests is imported lazily
        """A ``requests.Session`` that trusts the emulator's certificate.

        ``trust_env`` is off because requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE
        from the environment override ``session.verify``.
        """
        import requests

        session = requests.Session()
        session.verify = self.ca_bundle
        session.trust_env = False
        return session

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.backend is not None:
            self.backend.close()
        if self._own_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
