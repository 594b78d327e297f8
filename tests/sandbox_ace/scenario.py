"""Partner-side helpers for the ACE simulator scenarios: put a file, tick, read the answer."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

from connector.ace.bucket import AceBucket
from connector.sandbox.ace import Simulator

BUCKET = "ace-apn-1234567-beta-us-west-2"
SPMS_ID = "1234567"


class Clock:
    """A controllable UTC clock: starts now, moves only when told (plus 1 ms per reading)."""

    def __init__(self) -> None:
        self.current = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        self.current += timedelta(milliseconds=1)
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class Partner:
    """The partner's side of the bucket, as plain S3 calls."""

    def __init__(self, bucket: AceBucket, simulator: Simulator) -> None:
        self.bucket = bucket
        self.simulator = simulator

    def put(self, entity: str, name: str, content: Any, *, version: str = "2.0") -> str:
        """Upload ``content`` (a list of records, raw bytes, or any JSON document) into the inbound folder."""
        if isinstance(content, bytes):
            body = content
        elif isinstance(content, list):
            array_key = "opportunities" if entity == "opportunity" else "leads"
            body = json.dumps({"version": version, "spmsId": SPMS_ID, array_key: content}).encode()
        else:
            body = json.dumps(content).encode()
        key = f"{entity}-inbound/{name}"
        self.bucket.put_bytes(key, body)
        return key

    def results(self, entity: str, name: str) -> dict[str, Any]:
        base = name[: -len(".json")] if name.endswith(".json") else name
        return self.read(f"{entity}-inbound-processed-results/{base}_result.json")

    def read(self, key: str) -> dict[str, Any]:
        return json.loads(self.bucket.read_bytes(key))

    def keys(self, prefix: str) -> list[str]:
        return [info.key for info in self.bucket.list_objects(prefix, skip_empty=False)]

    def outbound_records(self, entity: str) -> list[dict[str, Any]]:
        """Every record of every outbound file, oldest file first; the files are deleted once read."""
        array_key = "opportunities" if entity == "opportunity" else "leads"
        records: list[dict[str, Any]] = []
        for key in self.keys(f"{entity}-outbound/"):
            records.extend(self.read(key)[array_key])
            self.bucket.delete(key)
        return records

    def send_one(self, entity: str, record: dict[str, Any], **options: Any) -> dict[str, Any]:
        """Upload one record under a fresh name, tick, and return its single result entry."""
        name = f"{entity}_{uuid.uuid4().hex[:8]}.json"
        self.put(entity, name, [record], **options)
        self.simulator.tick()
        results = self.results(entity, name)
        assert len(results["inboundApiResults"]) == 1, results
        return results["inboundApiResults"][0]


def valid_create(partner_key: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A create that passes every ACE rule (v2)."""
    record = {
        "partnerCrmUniqueIdentifier": partner_key or f"006{uuid.uuid4().hex[:15]}",
        "customerCompanyName": "Example Corp",
        "customerWebsite": "https://www.example.com",
        "industry": "Software & Internet",
        "country": "United States",
        "state": "Washington",
        "city": "Seattle",
        "postalCode": "98101",
        "partnerProjectTitle": "Example Corp data platform",
        "projectDescription": "Move the analytics platform of Example Corp onto AWS.",
        "useCase": "AI Machine Learning and Analytics",
        "targetCloseDate": (date.today() + timedelta(days=60)).isoformat(),
        "expectedMonthlyAwsRevenue": 2500.0,
        "deliveryModel": "Professional Services",
        "partnerPrimaryNeedFromAws": "Co-Sell - Technical Consultation",
        "salesActivities": "Conducted POC / Demo",
        "IsOppFromMarketingActivity": "No",
        "solutionOffered": ["S-0001111"],
    }
    record.update(overrides)
    return record
