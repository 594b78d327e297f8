#!/usr/bin/env python3
"""Set-up and entry point for people working on ace-connector.

    python3 dev.py demo     run the embedded demo (moto S3, org emulator, ACE simulator)
    python3 dev.py test     run the test suite (extra arguments go to pytest)
    python3 dev.py bench    run the benchmark harness (extra arguments go to it)

Each command first makes sure `.venv/` exists and holds the project with its
development extras; it reinstalls only when pyproject.toml changes. Tests need
Redis: REDIS on 127.0.0.1:6379 is used when it answers, otherwise a private
`redis-server` is started for the run when one is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-pyproject-sha256"
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"ace-connector needs Python 3.11 or newer (this is {sys.version.split()[0]}).")
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    print("dev.py: installing ace-connector with its dev extras into .venv", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def redis_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_private_redis() -> tuple[subprocess.Popen, str]:
    server = shutil.which("redis-server")
    if server is None:
        sys.exit("dev.py: the tests need Redis. Nothing answers on 127.0.0.1:6379 and no "
                 "`redis-server` is installed: start Redis, or set ACE_TEST_REDIS_URL to one.")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="ace-test-redis-")
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", workdir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        if redis_answers("127.0.0.1", port):
            return proc, f"redis://127.0.0.1:{port}/15"
        time.sleep(0.1)
    proc.terminate()
    sys.exit("dev.py: started redis-server but it did not answer.")


def run_tests(args: list[str]) -> int:
    env = dict(os.environ)
    private = None
    if "ACE_TEST_REDIS_URL" not in env:
        if redis_answers("127.0.0.1", 6379):
            env["ACE_TEST_REDIS_URL"] = DEFAULT_TEST_REDIS_URL
        else:
            private, env["ACE_TEST_REDIS_URL"] = start_private_redis()
    try:
        return subprocess.call([str(BIN / "python"), "-m", "pytest", *args], cwd=ROOT, env=env)
    finally:
        if private is not None:
            private.terminate()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "bench"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv()
    if command == "test":
        return run_tests(rest)
    if command == "bench":
        return subprocess.call([str(BIN / "python"), "-m", "bench", *rest], cwd=ROOT)
    return subprocess.call([str(BIN / "ace-connector"), "demo", *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
