"""``ace-connector demo``: the whole loop on one machine, in under a minute.

Everything runs in this process: S3 (a moto server), the Salesforce org
emulator, the ACE simulator playing AWS, and the connector's own actors on an
in-process broker with worker threads. Only Redis is real: the connector's
state lives there, under a private key prefix that is removed at the end (a
private ``redis-server`` is started when none answers on ``REDIS_URL``).

The story, round by round until every record is linked:

1. AWS refers an opportunity and a lead (masked until accepted); a partner
   user creates an opportunity in Salesforce and ticks "share with ACE";
2. the outbound flow brings the referrals into Salesforce; an admin accepts
   both there; the inbound flow sends the acceptances and the partner's new
   opportunity to ACE;
3. ACE answers (results with the new ``O…`` id) and exports the unmasked
   referrals; AWS approves the partner's opportunity; the results flow writes
   the ids back and the inbound flow links the referrals (both keys).

Lives outside ``connector.sync`` because it drives the sandbox.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import redis
from rich.console import Console
from rich.table import Table
from simple_salesforce import Salesforce

import connector
from connector.errors import ConfigurationError
from connector.logs import url_without_password
from connector.sandbox.stack import SandboxStack
from connector.settings import Settings, get_settings
from connector.worker.actors import FLOW_ACTORS, PerThreadContexts, declare_actors
from connector.worker.broker import drain, make_broker, stub_worker

#: Rounds of (ACE tick, outbound, results, inbound) before the demo gives up; three suffice.
MAX_ROUNDS = 8
WORKER_THREADS = 4
#: How long the in-process queues may take to empty after one trigger.
DRAIN_TIMEOUT_SECONDS = 30.0
LINKED = "linked"


@dataclass
class DemoRecord:
    """One record of the story, as the summary shows it."""

    label: str
    salesforce_object: str
    salesforce_id: str | None = None
    ace_id: str | None = None
    sync_status: str | None = None
    ace_status: str | None = None
    linked: bool = False


@dataclass
class DemoResult:
    records: list[DemoRecord] = field(default_factory=list)
    rounds: int = 0
    seconds: float = 0.0

    @property
    def all_linked(self) -> bool:
        return bool(self.records) and all(record.linked for record in self.records)


def default_mappings_dir(settings: Settings) -> Path:
    """``ACE_MAPPINGS_DIR`` when it exists, else the checkout's own ``mappings/``."""
    if settings.ace_mappings_dir.is_dir():
        return settings.ace_mappings_dir
    return Path(connector.__file__).resolve().parent.parent / "mappings"


def run_demo(*, console: Console, work_dir: Path | None = None, settings: Settings | None = None) -> DemoResult:
    """Run the story and print its progress and a summary; returns what was linked."""
    settings = settings or get_settings()
    started = time.monotonic()
    own_dir = work_dir is None
    work_dir = Path(tempfile.mkdtemp(prefix="ace-demo-")) if work_dir is None else Path(work_dir)
    try:
        with _redis(settings.redis_url, console=console) as redis_url, \
                SandboxStack(work_dir=work_dir) as sandbox:
            console.print(f"sandbox up: S3 {sandbox.s3_endpoint_url}, Salesforce {sandbox.emulator.instance_url}",
                          highlight=False)
            prefix = f"ace-demo:{uuid.uuid4().hex[:10]}"
            demo_settings = sandbox.settings(redis_url=redis_url, redis_key_prefix=prefix,
                                             ace_mappings_dir=default_mappings_dir(settings),
                                             log_level=settings.log_level, log_format=settings.log_format)
            try:
                result = _Story(sandbox, demo_settings, console=console).play()
            finally:
                _remove_keys(redis_url, prefix)
    finally:
        if own_dir:
            shutil.rmtree(work_dir, ignore_errors=True)
    result.seconds = time.monotonic() - started
    _print_summary(console, result)
    return result


