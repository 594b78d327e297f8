"""`ace-connector sandbox salesforce --info-file F`, used from a fresh interpreter with only F."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

STARTUP_TIMEOUT_SECONDS = 30

CLIENT = textwrap.dedent("""
    import json, os, sys
    from simple_salesforce import Salesforce
    from simple_salesforce.exceptions import SalesforceMalformedRequest
    info = json.load(open(sys.argv[1]))
    os.environ["REQUESTS_CA_BUNDLE"] = info["ca_bundle"]
    sf = Salesforce(instance_url=info["instance_url"], session_id=info["session_id"],
                    version=info["api_version"])
    assert sf.Lead.describe()["name"] == "Lead"
    sf.Lead.create({"LastName": "Ng", "Company": "Acme"})
    assert sf.Lead.upsert("ACE_Lead_Id__c/L1", {"LastName": "Li", "Company": "Acme"}) == 201
    records = [{"attributes": {"type": "Lead"}, "LastName": f"N{n}", "Company": "x"} for n in range(200)]
    assert all(r["success"] for r in sf.restful("composite/sobjects", method="POST",
                                                json={"records": records}))
    page = sf.query("SELECT Id FROM Lead", headers={"Sforce-Query-Options": "batchSize=200"})
    assert page["done"] is False and page["totalSize"] == 202
    assert len(sf.query_all("SELECT Id FROM Lead")["records"]) == 202
    assert sf.bulk2.Lead.insert(records=[{"LastName": "B", "Company": "x"}], wait=0.01)[0][
        "numberRecordsProcessed"] == 1
    try:
        sf.Lead.create({"LastName": "NoCompany"})
    except SalesforceMalformedRequest as exc:
        print(exc.content[0]["errorCode"])
""")


@pytest.mark.slow
def test_command_serves_and_a_fresh_client_uses_only_the_info_file(tmp_path: Path) -> None:
    info_file = tmp_path / "org.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACE_", "SF_"))}
    server = subprocess.Popen(
        [sys.executable, "-c", "from connector.cli import main; main()", "sandbox", "salesforce", "--port", "0",
         "--data-dir", str(tmp_path / "data"), "--info-file", str(info_file)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not info_file.exists():
            assert server.poll() is None, server.stdout.read()
            assert time.monotonic() < deadline, "the emulator did not write its info file"
            time.sleep(0.05)
        info = json.loads(info_file.read_text())
        assert set(info) >= {"instance_url", "session_id", "admin_session_id", "ca_bundle", "api_version"}
        client = subprocess.run([sys.executable, "-c", CLIENT, str(info_file)], env=env,
                                capture_output=True, text=True, timeout=60)
        assert client.returncode == 0, client.stderr
        assert client.stdout.strip() == "REQUIRED_FIELD_MISSING"
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert not info_file.exists()  # the sessions it names died with the server
