"""`sync --once`, `status`, `sandbox up`, `worker` and `scheduler` against the sandbox and real Redis.

In-process commands go through Typer's CliRunner; the worker and the
scheduler run as real processes (dramatiq's command line, the scheduler loop)
against a sandbox they reach over HTTP, as in production.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from simple_salesforce import Salesforce
from typer.testing import CliRunner

from connector.ace.bucket import PROCESSED_TAG_KEY
from connector.cli import app
from connector.demo import partner_opportunity
from connector.sandbox.stack import SandboxStack
from connector.sync.state import SyncState

runner = CliRunner()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxStack]:
    with SandboxStack(work_dir=tmp_path_factory.mktemp("sandbox"), bucket=f"ace-cli-{uuid.uuid4().hex[:8]}") as stack:
        yield stack


@pytest.fixture
def env(sandbox: SandboxStack, redis_url: str, redis_prefix: str, repo_root: Path,
        monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A clean sandbox, and the environment a connector process needs to use it."""
    sandbox.reset()
    variables = {**sandbox.connector_env(), "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": redis_prefix,
                 "ACE_MAPPINGS_DIR": str(Path(repo_root) / "mappings"), "LOG_FORMAT": "json"}
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return variables


@pytest.fixture
def admin(sandbox: SandboxStack) -> Salesforce:
    emulator = sandbox.emulator
    return Salesforce(instance_url=emulator.instance_url, session_id=emulator.admin_session_id,
                      session=emulator.requests_session(), version=sandbox.api_version)


def flat(output: str) -> str:
    """Table text as one line: cell borders and the line breaks of wrapped cells removed."""
    return " ".join(re.sub(r"[│┃┏┓┗┛┡┩└┘┬┴━─╇┳┻]", " ", output).split())


def rows(sf: Salesforce, soql: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "attributes"} for row in sf.query_all(soql)["records"]]


def referral_file(sandbox: SandboxStack) -> str:
    sandbox.simulator.refer_opportunity(customerCompanyName="Example Corp", partnerProjectTitle="Data lake")
    [key] = [k for k in sandbox.simulator.export() if k.startswith("opportunity-outbound/")]
    return key


def test_sync_once_applies_outbound_files_and_prints_a_summary(sandbox: SandboxStack, env: dict[str, str],
                                                               admin: Salesforce) -> None:
    key = referral_file(sandbox)

    result = runner.invoke(app, ["sync", "--once", "--flow", "outbound"])

    assert result.exit_code == 0, result.output
    assert "outbound" in result.output and "files_done=1" in result.output and "records_ok=1" in result.output
    [record] = rows(admin, "SELECT Name, ACE_Opportunity_Id__c, ACE_Sync_Status__c FROM Opportunity")
    assert record["Name"] == "Data lake" and record["ACE_Opportunity_Id__c"].startswith("O")
    assert sandbox.simulator.bucket.get_tags(key)[PROCESSED_TAG_KEY] == "true"
    state = SyncState(redis.Redis.from_url(env["REDIS_URL"]), prefix=env["REDIS_KEY_PREFIX"])
    assert state.last_run("outbound").outcome == "ok"


def test_sync_once_dry_run_prints_what_it_would_write_and_writes_nothing(sandbox: SandboxStack,
                                                                         env: dict[str, str],
                                                                         admin: Salesforce) -> None:
    key = referral_file(sandbox)
    admin.Opportunity.create(partner_opportunity())
    before = rows(admin, "SELECT Id, SystemModstamp FROM Opportunity")
    client = redis.Redis.from_url(env["REDIS_URL"])
    keys_before = set(client.scan_iter(f"{env['REDIS_KEY_PREFIX']}*"))

    result = runner.invoke(app, ["sync", "--once", "--dry-run"], terminal_width=200)

    assert result.exit_code == 0, result.output
    assert "dry run: nothing written" in result.stdout
    planned = result.stdout.split("What a real run would write:")[1].splitlines()
    assert any(line.startswith("outbound upsert Opportunity O") for line in planned)
    assert any(line.startswith(f"outbound tag {key}") for line in planned)
    assert any(line.startswith("inbound  put opportunity-inbound/") for line in planned), planned
    assert rows(admin, "SELECT Id, SystemModstamp FROM Opportunity") == before
    assert PROCESSED_TAG_KEY not in sandbox.simulator.bucket.get_tags(key)
    assert sandbox.simulator.bucket.list_objects("opportunity-inbound/") == []
    # Its reads used API calls (counted by the rate limiter); nothing else is kept.
    written = {k for k in client.scan_iter(f"{env['REDIS_KEY_PREFIX']}*") if b":ratelimit:" not in k}
    assert written == keys_before, "no state written"