class _Story:
    def __init__(self, sandbox: SandboxStack, settings: Settings, *, console: Console) -> None:
        self.sandbox = sandbox
        self.sim = sandbox.simulator
        self.console = console
        self.broker = make_broker(settings, stub=True)
        self.actors = declare_actors(self.broker, context_factory=PerThreadContexts(settings))
        emulator = sandbox.emulator
        # The partner's people work as the org's admin user, not as the integration user.
        self.admin = Salesforce(instance_url=emulator.instance_url, session_id=emulator.admin_session_id,
                                session=emulator.requests_session(), version=sandbox.api_version)
        self.records: dict[str, DemoRecord] = {}
        self.decided: set[str] = set()
        self.reviewed: set[str] = set()

    def play(self) -> DemoResult:
        self._seed()
        result = DemoResult()
        with stub_worker(self.broker, threads=WORKER_THREADS):
            for round_number in range(1, MAX_ROUNDS + 1):
                result.rounds = round_number
                self._round(round_number)
                if all(record.linked for record in self.records.values()):
                    break
        result.records = list(self.records.values())
        return result

    # --- the story ---------------------------------------------------------------------------

    def _seed(self) -> None:
        self.referral_id = self.sim.refer_opportunity(
            customerCompanyName="Example Corp", partnerProjectTitle="Example Corp: data lake on AWS",
            projectDescription="Example Corp wants to move its analytics to a data lake on AWS.")
        self.lead_id = self.sim.refer_lead(company="Example Retail", fullName="Ana Lima",
                                           email="ana.lima@retail.example", industry="Retail")
        self.partner_opp_id = self.admin.Opportunity.create(partner_opportunity())["id"]
        self.records = {
            "referral": DemoRecord("Opportunity referred by AWS", "Opportunity", ace_id=self.referral_id),
            "lead": DemoRecord("Lead referred by AWS", "Lead", ace_id=self.lead_id),
            "partner": DemoRecord("Partner's own opportunity", "Opportunity", salesforce_id=self.partner_opp_id),
        }
        self._say(0, f"AWS referred opportunity {self.referral_id} and lead {self.lead_id}; "
                     f"a partner user created opportunity {self.partner_opp_id} in Salesforce")

    def _round(self, number: int) -> None:
        tick = self.sim.tick()  # ACE answers inbound files and exports what changed
        answered = sum(1 for report in tick.files if report.success)
        self._say(number, f"ACE answered {answered} inbound file(s), exported {len(tick.exported)} file(s)")
        for flow in FLOW_ACTORS:
            self.actors[flow].send()
            drain(self.broker, timeout_seconds=DRAIN_TIMEOUT_SECONDS)
            if flow == "outbound":
                self._admin_decides(number)
        self._refresh()
        self._aws_reviews(number)
        linked = sum(record.linked for record in self.records.values())
        self._say(number, f"{linked} of {len(self.records)} records linked")

    def _admin_decides(self, number: int) -> None:
        """An admin accepts each referral once it is in Salesforce (and names the solution offered:
        ACE takes no update of an opportunity without one)."""
        for key, sobject, ace_field in (("referral", "Opportunity", "ACE_Opportunity_Id__c"),
                                        ("lead", "Lead", "ACE_Lead_Id__c")):
            record = self.records[key]
            if key in self.decided:
                continue
            rows = self.admin.query(f"SELECT Id FROM {sobject} WHERE {ace_field} = '{record.ace_id}'")["records"]
            if rows:
                decision = {"ACE_Referral_Decision__c": "Accepted"}
                if sobject == "Opportunity":
                    decision |= {"ACE_Solutions_Offered__c": "Other",
                                 "ACE_Other_Solution_Offered__c": "Data lake quick start"}
                getattr(self.admin, sobject).update(rows[0]["Id"], decision)
                self.decided.add(key)
                self._say(number, f"an admin accepted {record.ace_id} in Salesforce ({rows[0]['Id']})")

    def _aws_reviews(self, number: int) -> None:
        """AWS approves the partner's opportunity once ACE knows it."""
        partner = self.records["partner"]
        if partner.ace_id and "partner" not in self.reviewed:
            self.sim.review(partner.ace_id, to="Approved")
            self.reviewed.add("partner")
            self._say(number, f"AWS approved the partner opportunity {partner.ace_id}")

    def _refresh(self) -> None:
        """Read each record on both sides and decide whether it is linked."""
        referral, lead, partner = self.records["referral"], self.records["lead"], self.records["partner"]
        row = self._row("Opportunity", "ACE_Opportunity_Id__c", referral.ace_id)
        if row:
            referral.salesforce_id, referral.sync_status = row["Id"], row["ACE_Sync_Status__c"]
            ace = self.sim.opportunity(referral.ace_id)
            referral.ace_status = ace.get("partnerAcceptanceStatus")
            referral.linked = ace.get("partnerCrmUniqueIdentifier") == row["Id"]
        row = self._row("Lead", "ACE_Lead_Id__c", lead.ace_id)
        if row:
            lead.salesforce_id, lead.sync_status = row["Id"], row["ACE_Sync_Status__c"]
            ace = self.sim.lead(lead.ace_id)
            lead.ace_status = ace.get("currentLeadStage")
            lead.linked = ace.get("partnerCrmLeadId") == row["Id"]
        row = self._row("Opportunity", "Id", partner.salesforce_id)
        if row:
            partner.ace_id, partner.sync_status = row["ACE_Opportunity_Id__c"], row["ACE_Sync_Status__c"]
            if partner.ace_id:
                ace = self.sim.opportunity(partner.ace_id)
                partner.ace_status = ace.get("status")
                partner.linked = ace.get("partnerCrmUniqueIdentifier") == partner.salesforce_id

    def _row(self, sobject: str, field_name: str, value: str | None) -> dict[str, Any] | None:
        if not value:
            return None
        status_field = "ACE_Opportunity_Id__c, " if sobject == "Opportunity" else ""
        rows = self.admin.query(f"SELECT Id, {status_field}ACE_Sync_Status__c FROM {sobject} "
                                f"WHERE {field_name} = '{value}'")["records"]
        return rows[0] if rows else None

    def _say(self, number: int, text: str) -> None:
        self.console.print(f"[dim]round {number}[/dim]  {text}", highlight=False)


