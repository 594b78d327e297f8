"""One partner's world for a reliability scenario: ACE (simulator), the bucket, the org, Redis.

The connector reaches S3 through the fault proxy and the org through the
emulator's HTTPS server, exactly as a deployed worker would; the ACE simulator
and the people (a Salesforce admin, AWS reviewers) act directly. A scenario:

    world.seed(referrals=5, leads=2, partner_opportunities=3)
    while not world.converged():
        world.cycle(run)          # ACE tick, outbound, admin decisions, results, inbound, AWS reviews
    tally = world.tally()        # expected, lost, duplicated records on both sides

``run(flow)`` is the scenario's way of running a flow: in this process
(``world.run_in_process``) or through worker processes on the broker.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import redis
from simple_salesforce import Salesforce

from connector.ace.bucket import AceBucket, make_s3_client
from connector.salesforce import clear_describe_cache
from connector.sandbox.ace import Simulator
from connector.sandbox.salesforce import EmulatorServer
from connector.settings import Settings
from connector.sync.context import SyncContext
from connector.sync.report import FlowReport
from connector.sync.service import run_flow

SPMS_ID = "1234567"
REGION = "us-west-2"
API_VERSION = "59.0"
FLOWS = ("outbound", "results", "inbound")
#: Made-up credentials of the local stand-ins (moto accepts any).
TEST_ACCESS_KEY_ID = "AKIATESTRELIABILITY0"
TEST_SECRET_ACCESS_KEY = "reliability-test-secret-key-not-real"

FlowRunner = Callable[[str], Any]
#: What a partner admin enters to accept a referral (ACE wants a solution on an accepted opportunity).
ACCEPTANCE = {
    "Opportunity": {"ACE_Referral_Decision__c": "Accepted", "ACE_Solutions_Offered__c": "Other",
                    "ACE_Other_Solution_Offered__c": "Lake house accelerator"},
    "Lead": {"ACE_Referral_Decision__c": "Accepted"},
}


def partner_opportunity(number: int) -> dict[str, Any]:
    """A complete partner opportunity (default mappings' fields) that ACE's create rules accept."""
    return {
        "Name": f"Contoso {number}: data platform", "StageName": "Qualification",
        "CloseDate": (date.today() + timedelta(days=120)).isoformat(),
        "Description": f"Contoso unit {number} moves its data warehouse to a lake house on AWS.",
        "ACE_Share__c": True, "ACE_Use_Case__c": "Migration / Database Migration",
        "ACE_Expected_Monthly_Revenue__c": 4000 + number, "ACE_Delivery_Model__c": "Professional Services",
        "ACE_Primary_Need_From_AWS__c": "Co-Sell - Technical Consultation",
        "ACE_Sales_Activities__c": "Initialized discussions with customer",
        "ACE_Solutions_Offered__c": "Other", "ACE_Other_Solution_Offered__c": "Lake house accelerator",
        "ACE_Customer_Company_Name__c": f"Contoso {number}", "ACE_Customer_Website__c": "https://contoso.example",
        "ACE_Industry__c": "Software & Internet", "ACE_Country__c": "United States", "ACE_State__c": "Washington",
        "ACE_Postal_Code__c": "98101", "ACE_From_Marketing_Activity__c": False,
    }


@dataclass
class Tally:
    """Records expected on each side, and how many are missing or present more than once."""

    expected: int = 0
    lost: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)

    def check(self, label: str, found: int) -> None:
        self.expected += 1
        if found == 0:
            self.lost += 1
            self.problems.append(f"{label}: missing")
        elif found > 1:
            self.duplicates += found - 1
            self.problems.append(f"{label}: present {found} times")


class World:
    def __init__(self, *, work_dir: Path, emulator: EmulatorServer, s3_endpoint_url: str,
                 connector_s3_endpoint_url: str, redis_url: str, redis_prefix: str, mappings_dir: Path,
                 **setting_changes: Any) -> None:
        self.work_dir = Path(work_dir)
        self.emulator = emulator
        self.bucket_name = f"ace-apn-{SPMS_ID}-rel-{uuid.uuid4().hex[:8]}"
        self.redis_url = redis_url
        self.redis_prefix = redis_prefix
        self.env = {
            "ACE_BUCKET": self.bucket_name, "ACE_S3_ENDPOINT_URL": connector_s3_endpoint_url,
            "ACE_SPMS_ID": SPMS_ID, "ACE_MAPPINGS_DIR": str(mappings_dir),
            "AWS_ACCESS_KEY_ID": TEST_ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY": TEST_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "SF_INSTANCE_URL": emulator.instance_url, "SF_SESSION_ID": emulator.session_id,
            "SF_CA_BUNDLE": str(Path(emulator.ca_bundle).resolve()), "SF_API_VERSION": API_VERSION,
            "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": redis_prefix, "LOG_FORMAT": "json",
            # Transient failures are retried by the next trigger in these runs, not after minutes.
            "WORKER_MIN_BACKOFF_SECONDS": "0.2", "WORKER_MAX_BACKOFF_SECONDS": "1",
            **{name.upper(): str(value) for name, value in setting_changes.items()},
        }
        self.settings = Settings(**{name.lower(): value for name, value in self.env.items()})
        direct = AceBucket(self.bucket_name, make_s3_client(endpoint_url=s3_endpoint_url, region=REGION,
                                                            access_key_id=TEST_ACCESS_KEY_ID,
                                                            secret_access_key=TEST_SECRET_ACCESS_KEY))
        direct.create_if_missing()
        self.bucket = direct  # what AWS and the test see, without faults
        self.sim = Simulator(direct, state_dir=self.work_dir / f"sim-{self.bucket_name}")
        self.sim.configure(partner={"spms_id": SPMS_ID})
        self.redis = redis.Redis.from_url(redis_url)
        http = emulator.requests_session()
        self.admin = Salesforce(instance_url=emulator.instance_url, session_id=emulator.admin_session_id,
                                session=http, version=API_VERSION)
        self.referrals: list[str] = []
        self.leads: list[str] = []
        self.partner_opportunities: list[str] = []
        self._decided: set[str] = set()
        self._reviewed: set[str] = set()
        self._ctx: SyncContext | None = None
        self.reports: list[FlowReport] = []
        self.stopped_runs: list[str] = []

    # --- the org's test hooks ----------------------------------------------------------------

    def hook(self, method: str, name: str, **kwargs: Any) -> Any:
        response = self.emulator.requests_session().request(
            method, f"{self.emulator.instance_url}/_emulator/{name}", **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def reset_org(self) -> None:
        self.hook("POST", "reset")
        self.hook("DELETE", "faults")
        clear_describe_cache()

    def salesforce_faults(self, *faults: dict[str, Any], seed: int = 0) -> None:
        self.hook("POST", "faults", json={"faults": list(faults), "seed": seed})

    # --- running the connector in this process ----------------------------------------------------

    @property
    def ctx(self) -> SyncContext:
        if self._ctx is None:
            self._ctx = SyncContext.from_settings(self.settings)
        return self._ctx

    def run_in_process(self, flow: str) -> FlowReport:
        report = run_flow(self.ctx, flow)
        self.reports.append(report)
        return report

    # --- the story --------------------------------------------------------------------------------

    def seed(self, *, referrals: int = 0, leads: int = 0, partner_opportunities: int = 0) -> None:
        for number in range(referrals):
            self.referrals.append(self.sim.refer_opportunity(
                customerCompanyName=f"Example Corp {number}",
                partnerProjectTitle=f"Example Corp {number}: data lake",
                projectDescription=f"Example Corp {number} wants to move its analytics to AWS."))
        for number in range(leads):
            self.leads.append(self.sim.refer_lead(company=f"Example Retail {number}", fullName=f"Ana Lima {number}",
                                                  email=f"ana{number}@retail.example", industry="Retail"))
        start = len(self.partner_opportunities)
        for number in range(start, start + partner_opportunities):
            self.partner_opportunities.append(self.admin.Opportunity.create(partner_opportunity(number))["id"])

    def cycle(self, run: FlowRunner) -> None:
        """One round: ACE answers and exports, then each flow, with the people acting in between."""
        self.sim.tick()
        run("outbound")
        self.admin_decides()
        run("results")
        run("inbound")
        self.aws_reviews()

    def admin_decides(self) -> None:
        """A partner admin accepts every referral that has reached Salesforce."""
        for ace_id, sobject, id_field in self._referral_rows():
            if ace_id in self._decided:
                continue
            rows = self.admin.query(f"SELECT Id FROM {sobject} WHERE {id_field} = '{ace_id}'")["records"]
            if rows:
                getattr(self.admin, sobject).update(rows[0]["Id"], ACCEPTANCE[sobject])
                self._decided.add(ace_id)

    def aws_reviews(self) -> None:
        """AWS approves each partner opportunity once ACE has it."""
        for record_id in self.partner_opportunities:
            ace_id = self._ace_id_in_salesforce(record_id)
            if ace_id and ace_id not in self._reviewed:
                self.sim.review(ace_id, to="Approved")
                self._reviewed.add(ace_id)

    def _referral_rows(self) -> list[tuple[str, str, str]]:
        return ([(i, "Opportunity", "ACE_Opportunity_Id__c") for i in self.referrals]
                + [(i, "Lead", "ACE_Lead_Id__c") for i in self.leads])

    def _ace_id_in_salesforce(self, record_id: str) -> str | None:
        rows = self.admin.query(f"SELECT ACE_Opportunity_Id__c FROM Opportunity WHERE Id = '{record_id}'")["records"]
        return rows[0]["ACE_Opportunity_Id__c"] if rows else None

    # --- checking ---------------------------------------------------------------------------------------

    def converged(self) -> bool:
        """Every record is linked: both sides hold the other's key, and ACE knows the acceptance."""
        ace = self.sim.state()
        for ace_id in self.referrals:
            record = ace.opportunities.get(ace_id, {}).get("fields", {})
            if not str(record.get("partnerCrmUniqueIdentifier") or "").startswith("006"):
                return False
        for ace_id in self.leads:
            record = ace.leads.get(ace_id, {}).get("fields", {})
            if not str(record.get("partnerCrmLeadId") or "").startswith("00Q"):
                return False
        return all(self._ace_id_in_salesforce(record_id) for record_id in self.partner_opportunities)

    def tally(self) -> Tally:
        """Each expected record counted on both sides: missing is lost, more than one is a duplicate."""
        tally = Tally()
        ace = self.sim.state()
        org_opportunities = Counter(row["ACE_Opportunity_Id__c"] for row in self.admin.query_all(
            "SELECT ACE_Opportunity_Id__c FROM Opportunity")["records"] if row["ACE_Opportunity_Id__c"])
        org_leads = Counter(row["ACE_Lead_Id__c"] for row in self.admin.query_all(
            "SELECT ACE_Lead_Id__c FROM Lead")["records"] if row["ACE_Lead_Id__c"])
        ace_by_partner_key = Counter(record["fields"].get("partnerCrmUniqueIdentifier")
                                     for record in ace.opportunities.values())
        for ace_id in self.referrals:
            tally.check(f"referral {ace_id} in Salesforce", org_opportunities[ace_id])
        for ace_id in self.leads:
            tally.check(f"lead {ace_id} in Salesforce", org_leads[ace_id])
        for record_id in self.partner_opportunities:
            tally.check(f"partner opportunity {record_id} in ACE", ace_by_partner_key[record_id])
        org_total = self.admin.query("SELECT COUNT() FROM Opportunity")["totalSize"]
        extra = org_total - len(self.referrals) - len(self.partner_opportunities)
        if extra > 0:
            tally.duplicates += extra
            tally.problems.append(f"{extra} Opportunity record(s) nobody asked for")
        return tally

    def snapshot(self) -> dict[str, Any]:
        """Both sides' business values, keyed the same way in any run of the same story (ids, not times).

        Two runs of one story end with equal snapshots whatever faults one of them met.
        """
        ace = self.sim.state()
        # Referrals by their ACE id; the partner's own opportunities by name (ACE numbers them in the
        # order it happens to process their files).
        org = {row["ACE_Opportunity_Id__c"] if row["ACE_Opportunity_Id__c"] in self.referrals else row["Name"]: row
               for row in self.admin.query_all(
            "SELECT Name, StageName, NextStep, ACE_Opportunity_Id__c, ACE_Referral_Decision__c, "
            "ACE_Review_Status__c FROM Opportunity")["records"]}
        leads = {row["ACE_Lead_Id__c"]: row for row in self.admin.query_all(
            "SELECT Company, Status, ACE_Lead_Id__c, ACE_Referral_Decision__c FROM Lead")["records"]}
        view: dict[str, Any] = {}
        for key, row in org.items():
            record = ace.opportunities.get(row["ACE_Opportunity_Id__c"] or "", {}).get("fields", {})
            view[f"opportunity {key}"] = (
                {k: row[k] for k in ("Name", "StageName", "NextStep", "ACE_Referral_Decision__c",
                                     "ACE_Review_Status__c")},
                {k: record.get(k) for k in ("status", "partnerAcceptanceStatus", "stage", "nextStep",
                                            "partnerProjectTitle", "customerCompanyName")},
                bool(record.get("partnerCrmUniqueIdentifier")))
        for key, row in leads.items():
            record = ace.leads.get(key or "", {}).get("fields", {})
            view[f"lead {key}"] = ({k: row[k] for k in ("Company", "ACE_Referral_Decision__c")},
                                   {k: record.get(k) for k in ("currentLeadStage", "company")},
                                   bool(record.get("partnerCrmLeadId")))
        return view

    def inbound_files_sent(self) -> int:
        """Inbound files ACE has received (it archives each one), both entities."""
        return sum(len(list(self.bucket.iter_objects(layout.inbound_archive)))
                   for layout in self.sim.layout.entities)


def converge(world: World, run: FlowRunner, *, max_cycles: int) -> int:
    """Cycle until every record is linked; returns the cycles used (AssertionError after ``max_cycles``)."""
    for number in range(1, max_cycles + 1):
        world.cycle(run)
        if world.converged():
            return number
    raise AssertionError(f"not converged after {max_cycles} cycles: {world.tally().problems}")


def shuffled(items: list[Any], *, seed: int) -> list[Any]:
    copy = list(items)
    random.Random(seed).shuffle(copy)
    return copy