def test_sync_without_once_explains_and_exits_2(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["sync"])
    assert result.exit_code == 2
    assert "--once" in result.output and "worker" in result.output


def test_sync_once_exits_1_when_a_flow_cannot_run(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACE_BUCKET", f"no-such-bucket-{uuid.uuid4().hex[:6]}")
    result = runner.invoke(app, ["sync", "--once", "--flow", "outbound"], terminal_width=200)
    assert result.exit_code == 1
    assert "outbound failed" in flat(result.stdout) and "does not exist" in flat(result.stdout)


def test_status_shows_backlog_runs_and_errors_without_secrets(sandbox: SandboxStack, env: dict[str, str]) -> None:
    referral_file(sandbox)
    sandbox.simulator.bucket.put_bytes("opportunity-outbound/broken.json", b"{not json")
    assert runner.invoke(app, ["sync", "--once", "--flow", "outbound"]).exit_code == 1  # the broken file

    table = runner.invoke(app, ["status"], terminal_width=200)
    as_json = runner.invoke(app, ["status", "--json"])

    assert table.exit_code == 0, table.output
    assert "opportunity-outbound/" in table.output and "Last run of each flow" in table.output
    assert "quarantined" in table.output and "broken.json" in table.output
    data = json.loads(as_json.output)
    [outbound] = [row for row in data["backlog"] if row["prefix"] == "opportunity-outbound/"]
    assert (outbound["objects"], outbound["pending"], outbound["quarantined"]) == (2, 0, 1)
    assert data["last_runs"]["outbound"]["outcome"] == "ok"
    assert any("broken.json" in (entry["file_key"] or "") for entry in data["recent_errors"])
    assert data["api"]["connector_calls_24h"] > 0
    for output in (table.output, as_json.output):
        assert env["SF_SESSION_ID"] not in output and env["AWS_SECRET_ACCESS_KEY"] not in output


def test_status_exits_1_and_says_what_it_could_not_read(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACE_S3_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    result = runner.invoke(app, ["status"], terminal_width=200)
    assert result.exit_code == 1
    assert "could not read bucket" in result.output
    assert "Last run of each flow" in result.output or "No flow has run yet." in result.output


# --- real processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ace_connector(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("wb")
    return subprocess.Popen([str(Path(sys.executable).parent / "ace-connector"), *args], env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(condition: Callable[[], Any], *, what: str, timeout_seconds: float, between: Callable[[], None],
             logs: list[Path]) -> Any:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        between()
        time.sleep(0.5)
    tails = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs)
    pytest.fail(f"timed out waiting for {what}\n{tails}")


@pytest.mark.slow
def test_worker_and_scheduler_processes_link_a_referral_and_a_partner_opportunity(
        sandbox: SandboxStack, env: dict[str, str], admin: Salesforce, tmp_path: Path) -> None:
    referral_id = sandbox.simulator.refer_opportunity(customerCompanyName="Example Corp",
                                                      partnerProjectTitle="Example Corp: data lake")
    sandbox.simulator.export()
    partner_id = admin.Opportunity.create(partner_opportunity())["id"]
    process_env = {**{k: v for k, v in os.environ.items() if not k.startswith(("ACE_", "SF_", "AWS_"))}, **env,
                   "OUTBOUND_INTERVAL_SECONDS": "10", "RESULTS_INTERVAL_SECONDS": "10",
                   "INBOUND_INTERVAL_SECONDS": "10", "dramatiq_prom_db": str(tmp_path / "prometheus")}
    logs = [tmp_path / "worker.log", tmp_path / "scheduler.log"]
    worker = ace_connector("worker", "--processes", "1", "--threads", "2", "--metrics-port", str(free_port()),
                           env=process_env, log=logs[0])
    scheduler = ace_connector("scheduler", env=process_env, log=logs[1])
    tick = sandbox.simulator.tick  # ACE's side: answer inbound files, export changes
    try:
        referral = wait_for(lambda: rows(admin, "SELECT Id FROM Opportunity WHERE ACE_Opportunity_Id__c = "
                                                f"'{referral_id}'"),
                            what="the referral in Salesforce", timeout_seconds=60, between=lambda: None, logs=logs)
        # The admin accepts, naming the solution offered (ACE takes no update of an opportunity without one).
        admin.Opportunity.update(referral[0]["Id"], {"ACE_Referral_Decision__c": "Accepted",
                                                     "ACE_Solutions_Offered__c": "Other",
                                                     "ACE_Other_Solution_Offered__c": "Data lake quick start"})

        wait_for(lambda: sandbox.simulator.opportunity(referral_id).get("partnerAcceptanceStatus") == "Accepted",
                 what="the acceptance in ACE", timeout_seconds=60, between=tick, logs=logs)
        [partner] = wait_for(lambda: [row for row in rows(admin, "SELECT ACE_Opportunity_Id__c, ACE_Sync_Status__c "
                                                                 f"FROM Opportunity WHERE Id = '{partner_id}'")
                                      if row["ACE_Opportunity_Id__c"]],
                             what="the partner opportunity's ACE id in Salesforce", timeout_seconds=60,
                             between=tick, logs=logs)
        assert sandbox.simulator.opportunity(partner["ACE_Opportunity_Id__c"])["partnerCrmUniqueIdentifier"] == partner_id
        wait_for(lambda: sandbox.simulator.opportunity(referral_id).get("partnerCrmUniqueIdentifier") == referral[0]["Id"],
                 what="the referral linked in ACE (both keys)", timeout_seconds=60, between=tick, logs=logs)
    finally:
        stop(scheduler)
        stop(worker)
    assert worker.returncode == 0 and scheduler.returncode == 0, [log.read_text()[-2000:] for log in logs]


@pytest.mark.slow
def test_sandbox_up_writes_a_private_env_file_that_other_commands_use(redis_url: str, redis_prefix: str,
                                                                      tmp_path: Path, repo_root: Path) -> None:
    env_file = tmp_path / "work" / "connector.env"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ACE_", "SF_", "AWS_"))}
    log = tmp_path / "sandbox.log"
    sandbox = ace_connector("sandbox", "up", "--work-dir", str(tmp_path / "work"), "--s3-port", "0",
                            "--salesforce-port", "0", "--pickup-interval", "0.5", env=base, log=log)
    try:
        env = {**base, "ACE_ENV_FILE": str(env_file), "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": redis_prefix,
               "ACE_MAPPINGS_DIR": str(Path(repo_root) / "mappings")}
        # `sync` waits for the file to appear, then reads its settings.
        result = subprocess.run([str(Path(sys.executable).parent / "ace-connector"), "sync", "--once"],
                                env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "nothing to do" in result.stdout
        assert env_file.stat().st_mode & 0o077 == 0, "only its owner may read it"
        values = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        assert values["SF_INSTANCE_URL"].startswith("https://127.0.0.1:")
        printed = log.read_text()
        assert str(env_file) in printed and values["SF_SESSION_ID"] not in printed
    finally:
        stop(sandbox)
    assert sandbox.returncode == 0, log.read_text()
    assert not env_file.exists(), "the session id it held ends with the sandbox"
