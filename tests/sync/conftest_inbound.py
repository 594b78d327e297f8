"""Helpers for the inbound and two-way tests: partner opportunities, the files sent, one sync cycle."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from connector.demo import partner_opportunity as demo_opportunity
from connector.sync.inbound import run_inbound
from connector.sync.outbound import run_outbound
from connector.sync.results import run_results

OPPORTUNITY_SYNC_FIELDS = ("Id, Name, ACE_Opportunity_Id__c, ACE_Sync_Status__c, ACE_Sync_Error__c, "
                           "ACE_Content_Hash__c, ACE_Last_Synced__c, SystemModstamp")


def partner_opportunity(**changes: Any) -> dict[str, Any]:
    """A complete partner opportunity (Salesforce fields of the default mapping) that ACE's create rules accept."""
    return {**demo_opportunity(), **changes}


def create_opportunity(stack: Any, **changes: Any) -> str:
    return stack.sf.Opportunity.create(partner_opportunity(**changes))["id"]


def opportunity(stack: Any, record_id: str, *fields: str) -> dict[str, Any]:
    selected = ", ".join(dict.fromkeys([*OPPORTUNITY_SYNC_FIELDS.split(", "), *fields]))
    [row] = stack.query(f"SELECT {selected} FROM Opportunity WHERE Id = '{record_id}'")
    return row


def inbound_documents(stack: Any, entity: str = "opportunity") -> dict[str, dict[str, Any]]:
    """Every file waiting in the entity's inbound folder, by key, decoded."""
    prefix = stack.ctx.layout.for_entity(entity).inbound
    return {key: json.loads(stack.bucket.read_bytes(key)) for key in stack.keys(prefix)}


def sent_records(stack: Any, entity: str = "opportunity") -> list[dict[str, Any]]:
    key = stack.ctx.layout.for_entity(entity).record_array_key
    return [record for document in inbound_documents(stack, entity).values() for record in document[key]]


def archived_inbound(stack: Any, entity: str = "opportunity") -> list[str]:
    """Inbound files ACE has processed (it archives each one)."""
    return stack.keys(stack.ctx.layout.for_entity(entity).inbound_archive)


def later_at_ace(stack: Any, *, seconds: float = 2) -> None:
    """Move ACE's clock on: its lastModifiedDate has whole seconds, and the outbound flow applies
    only a strictly newer copy, so a change made within the second of the last export would be
    taken for old news."""
    clock = stack.sim.clock
    stack.sim.clock = lambda: clock() + timedelta(seconds=seconds)


def cycle(stack: Any, ctx: Any = None) -> dict[str, Any]:
    """One turn of both sides: ACE answers and exports, then outbound, results and inbound run."""
    ctx = ctx or stack.ctx
    stack.sim.tick()
    return {"outbound": run_outbound(ctx), "results": run_results(ctx), "inbound": run_inbound(ctx)}
