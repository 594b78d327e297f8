"""Linking against the org emulator and a moto bucket: the plan, the CSV, and --apply's writes."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.errors import ConfigurationError
from connector.golive import MatchRules, apply_links, load_ace_opportunities, plan_links, write_csv
from connector.golive.matching import Decision
from connector.uat.sandbox import SandboxBackend


@pytest.fixture
def sandbox(redis_url: str, repo_root: Path) -> Iterator[SandboxBackend]:
    backend = SandboxBackend.start(redis_url=redis_url, mappings_dir=Path(repo_root) / "mappings")
    yield backend
    backend.close()


def _opportunity(backend: SandboxBackend, name: str, company: str, close: str, **extra: object) -> str:
    return backend.create_record("Opportunity", {"Name": name, "StageName": "Prospecting", "CloseDate": close,
                                                 "ACE_Customer_Company_Name__c": company, **extra})


def test_plan_csv_and_apply(sandbox: SandboxBackend, tmp_path: Path) -> None:
    claims = _opportunity(sandbox, "Claims platform rebuild", "Harbor Mutual", "2025-03-31")
    linked = _opportunity(sandbox, "Retail analytics", "Lakeshore Stores", "2025-06-30",
                          ACE_Opportunity_Id__c="O2000001")
    _opportunity(sandbox, "Fleet telemetry", "Pinecrest Logistics", "2025-05-01")
    _opportunity(sandbox, "Fleet telemetry", "Pinecrest Logistics", "2025-05-01")
    source = tmp_path / "aws-export.csv"
    source.write_text("Opportunity Id,Customer Company Name,Partner Project Title,Target Close Date\n"
                      "O2000001,Lakeshore Stores,Retail analytics,2025-06-30\n"
                      "O2000002,Harbor Mutual Inc,Claims platform rebuild,2025-04-02\n"
                      "O2000003,Pinecrest Logistics,Fleet telemetry,2025-05-01\n", encoding="utf-8")

    plan = plan_links(sandbox.ctx, load_ace_opportunities(source), rules=MatchRules())

    by_id = {d.ace_id: d for d in plan.decisions}
    assert (by_id["O2000001"].decision, by_id["O2000001"].sf_id) == (Decision.LINKED, linked)
    assert (by_id["O2000002"].decision, by_id["O2000002"].sf_id) == (Decision.MATCHED, claims)
    assert by_id["O2000003"].decision is Decision.TIE
    rows = list(csv.DictReader(write_csv(plan, tmp_path / "links.csv").open(encoding="utf-8")))
    assert [(r["ace_id"], r["decision"]) for r in rows] == [
        ("O2000001", "already linked"), ("O2000002", "matched"), ("O2000003", "tie: review")]

    sent = apply_links(sandbox.ctx, plan)

    record = sandbox.read_record("Opportunity", claims, ["ACE_Opportunity_Id__c"])
    assert record["ACE_Opportunity_Id__c"] == "O2000002"
    [key] = sent
    document = json.loads(sandbox.ctx.bucket.read_bytes(key))
    assert document["version"] == "2.0"
    assert document["opportunities"] == [{"apnCrmUniqueIdentifier": "O2000002",
                                          "partnerCrmUniqueIdentifier": claims}]
    assert [f.key for f in sandbox.ctx.state.pending_files()] == [key]  # the results flow will read ACE's answer


def test_sources_say_precisely_what_is_wrong(tmp_path: Path) -> None:
    envelope = tmp_path / "outbound.json"
    envelope.write_text(json.dumps({"version": "2.0", "opportunities": [{"apnCrmUniqueIdentifier": "O1"}]}))
    assert load_ace_opportunities(envelope) == [{"apnCrmUniqueIdentifier": "O1"}]
    no_id = tmp_path / "no-id.json"
    no_id.write_text(json.dumps([{"apnCrmUniqueIdentifier": "O1"}, {"partnerProjectTitle": "x"}]))
    with pytest.raises(ConfigurationError, match=r"record\(s\) 2 have no ACE id"):
        load_ace_opportunities(no_id)
    bad_csv = tmp_path / "export.csv"
    bad_csv.write_text("Title,Company\nA,B\n")
    with pytest.raises(ConfigurationError, match="no column holds the ACE opportunity id"):
        load_ace_opportunities(bad_csv)
