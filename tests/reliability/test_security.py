"""Scenario 7: secrets stay secret, hostile values stay values, odd keys stay names, big objects stay unread.

The secret checks run the real command line (``sync --once``, ``status``,
``status --json``) with known secret values configured and errors provoked,
then search everything that came out — output, logs, the Redis state, every
object and tag in the bucket — for each secret.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from connector.ace.bucket import PROCESSED_TAG_KEY, QUARANTINE_REASON_TAG_KEY, QUARANTINE_TAG_KEY
from connector.errors import MappingErrors
from connector.mapping import load_mappings

from .fleet import Fleet
from .processes import RedisServer, run_connector
from .s3_fault_proxy import FaultPlan, S3FaultProxy, operations
from .world import World

#: Secrets of every kind the settings know, each with a distinctive value to search for.
KNOWN_SECRETS = {
    "AWS_SECRET_ACCESS_KEY": "aws-secret-Kq8vT3reliability",
    "AWS_SESSION_TOKEN": "aws-session-token-Zr5reliability",
    "SF_PASSWORD": "sf-password-Wm2reliability",
    "SF_SECURITY_TOKEN": "sf-token-Jd7reliability",
    "SF_CONSUMER_SECRET": "sf-consumer-secret-Lp4reliability",
}
REDIS_PASSWORD = "redis-password-Hx9reliability"
HOSTILE_VALUES = ["' OR Id != '", "O1\\' OR Name != \\'", "\\", "x'; DELETE FROM Opportunity; --",
                  "%' OR Name LIKE '%", "O1\u2019 OR Id != \u2019"]
ODD_KEY_NAMES = ["../opportunity-inbound/escape.json", "../../etc/passwd", "with space.json",
                 "ünïcödé-✓.json", "percent%2Fslash.json", "question?mark.json", "hash#tag.json",
                 "dot/./segments/x.json"]


def everything_written(world: World, outputs: list[str]) -> str:
    """Command output, worker logs, every Redis value and every object body and tag, as one text."""
    parts = list(outputs)
    for key in world.redis.scan_iter("*"):
        kind = world.redis.type(key).decode()
        value = {"string": lambda k: world.redis.get(k), "hash": lambda k: world.redis.hgetall(k),
                 "list": lambda k: world.redis.lrange(k, 0, -1), "set": lambda k: world.redis.smembers(k),
                 "zset": lambda k: world.redis.zrange(k, 0, -1)}.get(kind, lambda k: b"")(key)
        parts.append(f"{key!r} {value!r}")
    for info in world.bucket.iter_objects(""):
        parts.append(world.bucket.read_bytes(info.key).decode("utf-8", "replace"))
        parts.append(json.dumps(world.bucket.get_tags(info.key)))
    return "\n".join(parts)


def test_no_secret_in_output_logs_state_or_files(make_world: Callable[..., World], s3_proxy: S3FaultProxy,
                                                 tmp_path: Path) -> None:
    redis_server = RedisServer(tmp_path / "redis", password=REDIS_PASSWORD).start()
    try:
        _check_nothing_leaks(make_world(redis=redis_server), redis_server, s3_proxy, tmp_path)
    finally:
        redis_server.kill()


def _check_nothing_leaks(world: World, redis_server: RedisServer, s3_proxy: S3FaultProxy, tmp_path: Path) -> None:
    world.env.update(KNOWN_SECRETS)
    world.env["LOG_LEVEL"] = "DEBUG"
    secrets = {**KNOWN_SECRETS, "SF_SESSION_ID": world.env["SF_SESSION_ID"], "REDIS_URL password": REDIS_PASSWORD}
    world.seed(referrals=2, leads=1, partner_opportunities=1)
    world.sim.tick()
    world.bucket.put_bytes("opportunity-outbound/broken.json", b'{"opportunities": [tru', acl=None)
    outputs = []
    # Errors of every layer: S3 faults, Salesforce faults, a quarantined file, then a refused session.
    s3_proxy.set_plan(FaultPlan(rate=0.2, seed=7, kinds=("slowdown", "reset", "truncate")))
    world.salesforce_faults({"error": "UNABLE_TO_LOCK_ROW", "rate": 0.3}, {"error": "SERVER_UNAVAILABLE", "rate": 0.1})
    fleet = Fleet(world, log_dir=tmp_path / "worker")  # a worker process, its dramatiq logs included
    try:
        fleet.start_worker()
        for flow in ("outbound", "results", "inbound"):
            fleet.run(flow)
    finally:
        fleet.stop_all()
    worker_log = "".join(worker.output() for worker in fleet.workers)
    assert "flow finished" in worker_log, "the worker's log is part of what is searched"
    outputs += [worker_log, run_connector(["sync", "--once"], env=world.env, log_path=tmp_path / "sync.log")[1]]
    s3_proxy.clear_faults()
    world.hook("DELETE", "faults")
    world.hook("POST", "sessions/expire", json={"session_id": world.env["SF_SESSION_ID"]})
    code, output = run_connector(["sync", "--once"], env=world.env, log_path=tmp_path / "sync-expired.log")
    outputs.append(output)
    assert code != 0, "a refused session must fail the run"
    for args in (["status"], ["status", "--json"], ["sync", "--once", "--dry-run"]):
        outputs.append(run_connector(args, env=world.env, log_path=tmp_path / f"{'-'.join(args)}.log")[1])
    text = everything_written(world, outputs)
    redis_server.kill()  # status with its broker and state unreachable: the errors name no password
    outputs.append(run_connector(["status"], env=world.env, log_path=tmp_path / "status-no-redis.log")[1])
    text += outputs[-1]
    assert "broken.json" in text and "session" in text.lower(), "the quarantine and the refused session show"
    leaked = {name for name, value in secrets.items() if value in text}
    assert leaked == set(), f"secret values of {sorted(leaked)} appear in what the connector wrote"


@pytest.mark.parametrize("hostile", HOSTILE_VALUES)
def test_hostile_values_in_ace_files_are_compared_as_values(make_world: Callable[..., World], hostile: str) -> None:
    """An ACE id or partner key crafted to break SOQL matches nothing it should not, and changes nothing else."""
    world = make_world()
    world.seed(referrals=2)
    world.sim.tick()
    world.run_in_process("outbound")
    before = world.admin.query_all("SELECT Id, Name, NextStep, ACE_Opportunity_Id__c FROM Opportunity")["records"]
    document = {"version": "2.0", "spmsId": "1234567", "opportunities": [{
        "apnCrmUniqueIdentifier": hostile, "partnerCrmUniqueIdentifier": hostile,
        "lastModifiedDate": "2030-01-01T00:00:00.000Z", "nextStep": "hostile was here",
        "customerCompanyName": hostile, "partnerProjectTitle": hostile}]}
    world.bucket.put_bytes("opportunity-outbound/hostile.json", json.dumps(document).encode(), acl=None)
    world.run_in_process("outbound")
    after = {r["Id"]: r for r in world.admin.query_all(
        "SELECT Id, Name, NextStep, ACE_Opportunity_Id__c FROM Opportunity")["records"]}
    for row in before:
        assert after[row["Id"]] == row, f"{hostile!r} changed a record it does not name"
    created = [r for r in after.values() if r["Id"] not in {b["Id"] for b in before}]
    assert all(r["ACE_Opportunity_Id__c"] == hostile for r in created)
    found = list(world.ctx.salesforce.find_by("Opportunity", ["Id", "ACE_Opportunity_Id__c"],
                                              key_field="ACE_Opportunity_Id__c", values=[hostile, "no-such-id"]))
    assert [r["ACE_Opportunity_Id__c"] for r in found] == [r["ACE_Opportunity_Id__c"] for r in created]


def test_odd_keys_are_plain_names(make_world: Callable[..., World], s3_proxy: S3FaultProxy, tmp_path: Path) -> None:
    world = make_world()
    world.seed(referrals=1)
    [exported] = [k for k in world.sim.export() if k.startswith("opportunity-outbound/")]
    body = world.bucket.read_bytes(exported)
    world.bucket.delete(exported)
    keys = [f"opportunity-outbound/{name}" for name in ODD_KEY_NAMES]
    for key in keys:
        world.bucket.put_bytes(key, body, acl=None)
    before = {o.key for o in world.bucket.iter_objects("")}
    s3_proxy.reset_log()
    world.run_in_process("outbound")
    assert {o.key for o in world.bucket.iter_objects("")} == before, "objects appeared or vanished"
    for key in keys:
        assert world.bucket.get_tags(key).get(PROCESSED_TAG_KEY) == "true", key
    tagged = {key for operation, key in operations(s3_proxy.requests) if operation == "PutObjectTagging"}
    assert tagged == set(keys)
    assert not (tmp_path / "opportunity-inbound").exists() and not list(Path.cwd().glob("**/escape.json"))
    [row] = world.admin.query_all("SELECT ACE_Opportunity_Id__c FROM Opportunity")["records"]
    assert row["ACE_Opportunity_Id__c"] == world.referrals[0]


@pytest.mark.parametrize("folder", ["opportunity-outbound/", "opportunity-inbound-processed-results/"])
def test_objects_over_the_size_limit_are_quarantined_unread(make_world: Callable[..., World],
                                                             s3_proxy: S3FaultProxy, folder: str) -> None:
    limit_bytes = 64 * 1024
    world = make_world(ace_max_object_bytes=limit_bytes)
    world.seed(referrals=1)
    world.sim.tick()
    key = f"{folder}oversized.json"
    world.bucket.put_bytes(key, b'{"opportunities": [' + b" " * (limit_bytes * 3) + b"]}", acl=None)
    s3_proxy.reset_log()
    world.run_in_process("outbound" if "outbound" in folder else "results")
    assert s3_proxy.seen(operation="GetObject", key=key) == [], "the over-size body was fetched"
    tags = world.bucket.get_tags(key)
    assert tags.get(QUARANTINE_TAG_KEY) == "true"
    assert "over the limit" in tags.get(QUARANTINE_REASON_TAG_KEY, "") or "bytes" in tags.get(
        QUARANTINE_REASON_TAG_KEY, "")
    if "outbound" in folder:  # every other file still flows
        assert world.admin.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 1


def test_a_200_mb_outbound_object_is_quarantined_without_reading_its_body(
        make_world: Callable[..., World], s3_proxy: S3FaultProxy) -> None:
    world = make_world()  # the default limit: 64 MiB
    key = "opportunity-outbound/huge.json"
    upload = world.bucket.client.create_multipart_upload(Bucket=world.bucket_name, Key=key)
    part = b" " * (100 * 1024 * 1024)
    parts = [{"PartNumber": n, "ETag": world.bucket.client.upload_part(
        Bucket=world.bucket_name, Key=key, UploadId=upload["UploadId"], PartNumber=n, Body=part)["ETag"]}
        for n in (1, 2)]
    del part
    world.bucket.client.complete_multipart_upload(Bucket=world.bucket_name, Key=key, UploadId=upload["UploadId"],
                                                  MultipartUpload={"Parts": parts})
    assert world.bucket.head(key).size == 200 * 1024 * 1024
    s3_proxy.reset_log()
    world.run_in_process("outbound")
    assert s3_proxy.seen(operation="GetObject", key=key) == []
    assert world.bucket.get_tags(key).get(QUARANTINE_TAG_KEY) == "true"


YAML_WITH_OBJECT_TAGS = [
    "entity: !!python/object/apply:os.system ['touch {marker}']\n",
    "entity: opportunity\nfields: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n",
    "entity: !!python/name:os.system\n",
    "entity: opportunity\nx: !custom {{a: 1}}\n",
]


@pytest.mark.parametrize("text", YAML_WITH_OBJECT_TAGS)
def test_a_mapping_with_yaml_object_tags_is_refused_and_constructs_nothing(text: str, tmp_path: Path) -> None:
    marker = tmp_path / "constructed"
    folder = tmp_path / "mappings"
    folder.mkdir()
    (folder / "opportunity.yaml").write_text(text.format(marker=marker), encoding="utf-8")
    with pytest.raises(MappingErrors) as caught:
        load_mappings(folder)
    assert "opportunity.yaml:" in str(caught.value) and "tag" in str(caught.value).lower()
    assert not marker.exists()
