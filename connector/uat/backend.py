"""What the runner needs from the world, and the part both modes share.

A ``Backend`` gives the runner an org to edit and read (as the admin would),
a way to run the connector's flows once ("sync"), and — only where it can —
AWS's side: the sandbox plays AWS through the simulator; live, AWS is real and
its internals cannot be read, so those operations and checks report that.
The connector itself always runs for real: ``run_flow`` with the real flows
and the partner's mappings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simple_salesforce import Salesforce

from connector.ace.layout import ENTITIES
from connector.errors import ConnectorError
from connector.salesforce.soql import condition, select
from connector.sync.context import SyncContext
from connector.sync.report import FlowReport
from connector.sync.service import FLOW_ORDER, run_flow

#: The flows of one connector pass, in the order ``sync --once --flow all`` runs them.
SYNC_FLOWS = FLOW_ORDER


class NotObservable(Exception):
    """The backend cannot show this (live mode cannot read ACE's internal records)."""


class AwsActionUnavailable(Exception):
    """The backend cannot play AWS (live mode: AWS has to act)."""


@dataclass
class InboundFile:
    key: str
    document: Any  # the parsed JSON, or the raw text when it is not JSON


@dataclass
class SyncTrace:
    """What one ``sync`` did: the flows' reports and the files the connector sent."""

    reports: list[FlowReport] = field(default_factory=list)
    inbound_files: list[InboundFile] = field(default_factory=list)

    def flow_errors(self) -> list[str]:
        return [f"{r.flow}: {e}" for r in self.reports for e in r.errors]


class Backend:
    """Shared behaviour; subclasses say how ACE answers and what of ACE can be seen."""

    mode = "abstract"

    def __init__(self, *, ctx: SyncContext, admin: Salesforce) -> None:
        self.ctx = ctx
        self.admin = admin  # the Salesforce user standing in for the partner's admin

    # --- Salesforce, as the admin ------------------------------------------------------------

    def create_record(self, sobject: str, values: Mapping[str, Any]) -> str:
        result = getattr(self.admin, sobject).create(dict(values))
        return str(result["id"])

    def update_record(self, sobject: str, record_id: str, values: Mapping[str, Any]) -> None:
        getattr(self.admin, sobject).update(record_id, dict(values))

    def read_record(self, sobject: str, record_id: str, fields: Sequence[str]) -> dict[str, Any]:
        soql = select(sobject, list(dict.fromkeys(["Id", *fields])), where=[condition("Id", "=", record_id)])
        rows = self.admin.query(soql)["records"]
        if not rows:
            raise ConnectorError(f"{sobject} {record_id} is gone from Salesforce")
        return {k: v for k, v in rows[0].items() if k != "attributes"}

    def delete_record(self, sobject: str, record_id: str) -> None:
        getattr(self.admin, sobject).delete(record_id)

    # --- the connector ------------------------------------------------------------------------------

    def run_flow(self, flow: str) -> FlowReport:
        return run_flow(self.ctx, flow)

    def pending_inbound_files(self) -> list[InboundFile]:
        """The files now waiting in the inbound folders (what the connector just sent)."""
        found = []
        for entity in ENTITIES:
            prefix = self.ctx.layout.for_entity(entity).inbound
            for info in self.ctx.bucket.iter_objects(prefix):
                body = self.ctx.bucket.read_bytes(info.key)
                try:
                    document: Any = json.loads(body)
                except ValueError:
                    document = body.decode("utf-8", "replace")
                found.append(InboundFile(key=info.key, document=document))
        return found

    def sync(self, *, rounds: int = 1) -> SyncTrace:
        raise NotImplementedError

    # --- AWS's side -----------------------------------------------------------------------------------

    def aws(self, kind: str, args: Mapping[str, Any], *, ace_id: str | None = None) -> str | None:
        """Play AWS (``refer``, ``review``, ``seller_update``, ``partner_profile``); returns a new id."""
        raise AwsActionUnavailable("AWS has to act on its side")

    def ace_record(self, entity: str, *, ace_id: str | None, partner_key: str | None) -> dict[str, Any] | None:
        raise NotObservable("ACE's own copy of a record cannot be read from outside AWS")

    def end_step(self) -> None:
        """Undo what a step changed on AWS's side for itself only (the partner profile)."""

    def close(self) -> None:
        """Release everything the backend started."""
