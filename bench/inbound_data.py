"""Salesforce opportunities for the inbound workload, loaded into the org through Bulk API 2.0.

Each is a partner's own opportunity, shared with ACE (``ACE_Share__c``) and
never sent before: the inbound flow must create it in ACE, so every one passes
ACE's create rules. The values are those of the outbound generator's records,
mapped to Salesforce by the default mapping, without what only ACE sets (its id,
review status, AWS team, timestamps).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.data import outbound_opportunity
from connector.mapping.loader import load_mapping

#: Fields only ACE fills: a partner's new opportunity has none of them.
ACE_OWNED_PREFIXES = ("ACE_AWS_", "ACE_Created_", "ACE_Last_Modified", "ACE_Accept_By")
ACE_OWNED_FIELDS = frozenset({"ACE_Opportunity_Id__c", "ACE_Referral_Decision__c", "ACE_Review_Status__c",
                              "ACE_Ownership__c", "ACE_Engagement_Score__c"})
SHARE_FIELD = "ACE_Share__c"
#: ACE refuses a target close date in the past; the records close this far ahead of the run.
CLOSE_IN_DAYS = 90
#: Rows per Bulk API 2.0 upload.
BULK_LOAD_CHUNK_ROWS = 20_000


def partner_opportunity(number: int, *, mapping: Any, today: date) -> dict[str, Any]:
    values = mapping.to_salesforce(outbound_opportunity(number, accepted=True)).values
    row = {name: value for name, value in values.items()
           if name not in ACE_OWNED_FIELDS and not name.startswith(ACE_OWNED_PREFIXES)}
    row.update({SHARE_FIELD: True, "CloseDate": (today + timedelta(days=CLOSE_IN_DAYS)).isoformat(),
                "Name": f"{row['Name'][:100]} #{number}"})
    return row


def load_partner_opportunities(sf: Any, *, count: int, first_number: int, mappings_dir: Path) -> int:
    """Insert ``count`` shared opportunities through Bulk API 2.0; returns how many the org took."""
    mapping = load_mapping(Path(mappings_dir) / "opportunity.yaml")
    today = date.today()
    loaded = 0
    for start in range(first_number, first_number + count, BULK_LOAD_CHUNK_ROWS):
        stop = min(first_number + count, start + BULK_LOAD_CHUNK_ROWS)
        rows = [partner_opportunity(n, mapping=mapping, today=today) for n in range(start, stop)]
        for job in sf.bulk2.Opportunity.insert(records=rows, wait=0.05):
            if job["numberRecordsFailed"]:
                raise RuntimeError(f"Bulk API 2.0 refused {job['numberRecordsFailed']} of the inbound records: {job}")
            loaded += job["numberRecordsProcessed"]
    return loaded
