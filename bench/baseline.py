"""The naive outbound sync the connector is measured against.

It does what AWS's sample code does: list the outbound folder, read each
untagged file whole, and for every record map the fields by hand and send ONE
simple-salesforce upsert call (``PATCH sobjects/Opportunity/ACE_Opportunity_Id__c/O…``);
then tag the file ``partner_processed=true``. No batching, no newer-data guard,
no streaming.

Its cost per record is constant (one API call each), so the harness runs it on
a subset (``max_records``) and scales the figures linearly; the output says so.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import requests
import yaml
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from connector.ace.bucket import PROCESSED_TAG_KEY, PROCESSED_TAG_VALUE, RequestCounter, client_from_settings
from connector.settings import Settings

ACE_ID_FIELD = "ACE_Opportunity_Id__c"
#: What ACE shows instead of personal data on a referral not accepted yet (any case).
MASKED = "accept to view"


class HandMapping:
    """The field pairs of the default opportunity mapping, applied the simple way a script would.

    It writes the same Salesforce fields as the connector (read from the same
    YAML file with PyYAML, not through the connector's compiler): plain copies,
    the stage and type value pairs, Yes/No checkboxes, lists joined by ";",
    texts cut to their length; masked and empty values are left out.
    """

    def __init__(self, path: Path) -> None:
        document = yaml.safe_load(Path(path).read_text())
        self.rules = []
        for rule in document["fields"]:
            if rule.get("direction") not in ("both", "to_salesforce") or not rule.get("ace"):
                continue
            values = {pair["ace"]: pair["salesforce"] for pair in reversed(rule.get("values") or [])}
            transform = rule.get("transform") or {}
            name = transform if isinstance(transform, str) else transform.get("name")
            length = transform.get("length") if isinstance(transform, dict) else None
            self.rules.append((rule["ace"], rule["salesforce"], values, name, length))
        self.last_modified_field = document["sync_fields"]["ace_last_modified"]

    def __call__(self, record: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for ace, salesforce, values, transform, length in self.rules:
            value = record.get(ace)
            if value is None or value == "" or (isinstance(value, str) and value.lower() == MASKED):
                continue
            if values:
                value = values.get(value, value)
            elif transform == "yes_no_checkbox":
                value = value == "Yes"
            elif isinstance(value, list):
                value = ";".join(value)
            if length:
                value = value[:length]
            out[salesforce] = value
        out[self.last_modified_field] = record.get("lastModifiedDate")
        return out


def run_naive_outbound(settings: Settings, *, max_records: int) -> dict[str, Any]:
    """Upsert up to ``max_records`` outbound opportunities one call each; a file is tagged once whole."""
    to_salesforce = HandMapping(Path(settings.ace_mappings_dir) / "opportunity.yaml")
    counter = RequestCounter()
    s3 = client_from_settings(settings, counter=counter)
    session = requests.Session()
    session.verify = str(settings.sf_ca_bundle) if settings.sf_ca_bundle else True
    session.trust_env = False
    sf = Salesforce(instance_url=settings.sf_instance_url, session=session, version=settings.sf_api_version,
                    session_id=settings.sf_session_id.get_secret_value() if settings.sf_session_id else None)
    bucket, prefix = settings.ace_bucket, settings.ace_opportunity_outbound_prefix
    started = time.perf_counter()
    written = failed = 0
    for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
        if written >= max_records:
            break
        if item["Size"] == 0:
            continue
        tags = s3.get_object_tagging(Bucket=bucket, Key=item["Key"])["TagSet"]
        if {"Key": PROCESSED_TAG_KEY, "Value": PROCESSED_TAG_VALUE} in tags:
            continue
        records = json.loads(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())["opportunities"]
        batch = records[:max_records - written]
        for record in batch:
            try:
                sf.Opportunity.upsert(f"{ACE_ID_FIELD}/{record['apnCrmUniqueIdentifier']}",
                                      to_salesforce(record))
            except SalesforceError:
                failed += 1
            written += 1
        if len(batch) == len(records):  # the whole file is in Salesforce
            s3.put_object_tagging(Bucket=bucket, Key=item["Key"],
                                  Tagging={"TagSet": [{"Key": PROCESSED_TAG_KEY, "Value": PROCESSED_TAG_VALUE}]})
    return {"wall_seconds": time.perf_counter() - started, "records": written, "failed": failed,
            "s3_requests": counter.total, "s3_by_operation": counter.by_operation}
