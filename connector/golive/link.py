"""The linking plan against the org, its CSV for review, and applying it.

Applying writes each matched ACE id onto its Salesforce record (the mapping's
ACE id field), then sends ACE one minimal record per link —
``{"apnCrmUniqueIdentifier": "O…", "partnerCrmUniqueIdentifier": "<Salesforce Id>"}`` —
in ordinary inbound files entered in the ledger, so the results flow reads
ACE's answers as for any other file.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connector.errors import SalesforceRequestError
from connector.golive.matching import ACE_ID, Candidate, Decision, LinkDecision, MatchRules, match_opportunities
from connector.salesforce.soql import select
from connector.sync.context import SyncContext
from connector.sync.inbound_files import OutgoingRecord, pack_files

CSV_COLUMNS = ("ace_id", "ace_title", "decision", "salesforce_id", "salesforce_name", "score", "reason")
KIND_LINK = "update"


@dataclass
class LinkPlan:
    decisions: list[LinkDecision]

    @property
    def to_link(self) -> list[LinkDecision]:
        return [d for d in self.decisions if d.decision.links]

    @property
    def for_review(self) -> list[LinkDecision]:
        return [d for d in self.decisions if d.decision not in (Decision.MATCHED, Decision.LINKED)]


def salesforce_candidates(ctx: SyncContext) -> tuple[list[Candidate], dict[str, Candidate]]:
    """Every Salesforce opportunity in ACE terms, and those already carrying an ACE id, by that id."""
    mapping = ctx.mapping("opportunity")
    fields = list(dict.fromkeys(["Id", "Name", *mapping.soql_fields]))
    candidates, linked = [], {}
    for row in ctx.salesforce.query(select(mapping.salesforce_object, fields)):
        values = mapping.to_ace(row).record
        candidate = Candidate(sf_id=row["Id"], name=str(row.get("Name") or ""), values=values)
        candidates.append(candidate)
        if row.get(mapping.ace_id_field):
            linked[str(row[mapping.ace_id_field])] = candidate
    return candidates, linked


def plan_links(ctx: SyncContext, ace_records: Sequence[dict[str, Any]], *, rules: MatchRules) -> LinkPlan:
    candidates, linked = salesforce_candidates(ctx)
    return LinkPlan(match_opportunities(ace_records, candidates, linked=linked, rules=rules))


def write_csv(plan: LinkPlan, path: str | Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for d in plan.decisions:
            writer.writerow((d.ace_id, d.ace_title, d.decision.value, d.sf_id or "", d.sf_name or "",
                             "" if d.score is None else f"{d.score:.3f}", d.reason))
    return Path(path)


def apply_links(ctx: SyncContext, plan: LinkPlan) -> list[str]:
    """Write the matched ACE ids onto their records and send ACE the partner keys; returns the files sent."""
    links = plan.to_link
    if not links:
        return []
    mapping = ctx.mapping("opportunity")
    results = ctx.salesforce.update(mapping.salesforce_object,
                                    [{"Id": d.sf_id, mapping.ace_id_field: d.ace_id} for d in links])
    written = [d for d, r in zip(links, results, strict=True) if r.success]
    failed = [f"{d.sf_id}: {'; '.join(map(str, r.errors))}" for d, r in zip(links, results, strict=True)
              if not r.success]
    records = [OutgoingRecord(record={ACE_ID: d.ace_id, mapping.partner_key_ace_field: d.sf_id}, sf_id=str(d.sf_id),
                              partner_key=str(d.sf_id), kind=KIND_LINK) for d in written]
    layout = ctx.layout.for_entity("opportunity")
    packed = pack_files(records, entity="opportunity", prefix=layout.inbound, spms_id=ctx.settings.ace_spms_id,
                        now=ctx.now(), records_per_file=ctx.settings.ace_inbound_records_per_file)
    sent = []
    for file in packed.files:
        ctx.bucket.put_bytes(file.key, file.body)
        ctx.state.record_sent_file(file.key, entity="opportunity", partner_keys=file.partner_keys)
        sent.append(file.key)
    if failed:
        raise SalesforceRequestError("could not write the ACE id onto: " + "; ".join(failed))
    return sent