def partner_opportunity() -> dict[str, Any]:
    """A complete opportunity, in the default mappings' Salesforce fields, that ACE's create rules accept."""
    return {
        "Name": "Contoso: data platform", "StageName": "Qualification",
        "CloseDate": (date.today() + timedelta(days=120)).isoformat(),
        "Description": "Contoso moves its on-premises data warehouse to a lake house on AWS.",
        "ACE_Share__c": True, "ACE_Use_Case__c": "Migration / Database Migration",
        "ACE_Expected_Monthly_Revenue__c": 4000, "ACE_Delivery_Model__c": "Professional Services",
        "ACE_Primary_Need_From_AWS__c": "Co-Sell - Technical Consultation",
        "ACE_Sales_Activities__c": "Initialized discussions with customer",
        "ACE_Solutions_Offered__c": "Other", "ACE_Other_Solution_Offered__c": "Lake house accelerator",
        "ACE_Customer_Company_Name__c": "Contoso", "ACE_Customer_Website__c": "https://contoso.example",
        "ACE_Industry__c": "Software & Internet", "ACE_Country__c": "United States", "ACE_State__c": "Washington",
        "ACE_Postal_Code__c": "98101", "ACE_From_Marketing_Activity__c": False,
    }


def _print_summary(console: Console, result: DemoResult) -> None:
    table = Table(title=f"ace-connector demo: {sum(r.linked for r in result.records)} of {len(result.records)} "
                        f"records linked in {result.rounds} round(s), {result.seconds:.1f} s",
                  title_justify="left")
    table.add_column("record", overflow="fold")
    for column in ("Salesforce Id", "ACE id", "sync", "ACE status", "linked"):
        table.add_column(column, no_wrap=True)
    for record in result.records:
        table.add_row(record.label, record.salesforce_id or "—", record.ace_id or "—",
                      record.sync_status or "—", record.ace_status or "—",
                      "[green]yes[/green]" if record.linked else "[red]no[/red]")
    console.print(table)


# --- Redis ------------------------------------------------------------------------------------


@contextmanager
def _redis(url: str, *, console: Console) -> Iterator[str]:
    """``url`` when Redis answers there, else a private ``redis-server`` for the demo's duration."""
    if _answers(url):
        yield url
        return
    server = shutil.which("redis-server")
    if server is None:
        raise ConfigurationError(f"the demo keeps its state in Redis, and none answers at {url_without_password(url)}; "
                                 "start Redis "
                                 "(or set REDIS_URL), or install redis-server for a private one")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data_dir = tempfile.mkdtemp(prefix="ace-demo-redis-")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", data_dir],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    private_url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 5
        while not _answers(private_url):
            if time.monotonic() > deadline or process.poll() is not None:
                raise ConfigurationError(f"a private redis-server on port {port} did not start")
            time.sleep(0.05)
        console.print(f"no Redis at {url_without_password(url)}; using a private one on port {port}", highlight=False)
        yield private_url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _remove_keys(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start:start + 1000])
