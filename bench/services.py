"""The stand-ins a benchmark run talks to, each started once per run.

* **S3**: a moto server on a thread of the harness process. The harness itself
  sits idle while a workload runs, so the server does not compete with the
  process under test for its interpreter lock.
* **Salesforce**: the org emulator in its OWN process (``ace-connector sandbox
  salesforce``), for the same reason: a benchmark that ran the emulator beside
  the connector would measure the two fighting over one GIL.
* **Redis**: the server named by ``--redis-url``, under a key prefix private to
  the run; every key under it is removed at the end.

The emulator's latency fault stands in for the network: every API call waits
``latency_ms`` before it is served (login calls and the ``/_emulator`` hooks
do not).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import redis
import requests

#: How long the emulator process may take to write its info file.
EMULATOR_START_TIMEOUT_SECONDS = 60
#: Credentials moto accepts; they open nothing but the local moto server.
BENCH_AWS_ACCESS_KEY_ID = "bench"
BENCH_AWS_SECRET = "bench"
BENCH_REGION = "us-west-2"
BENCH_SPMS_ID = "1234567"
API_VERSION = "59.0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmulatorProcess:
    """The org emulator in a child process, reached over HTTPS like a real org."""

    def __init__(self, *, work_dir: Path) -> None:
        self.work_dir = work_dir
        self.info_file = work_dir / "emulator-info.json"
        self.data_dir = work_dir / "emulator-data"
        self._process: subprocess.Popen | None = None
        self._log = None
        self.info: dict[str, Any] = {}
        self.http = requests.Session()

    def start(self) -> EmulatorProcess:
        self._log = open(self.work_dir / "emulator.log", "wb")  # noqa: SIM115 - closed in stop()
        command = [sys.executable, "-c", "from connector.cli import main; main()", "sandbox", "salesforce",
                   "--port", "0", "--data-dir", str(self.data_dir), "--info-file", str(self.info_file),
                   "--api-version", API_VERSION]
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + EMULATOR_START_TIMEOUT_SECONDS
        while not self.info_file.exists():
            if self._process.poll() is not None:
                raise RuntimeError(f"the org emulator exited with {self._process.returncode}; "
                                   f"see {self.work_dir / 'emulator.log'}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the org emulator did not start within {EMULATOR_START_TIMEOUT_SECONDS} s")
            time.sleep(0.05)
        self.info = json.loads(self.info_file.read_text())
        self.http.verify = self.info["ca_bundle"]
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE must not replace the emulator's certificate
        return self

    @property
    def instance_url(self) -> str:
        return self.info["instance_url"]

    @property
    def session_id(self) -> str:
        return self.info["session_id"]

    @property
    def ca_bundle(self) -> str:
        return self.info["ca_bundle"]

    def hook(self, method: str, name: str, body: Any = None) -> Any:
        response = self.http.request(method, f"{self.instance_url}/_emulator/{name}", json=body)
        if response.status_code != 200:
            raise RuntimeError(f"emulator hook {method} {name} answered {response.status_code}: {response.text}")
        return response.json()

    def stats(self) -> dict[str, Any]:
        return self.hook("GET", "stats")

    def reset(self, *, latency_ms: int) -> None:
        """An empty org with fresh counters, and the network latency in place."""
        self.hook("POST", "reset")
        self.set_latency(latency_ms)

    def set_latency(self, latency_ms: int) -> None:
        if latency_ms:
            self.hook("POST", "faults", {"faults": [{"error": "latency", "latency_ms": latency_ms}]})
        else:
            self.hook("DELETE", "faults")

    def salesforce(self):  # noqa: ANN201 - simple_salesforce imported lazily
        """A simple-salesforce session as the integration user."""
        from simple_salesforce import Salesforce

        session = requests.Session()
        session.verify = self.ca_bundle
        session.trust_env = False
        return Salesforce(instance_url=self.instance_url, session_id=self.session_id, session=session,
                          version=API_VERSION)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None


class Services:
    """moto S3, the emulator process and a private Redis prefix, for one benchmark run."""

    def __init__(self, *, redis_url: str, latency_ms: int, work_dir: Path | None = None) -> None:
        self.redis_url = redis_url
        self.latency_ms = latency_ms
        self._own_work_dir = work_dir is None
        self.work_dir = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="ace-bench-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.redis_prefix = f"acebench:{uuid.uuid4().hex[:10]}"
        self.redis = redis.Redis.from_url(redis_url)
        self.emulator = EmulatorProcess(work_dir=self.work_dir)
        self._moto: Any = None
        self.s3_endpoint_url = ""

    def start(self) -> Services:
        self._require_redis()
        self._start_moto()
        try:
            self.emulator.start()
        except BaseException:
            self.stop()
            raise
        return self

    def _require_redis(self) -> None:
        try:
            self.redis.ping()
        except redis.RedisError as exc:
            raise RuntimeError(f"Redis at {self.redis_url} does not answer ({exc}); start Redis or pass "
                               "--redis-url") from None

    def _start_moto(self) -> None:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one log line per S3 request otherwise
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.s3_endpoint_url = f"http://{host}:{port}"

    def stop(self) -> None:
        self.emulator.stop()
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
        self.clear_redis()
        if self._own_work_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self) -> Services:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def clear_redis(self, prefix: str | None = None) -> None:
        """Remove every key under ``prefix`` (default: the whole run's prefix)."""
        keys = list(self.redis.scan_iter(f"{prefix or self.redis_prefix}*", count=1000))
        for start in range(0, len(keys), 1000):
            self.redis.delete(*keys[start:start + 1000])

    def connector_env(self, *, bucket: str, key_prefix: str, **settings: Any) -> dict[str, str]:
        """Environment variables for a connector process pointed at these stand-ins.

        ``settings`` are further connector settings by field name (``sf_bulk_threshold_records=...``).
        """
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(("ACE_", "SF_", "AWS_", "REDIS_"))}
        env.update({
            "ACE_BUCKET": bucket,
            "ACE_S3_ENDPOINT_URL": self.s3_endpoint_url,
            "ACE_SPMS_ID": BENCH_SPMS_ID,
            "AWS_ACCESS_KEY_ID": BENCH_AWS_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": BENCH_AWS_SECRET,
            "AWS_DEFAULT_REGION": BENCH_REGION,
            "SF_INSTANCE_URL": self.emulator.instance_url,
            "SF_SESSION_ID": self.emulator.session_id,
            "SF_CA_BUNDLE": self.emulator.ca_bundle,
            "SF_API_VERSION": API_VERSION,
            "REDIS_URL": self.redis_url,
            "REDIS_KEY_PREFIX": key_prefix,
        })
        env.update({name.upper(): str(value) for name, value in settings.items()})
        return env
