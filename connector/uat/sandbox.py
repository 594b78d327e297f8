"""The sandbox backend: a fresh stack per run — moto S3 (in process), the org emulator, the ACE simulator playing AWS,
and a private Redis key prefix — with the real connector flows and the partner's mappings.

Only this module (and the CLI that chooses it) imports the sandbox: live runs never load the simulator.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import redis
from moto import mock_aws
from pydantic import SecretStr
from simple_salesforce import Salesforce

from connector.ace.bucket import AceBucket, client_from_settings
from connector.ace.layout import AceLayout
from connector.salesforce import clear_describe_cache
from connector.sandbox.ace import Simulator
from connector.sandbox.ace.config import DEFAULT_SPMS_ID
from connector.sandbox.ace.simulator import SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET
from connector.sandbox.salesforce import EmulatorServer
from connector.settings import Settings
from connector.sync.context import SyncContext
from connector.uat.backend import SYNC_FLOWS, Backend, SyncTrace

#: Redis keys of a sandbox run live under this prefix plus a random part, and are removed afterwards.
REDIS_PREFIX_ROOT = "ace-uat"
REGION = "us-west-2"
API_VERSION = "59.0"


class SandboxBackend(Backend):
    mode = "sandbox"

    def __init__(self, *, simulator: Simulator, emulator: EmulatorServer, s3: Any, ctx: SyncContext,
                 admin: Salesforce, work_dir: Path, owns_work_dir: bool) -> None:
        super().__init__(ctx=ctx, admin=admin)
        self.simulator = simulator
        self.emulator = emulator
        self._s3 = s3
        self._work_dir = work_dir
        self._owns_work_dir = owns_work_dir
        self._partner_before: dict[str, Any] | None = None

    @classmethod
    def start(cls, *, redis_url: str, mappings_dir: Path, work_dir: Path | None = None) -> SandboxBackend:
        """Start the stand-ins and build the connector on them, as ``SyncContext.from_settings`` does.

        S3 is moto in this process (``mock_aws``) rather than a moto server: the suite makes
        thousands of S3 calls and an HTTP round trip each would make it several times slower.
        """
        owns = work_dir is None
        folder = Path(tempfile.mkdtemp(prefix="ace-uat-")) if work_dir is None else Path(work_dir)
        s3 = mock_aws()
        s3.start()
        emulator = EmulatorServer(data_dir=folder / "salesforce", api_version=API_VERSION)
        try:
            emulator.start()
            # Processed files are deleted (AWS's preferred way, SPEC §11.2) rather than tagged: the
            # suite makes hundreds of files and every pass would otherwise list them all again.
            settings = Settings(
                ace_bucket=f"ace-apn-{DEFAULT_SPMS_ID}-uat-{uuid.uuid4().hex[:8]}", ace_spms_id=DEFAULT_SPMS_ID,
                aws_region=REGION, aws_access_key_id=SANDBOX_ACCESS_KEY_ID,
                aws_secret_access_key=SecretStr(SANDBOX_SECRET), ace_mappings_dir=mappings_dir,
                ace_after_processing="delete", sf_instance_url=emulator.instance_url,
                sf_session_id=SecretStr(emulator.session_id), sf_ca_bundle=Path(emulator.ca_bundle),
                sf_api_version=API_VERSION, redis_url=redis_url,
                redis_key_prefix=f"{REDIS_PREFIX_ROOT}:{uuid.uuid4().hex[:12]}")
            simulator = Simulator(AceBucket(settings.ace_bucket, client_from_settings(settings)),
                                  state_dir=folder / "ace-simulator", layout=AceLayout.from_settings(settings))
            simulator.ensure_bucket()
            simulator.configure(partner={"spms_id": DEFAULT_SPMS_ID})
            clear_describe_cache()  # describe results of an earlier org must not leak into this one
            ctx = SyncContext.from_settings(settings)
            admin = Salesforce(instance_url=emulator.instance_url, session_id=emulator.admin_session_id,
                               session=emulator.requests_session(), version=API_VERSION)
        except BaseException:
            emulator.stop()
            s3.stop()
            if owns:
                shutil.rmtree(folder, ignore_errors=True)
            raise
        return cls(simulator=simulator, emulator=emulator, s3=s3, ctx=ctx, admin=admin, work_dir=folder,
                   owns_work_dir=owns)

    # --- the connector, and ACE answering it ---------------------------------------------------------------

    def sync(self, *, rounds: int = 1) -> SyncTrace:
        """One connector pass per round, with the simulated ACE answering between the flows.

        Per round: outbound (what ACE exported), results (ACE's answers), inbound (what changed in
        Salesforce); then ACE picks up the inbound files and exports its changes; then the
        results and outbound flows read them (answers first, so a new ACE id is on the record
        before ACE's export of that record arrives). This is ``sync --once`` followed by what ACE does
        before the connector's next scheduled run.
        """
        trace = SyncTrace()
        for _ in range(rounds):
            for flow in SYNC_FLOWS:
                trace.reports.append(self.run_flow(flow))
            trace.inbound_files.extend(self.pending_inbound_files())
            self.simulator.tick()
            for flow in ("results", "outbound"):
                trace.reports.append(self.run_flow(flow))
        return trace

    # --- AWS's people, played by the simulator -----------------------------------------------------------------

    def aws(self, kind: str, args: Mapping[str, Any], *, ace_id: str | None = None) -> str | None:
        sim = self.simulator
        if kind == "refer":
            fields = dict(args.get("ace") or {})
            if args["entity"] == "lead":
                return sim.refer_lead(**fields)
            return sim.refer_opportunity(**fields)
        if kind == "partner_profile":
            if self._partner_before is None:
                self._partner_before = dict(sim.config.to_json()["partner"])
            sim.configure(partner=dict(args))
            return None
        if ace_id is None:
            raise LookupError("the record has no ACE id yet, so AWS cannot act on it")
        if kind == "review":
            sim.review(ace_id, to=args["to"], comment=args.get("comment"))
        elif kind == "seller_update":
            sim.seller_update(ace_id, stage=args.get("stage"), next_step=args.get("next_step"),
                              close_date=args.get("close_date"), **dict(args.get("ace") or {}))
        else:
            raise ValueError(f"unknown AWS operation {kind!r}")
        return None

    def ace_record(self, entity: str, *, ace_id: str | None, partner_key: str | None) -> dict[str, Any] | None:
        key_field = "partnerCrmLeadId" if entity == "lead" else "partnerCrmUniqueIdentifier"
        records = self.simulator.state().store(entity)
        if ace_id and ace_id in records:
            return dict(records[ace_id]["fields"])
        for entry in records.values():
            if partner_key and entry["fields"].get(key_field) == partner_key:
                return dict(entry["fields"])
        return None

    def end_step(self) -> None:
        if self._partner_before is not None:
            self.simulator.configure(partner=self._partner_before)
            self._partner_before = None

    def close(self) -> None:
        try:
            client: redis.Redis = self.ctx.redis
            keys = list(client.scan_iter(f"{self.ctx.settings.redis_key_prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        finally:
            self.emulator.stop()
            self._s3.stop()
            if self._owns_work_dir:
                shutil.rmtree(self._work_dir, ignore_errors=True)
