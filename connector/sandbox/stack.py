"""Both remote systems, stood in for in one process: S3 (moto), the org emulator, the ACE simulator.

The demo, ``ace-connector sandbox up`` (docker-compose's dev profile) and the
process-level tests start everything the connector talks to with one object::

    with SandboxStack(work_dir=Path("sandbox")) as sandbox:
        settings = sandbox.settings(redis_url="redis://127.0.0.1:6379/0")
        sandbox.simulator.refer_opportunity(customerCompanyName="Example Corp")
        sandbox.simulator.export()          # the referral is in opportunity-outbound/

``connector_env()`` is what a worker in another process needs to reach the
stand-ins, as environment variables. It holds the emulator's session id and
moto's made-up AWS keys: they open nothing but these local stand-ins, still
they are written to a private file (:meth:`write_env_file`), never printed.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

from moto.server import ThreadedMotoServer

from connector.sandbox.ace import Simulator
from connector.sandbox.ace.config import DEFAULT_SPMS_ID
from connector.sandbox.ace.simulator import SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET
from connector.sandbox.salesforce import EmulatorServer
from connector.settings import Settings

DEFAULT_BUCKET = "ace-sandbox"
SANDBOX_REGION = "us-west-2"
#: The ports ``sandbox up`` listens on by default (0 = any free port, as tests use).
DEFAULT_S3_PORT = 5000
DEFAULT_SALESFORCE_PORT = 8443
#: Files in ``work_dir``: the simulator's state and the emulator's SQLite org and certificate.
SIMULATOR_STATE_DIR = "ace-simulator"
EMULATOR_DATA_DIR = "salesforce"


class SandboxStack:
    """A moto S3 server, the Salesforce org emulator and an ACE simulator on the bucket.

    ``host`` is the address to listen on; ``public_host`` the name other
    processes use to reach it (a compose service name when ``host`` is 0.0.0.0).
    ``sfdx_dir`` is the sfdx source whose custom fields the org gets (default:
    the checkout's ``salesforce/``; an installed package must be told).
    """

    def __init__(self, *, work_dir: Path, bucket: str = DEFAULT_BUCKET, spms_id: str = DEFAULT_SPMS_ID,
                 host: str = "127.0.0.1", public_host: str | None = None, s3_port: int = 0,
                 salesforce_port: int = 0, api_version: str = "59.0", sfdx_dir: Path | None = None) -> None:
        self.work_dir = Path(work_dir)
        self.bucket_name = bucket
        self.spms_id = spms_id
        self.host = host
        self.public_host = public_host or host
        self.api_version = api_version
        self._s3_port = s3_port
        self._moto = ThreadedMotoServer(ip_address=host, port=s3_port, verbose=False)
        self.emulator = EmulatorServer(host=host, port=salesforce_port, data_dir=self.work_dir / EMULATOR_DATA_DIR,
                                       api_version=api_version, sfdx_dir=sfdx_dir,
                                       public_host=public_host if public_host != host else None)
        self._simulator: Simulator | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> SandboxStack:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        # werkzeug (under moto and the emulator) logs a line per request unless told otherwise.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._moto.start()
        self._s3_port = self._moto.get_host_and_port()[1]
        try:
            self.emulator.start()
            self._simulator = self._new_simulator()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self.emulator.stop()
        self._moto.stop()

    def reset(self) -> None:
        """Start over without restarting: an empty bucket, a fresh org, a simulator that knows nothing."""
        bucket = self.simulator.bucket
        for info in bucket.iter_objects(""):
            bucket.delete(info.key)
        response = self.emulator.requests_session().post(f"{self.emulator.instance_url}/_emulator/reset")
        response.raise_for_status()
        shutil.rmtree(self.work_dir / SIMULATOR_STATE_DIR, ignore_errors=True)
        self._simulator = self._new_simulator()

    def __enter__(self) -> SandboxStack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _new_simulator(self) -> Simulator:
        simulator = Simulator.from_settings(self.settings(), state_dir=self.work_dir / SIMULATOR_STATE_DIR)
        simulator.ensure_bucket()
        simulator.configure(partner={"spms_id": self.spms_id})
        return simulator

    # --- what clients need ---------------------------------------------------------------------

    @property
    def simulator(self) -> Simulator:
        if self._simulator is None:
            raise RuntimeError("the sandbox is not started")
        return self._simulator

    @property
    def s3_endpoint_url(self) -> str:
        return f"http://{self.public_host}:{self._s3_port}"

    def connector_env(self) -> dict[str, str]:
        """The environment a connector process needs to work against this sandbox."""
        return {
            "ACE_BUCKET": self.bucket_name,
            "ACE_S3_ENDPOINT_URL": self.s3_endpoint_url,
            "ACE_SPMS_ID": self.spms_id,
            "AWS_ACCESS_KEY_ID": SANDBOX_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SANDBOX_SECRET,
            "AWS_DEFAULT_REGION": SANDBOX_REGION,
            "SF_INSTANCE_URL": self.emulator.instance_url,
            "SF_SESSION_ID": self.emulator.session_id,
            "SF_CA_BUNDLE": str(Path(self.emulator.ca_bundle).resolve()),
            "SF_API_VERSION": self.api_version,
        }

    def settings(self, **overrides: Any) -> Settings:
        """Connector settings pointed at this sandbox (``overrides`` by field name, e.g. ``redis_url``)."""
        values: dict[str, Any] = {name.lower(): value for name, value in self.connector_env().items()}
        values.update(overrides)
        return Settings(**values)

    def write_env_file(self, path: Path) -> Path:
        """Write :meth:`connector_env` as a dotenv file only its owner can read; returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        lines = [f"{name}={value}" for name, value in self.connector_env().items()]
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        temporary.replace(path)  # readers never see a half-written file
        return path
