"""Real processes for the reliability scenarios: a private redis-server and connector commands.

A scenario that stops, flushes or restarts Redis gets its own ``redis-server``
on a spare port (:class:`RedisServer`), never the shared one. Connector
processes (``ace-connector worker``, ``sync``, ``scheduler``) run as
subprocesses of the test with an explicit environment (:class:`ConnectorProcess`);
their output goes to a file so the secret-leak checks can read everything
they wrote.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import redis

STARTUP_TIMEOUT_SECONDS = 15.0
STOP_TIMEOUT_SECONDS = 15.0
POLL_INTERVAL_SECONDS = 0.05


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, *, timeout_seconds: float, what: str) -> None:  # noqa: ANN001 - any callable
    """Poll ``condition`` until it is true; AssertionError naming ``what`` when it never is."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(POLL_INTERVAL_SECONDS)
    raise AssertionError(f"timed out after {timeout_seconds} s waiting for {what}")


class RedisServer:
    """A ``redis-server`` of the test's own, without persistence unless ``append_only``."""

    def __init__(self, work_dir: Path, *, append_only: bool = False, password: str | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed; the reliability suite needs it")
        self.binary = binary
        self.work_dir = Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.append_only = append_only
        self.password = password
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def start(self) -> RedisServer:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.work_dir),
                   "--save", "", "--appendonly", "yes" if self.append_only else "no",
                   "--logfile", str(self.work_dir / "redis.log"),
                   *(["--requirepass", self.password] if self.password else [])]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._answers, timeout_seconds=STARTUP_TIMEOUT_SECONDS, what=f"redis-server on {self.port}")
        return self

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        """Stop it abruptly (SIGKILL): whatever was not persisted is gone."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(STOP_TIMEOUT_SECONDS)
            self._process = None

    def restart(self) -> None:
        """Kill and start again on the same port (empty, unless append-only persistence is on)."""
        self.kill()
        self.start()

    def flush(self) -> None:
        self.client().flushall()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.kill()


class ConnectorProcess:
    """``ace-connector <args>`` in a subprocess with exactly ``env`` (plus PATH and HOME)."""

    def __init__(self, args: Sequence[str], *, env: Mapping[str, str], log_path: Path,
                 cwd: Path | None = None) -> None:
        self.args = list(args)
        self.log_path = Path(log_path)
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"),
                    "PYTHONUNBUFFERED": "1", **env}
        self.cwd = cwd
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> ConnectorProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        # A process group of its own: dramatiq forks worker processes, and a kill must reach them all.
        self._process = subprocess.Popen([sys.executable, "-m", "connector", *self.args], env=self.env,
                                         cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self._process is not None, "not started"
        return self._process.pid

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: no clean-up, no lock release, like a lost machine."""
        if self._process is None:
            return
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._process.wait(STOP_TIMEOUT_SECONDS)

    def terminate(self) -> int:
        """SIGTERM, then wait: the clean shutdown path. Returns the exit code."""
        assert self._process is not None, "not started"
        try:
            os.killpg(self._process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            return self._process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"ace-connector {' '.join(self.args)} ignored SIGTERM for "
                                 f"{STOP_TIMEOUT_SECONDS} s") from None

    def wait(self, timeout_seconds: float) -> int:
        assert self._process is not None, "not started"
        return self._process.wait(timeout_seconds)

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def run_connector(args: Sequence[str], *, env: Mapping[str, str], log_path: Path,
                  timeout_seconds: float = 120.0, cwd: Path | None = None) -> tuple[int, str]:
    """Run ``ace-connector <args>`` to the end: (exit code, everything it printed)."""
    process = ConnectorProcess(args, env=env, log_path=log_path, cwd=cwd).start()
    try:
        code = process.wait(timeout_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"ace-connector {' '.join(args)} still running after {timeout_seconds} s") from None
    return code, process.output()
