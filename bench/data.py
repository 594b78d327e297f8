"""The benchmark's own data: ACE outbound files, as AWS writes them.

Each record is a full outbound opportunity: every field of the catalog, null
when empty, as ACE exports them (about 4.5 KB of pretty-printed JSON, like
AWS's sample). Values come from the simulator's referral generator (seeded by
the record's id, so every run sends the same data). They are AWS referrals the
partner has accepted, plus one in five not accepted yet (masked customer data):
new to the org, so each one is created in Salesforce.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

from connector.ace.bucket import AceBucket
from connector.ace.catalog import MASKED_VALUE, OPPORTUNITY
from connector.ace.layout import AceLayout
from connector.ace.reference_data import sample_product_codes, sample_solution_ids
from connector.sandbox.ace.referrals import opportunity_referral

#: ACE's hourly export rarely holds more; a workload's records are split into files of this size.
RECORDS_PER_OUTBOUND_FILE = 1000
#: Every fifth referral is not accepted yet: its customer details are masked.
UNACCEPTED_EVERY = 5
#: ACE pretty-prints its files (4 spaces, like the samples).
ACE_JSON_INDENT = 4
#: The records' creation day and the first ``lastModifiedDate`` (one second apart after it).
FIRST_MODIFIED = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
TODAY = date(2024, 5, 2)

_MASKED_FIELDS = ("country", "customerFirstName", "customerLastName", "customerEmail", "customerPhone",
                  "customerTitle")
_PRODUCT_CODES = tuple(sorted(sample_product_codes()))
_SOLUTION_IDS = tuple(sorted(sample_solution_ids()))
_FIELD_NAMES = tuple(OPPORTUNITY.names())


def ace_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def outbound_opportunity(number: int, *, accepted: bool | None = None) -> dict[str, Any]:
    """Outbound record ``number`` (ACE id ``O<number>``): the same data for the same number.

    ``accepted`` overrides whether the partner has accepted it (by default all but every fifth).
    """
    ace_id = f"O{number}"
    record: dict[str, Any] = dict.fromkeys(_FIELD_NAMES)
    record.update(opportunity_referral(ace_id, today=TODAY, product_codes=_PRODUCT_CODES))
    modified = FIRST_MODIFIED + timedelta(seconds=number % 86_400)
    accepted = number % UNACCEPTED_EVERY != 0 if accepted is None else accepted
    record.update(
        apnCrmUniqueIdentifier=ace_id, partnerCrmUniqueIdentifier=None,
        opportunityOwnership="AWS Referral", status="Approved", stage="Prospect", aWSStage="Prospect",
        partnerAcceptanceStatus="Accepted" if accepted else None,
        opportunityOwnerName="Alliance Lead", opportunityOwnerEmail="alliance.lead@partner.example",
        acceptBy=ace_datetime(FIRST_MODIFIED + timedelta(days=14)),
        createdDate=ace_datetime(FIRST_MODIFIED), createdBy="AWS",
        lastModifiedDate=ace_datetime(modified), lastModifiedBy="AWS",
        solutionOffered=[_SOLUTION_IDS[number % len(_SOLUTION_IDS)]],
    )
    if not accepted:
        record.update(dict.fromkeys(_MASKED_FIELDS, MASKED_VALUE), solutionOffered=None,
                      otherSolutionOffered=None)
    return record


def outbound_document(records: list[dict[str, Any]], *, spms_id: str) -> bytes:
    return json.dumps({"version": "2.0", "spmsId": spms_id, "opportunities": records},
                      indent=ACE_JSON_INDENT, ensure_ascii=False).encode()


def split_counts(total: int, *, per_file: int = RECORDS_PER_OUTBOUND_FILE, min_files: int = 1) -> list[int]:
    """Records per file: ``total`` spread as evenly as possible over enough files."""
    files = max(min_files, math.ceil(total / per_file))
    base, extra = divmod(total, files)
    return [base + (1 if index < extra else 0) for index in range(files) if base or index < extra]


def write_outbound_files(bucket: AceBucket, layout: AceLayout, *, counts: list[int], first_number: int,
                         spms_id: str, name: str = "bench") -> list[str]:
    """Put one outbound file per entry of ``counts``; returns their keys, oldest first."""
    keys = []
    number = first_number
    for index, count in enumerate(counts):
        records = [outbound_opportunity(n) for n in range(number, number + count)]
        number += count
        key = f"{layout.for_entity('opportunity').outbound}{name}-{index:04d}.json"
        bucket.client.put_object(Bucket=bucket.name, Key=key, Body=outbound_document(records, spms_id=spms_id))
        keys.append(key)
    return keys


def records_for_bytes(target_bytes: int, *, first_number: int) -> list[dict[str, Any]]:
    """Records whose outbound file comes to about ``target_bytes`` (sized by the first one)."""
    first = outbound_opportunity(first_number)
    empty = len(outbound_document([], spms_id=""))
    per_record = len(outbound_document([first, first], spms_id="")) - len(outbound_document([first], spms_id=""))
    count = max(1, (target_bytes - empty) // per_record)
    return [first, *(outbound_opportunity(n) for n in range(first_number + 1, first_number + count))]


def write_sized_file(bucket: AceBucket, layout: AceLayout, *, target_bytes: int, first_number: int,
                     spms_id: str, name: str) -> tuple[str, int, int]:
    """One outbound file of about ``target_bytes``: (key, records, bytes)."""
    records = records_for_bytes(target_bytes, first_number=first_number)
    body = outbound_document(records, spms_id=spms_id)
    key = f"{layout.for_entity('opportunity').outbound}{name}.json"
    bucket.client.put_object(Bucket=bucket.name, Key=key, Body=body)
    return key, len(records), len(body)
