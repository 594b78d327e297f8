"""The emulated org's state and logic, independent of HTTP (moto's backend/responses split)."""

from __future__ import annotations

from pathlib import Path

from connector.sandbox.salesforce import org
from connector.sandbox.salesforce.auth import Sessions
from connector.sandbox.salesforce.bulk2 import IngestJobs
from connector.sandbox.salesforce.clock import Clock
from connector.sandbox.salesforce.cursors import QueryCursors
from connector.sandbox.salesforce.hooks import Faults, Stats
from connector.sandbox.salesforce.ids import IdAllocator, counter_of
from connector.sandbox.salesforce.records import RecordStore
from connector.sandbox.salesforce.schema import OrgSchema
from connector.sandbox.salesforce.sfdx import load_custom_fields
from connector.sandbox.salesforce.standard_objects import standard_schema
from connector.sandbox.salesforce.storage import Database
from connector.sandbox.salesforce.values import format_datetime_storage

DATABASE_FILE_NAME = "org.sqlite3"
#: Objects whose rows belong to the org itself and survive a reset.
FIXED_OBJECTS = ("User", "Organization")


def default_sfdx_dir() -> Path | None:
    """The repository's ``salesforce/`` sfdx source, when running from a checkout."""
    candidate = Path(__file__).resolve().parents[3] / "salesforce"
    return candidate if candidate.is_dir() else None


def build_schema(sfdx_dir: Path | None) -> OrgSchema:
    schema = standard_schema()
    if sfdx_dir is not None:
        load_custom_fields(sfdx_dir, schema)
    return schema


class OrgBackend:
    def __init__(self, *, data_dir: Path, sfdx_dir: Path | None = None,
                 daily_api_max: int = org.DEFAULT_DAILY_API_REQUESTS,
                 jwt_public_key_pem: bytes | None = None) -> None:
        self.schema = build_schema(sfdx_dir)
        self.db = Database(Path(data_dir) / DATABASE_FILE_NAME, self.schema)
        self.ids = IdAllocator()
        self.clock = Clock()
        self.records = RecordStore(db=self.db, schema=self.schema, ids=self.ids, clock=self.clock)
        self.cursors = QueryCursors(db=self.db, schema=self.schema, ids=self.ids)
        self.jobs = IngestJobs(store=self.records, ids=self.ids, clock=self.clock)
        self.sessions = Sessions()
        self.stats = Stats(daily_api_max=daily_api_max)
        self.faults = Faults()
        self.jwt_public_key_pem = jwt_public_key_pem
        self.session_id = self.sessions.issue(org.INTEGRATION_USER)
        self.admin_session_id = self.sessions.issue(org.ADMIN_USER)
        self._seed_fixed_rows()
        self._continue_ids()

    def _seed_fixed_rows(self) -> None:
        now = format_datetime_storage(self.clock.now())
        audit = {"IsDeleted": 0, "CreatedDate": now, "LastModifiedDate": now, "SystemModstamp": now,
                 "CreatedById": org.INTEGRATION_USER.id, "LastModifiedById": org.INTEGRATION_USER.id}
        with self.db.transaction() as conn:
            for object_name, rows in (("User", org.user_rows()), ("Organization", [org.organization_row()])):
                obj = self.schema.object(object_name)
                for row in rows:
                    if self.db.fetch(conn, obj, row["Id"]) is None:
                        self.db.insert(conn, obj, {**audit, **row})

    def _continue_ids(self) -> None:
        for prefix, largest in self.db.max_ids().items():
            self.ids.start_after(prefix, counter_of(largest))

    def reset(self) -> None:
        """Back to a fresh org: no records, jobs, cursors, faults or counts; sessions valid again."""
        self.db.wipe(keep_objects=FIXED_OBJECTS)
        self.cursors.reset()
        self.jobs.reset()
        self.faults.clear()
        self.stats.reset()
        self.clock.reset()
        self.records.writes.clear()
        self.ids.reset()
        self._continue_ids()
        self.sessions.restore(self.session_id, org.INTEGRATION_USER)
        self.sessions.restore(self.admin_session_id, org.ADMIN_USER)

    def close(self) -> None:
        self.db.close()
