"""The ACE simulator: AWS's side of the ACE bucket, driven in-process or from the CLI.

    sim = Simulator(AceBucket("my-bucket", client), state_dir="sim-state")
    sim.ensure_bucket()
    opp_id = sim.refer_opportunity(customerCompanyName="Example Corp")
    sim.export()          # the referral appears in opportunity-outbound/
    sim.tick()            # answer every inbound file, then export changes

Every operation loads the state under its lock, works, and saves it, so any
number of ``Simulator`` objects (or CLI invocations) may share one state folder.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import boto3
from pydantic import SecretStr

from connector.ace.bucket import AceBucket, RequestCounter, client_from_settings
from connector.ace.layout import AceLayout
from connector.errors import ConfigurationError
from connector.settings import Settings
from connector.logs import get_logger
from connector.sandbox.ace.book import Book, InvalidChange, UnknownRecord
from connector.sandbox.ace.config import SimulatorConfig
from connector.sandbox.ace.export import export_changes
from connector.sandbox.ace.leads import LeadBook
from connector.sandbox.ace.opportunities import OpportunityBook
from connector.sandbox.ace.pickup import FileReport, Pickup
from connector.sandbox.ace.results import ace_datetime
from connector.sandbox.ace.state import SimulatorState, StateStore

#: ACE-CONTRACT §16.2: ACE picks up inbound files about every 30 seconds.
DEFAULT_PICKUP_INTERVAL_SECONDS = 30.0
#: ACE-CONTRACT §3: ACE exports changes once an hour.
DEFAULT_EXPORT_INTERVAL_SECONDS = 3600.0

#: Credentials used against a local S3 endpoint when none are configured.
SANDBOX_ACCESS_KEY_ID = "sandbox"
SANDBOX_SECRET = "sandbox-secret"

log = get_logger(__name__)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class TickReport:
    files: list[FileReport] = field(default_factory=list)
    exported: list[str] = field(default_factory=list)


class Simulator:
    def __init__(self, bucket: AceBucket | None, *, state_dir: str | Path, layout: AceLayout | None = None,
                 clock: Callable[[], datetime] = utc_now) -> None:
        """``bucket`` may be None for work that never touches S3 (referrals, reviews, configuration)."""
        self._bucket = bucket
        self.store = StateStore(state_dir)
        self.layout = layout or AceLayout.default()
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Settings, *, state_dir: str | Path, bucket: str | None = None,
                      endpoint_url: str | None = None) -> Simulator:
        """A simulator on the connector's own bucket settings (ACE_BUCKET, ACE_S3_ENDPOINT_URL, AWS_*)."""
        endpoint = endpoint_url or settings.ace_s3_endpoint_url
        name = bucket or settings.ace_bucket
        if not name:
            raise ConfigurationError("no bucket: pass --bucket or set ACE_BUCKET")
        if endpoint and not settings.aws_access_key_id and boto3.session.Session().get_credentials() is None:
            # A local S3 stand-in accepts any credentials; spare the user from inventing some.
            settings = settings.model_copy(update={"aws_access_key_id": SANDBOX_ACCESS_KEY_ID,
                                                   "aws_secret_access_key": SecretStr(SANDBOX_SECRET)})
        counter = RequestCounter()
        client = client_from_settings(settings, endpoint_url=endpoint, counter=counter)
        return cls(AceBucket(name, client, counter=counter), state_dir=state_dir,
                   layout=AceLayout.from_settings(settings))

    @property
    def bucket(self) -> AceBucket:
        if self._bucket is None:
            raise ConfigurationError("this simulator has no bucket; pass --bucket or set ACE_BUCKET")
        return self._bucket

    # --- configuration ---------------------------------------------------------------------------

    @property
    def config(self) -> SimulatorConfig:
        with self.store.locked():
            return self.store.load_config()

    def configure(self, *, flags: dict[str, Any] | None = None, partner: dict[str, Any] | None = None,
                  **settings: Any) -> SimulatorConfig:
        """Change flags, the partner profile or other settings; they persist in the state folder."""
        with self.store.locked():
            config = self.store.load_config()
            if flags:
                config = config.with_flags(**flags)
            if partner:
                config = config.with_partner(**partner)
            if settings:
                config = SimulatorConfig.from_json({**config.to_json(), **settings})
            self.store.save_config(config)
            return config

    def ensure_bucket(self) -> bool:
        """Create the bucket if it does not exist (the sandbox plays AWS, who owns it)."""
        return self.bucket.create_if_missing()

    # --- the two jobs ---------------------------------------------------------------------------------

    def process_inbound(self) -> list[FileReport]:
        """Answer every file waiting in the inbound folders."""
        with self.store.session() as (config, state):
            pickup = Pickup(bucket=self.bucket, layout=self.layout, config=config, state=state,
                            clock=self.clock, save=lambda: self.store.save_state(state))
            return pickup.run()

    def export(self) -> list[str]:
        """Write outbound files for every change since the last export; returns their keys."""
        with self._books() as books:
            config, state = books["opportunity"].config, books["opportunity"].state
            return export_changes(bucket=self.bucket, layout=self.layout, state=state, config=config,
                                  books=books, now=self.clock())

    def tick(self) -> TickReport:
        """Process every pending inbound file once, then export changes once."""
        return TickReport(files=self.process_inbound(), exported=self.export())

    def serve(self, *, pickup_interval_seconds: float = DEFAULT_PICKUP_INTERVAL_SECONDS,
              export_interval_seconds: float = DEFAULT_EXPORT_INTERVAL_SECONDS,
              stop: threading.Event | None = None,
              on_tick: Callable[[TickReport], None] | None = None) -> None:
        """Pick up inbound files and export changes on their intervals until ``stop`` is set."""
        stop = stop or threading.Event()
        next_export = 0.0
        elapsed = 0.0
        while not stop.is_set():
            report = TickReport(files=self.process_inbound())
            if elapsed >= next_export:
                report.exported = self.export()
                next_export = elapsed + export_interval_seconds
            if on_tick is not None:
                on_tick(report)
            stop.wait(pickup_interval_seconds)
            elapsed += pickup_interval_seconds

    # --- AWS's people (test hooks) -------------------------------------------------------------------

    def refer_opportunity(self, *, accept_by: datetime | None = None, **fields: Any) -> str:
        """AWS shares a new opportunity; ``fields`` override the generated values. Returns the O… id."""
        with self._books() as books:
            return books["opportunity"].refer(fields, accept_by=accept_by)

    def refer_lead(self, **fields: Any) -> str:
        """AWS shares a new lead; ``fields`` override the generated values. Returns the L… id."""
        with self._books() as books:
            return books["lead"].refer(fields)

    def review(self, record_id: str, *, to: str, comment: str | None = None) -> None:
        """AWS's review moves a partner referral to In review / Approved / Rejected / Action Required."""
        with self._books() as books:
            books["opportunity"].review(record_id, to=to, comment=comment)

    def seller_update(self, record_id: str, *, stage: str | None = None, next_step: str | None = None,
                      close_date: str | date | None = None, closed_lost_reason: str | None = None,
                      **fields: Any) -> None:
        """The AWS seller changes an opportunity (or AWS marketing a lead, through ``fields``)."""
        if isinstance(close_date, date):
            close_date = close_date.isoformat()
        elif close_date is not None:
            try:
                date.fromisoformat(close_date)
            except ValueError:
                raise InvalidChange(f"close date must be YYYY-MM-DD, not {close_date!r}") from None
        with self._books() as books:
            if record_id.startswith("L"):
                if stage or next_step or close_date or closed_lost_reason:
                    raise InvalidChange("leads have no stage, next step or close date; set lead fields instead")
                books["lead"].seller_update(record_id, values=fields)
            else:
                books["opportunity"].seller_update(record_id, stage=stage, next_step=next_step,
                                                   close_date=close_date,
                                                   closed_lost_reason=closed_lost_reason, values=fields)

    def set_accept_by(self, record_id: str, when: datetime) -> None:
        self.seller_update(record_id, acceptBy=ace_datetime(when))

    # --- reading the simulator's books ------------------------------------------------------------------

    def opportunity(self, record_id: str) -> dict[str, Any]:
        """The stored opportunity, unmasked (what AWS sees)."""
        return self._read("opportunity", record_id)

    def lead(self, record_id: str) -> dict[str, Any]:
        return self._read("lead", record_id)

    def partner_view(self, record_id: str) -> dict[str, Any]:
        """The record as the next outbound file would show it to the partner (masked as needed)."""
        with self.store.locked():
            config, state = self.store.load_config(), self.store.load_state()
        book_type = LeadBook if record_id.startswith("L") else OpportunityBook
        return book_type(state, config, now=self.clock()).outbound_view(record_id)

    def state(self) -> SimulatorState:
        with self.store.locked():
            return self.store.load_state()

    def _read(self, entity: str, record_id: str) -> dict[str, Any]:
        state = self.state()
        entry = state.store(entity).get(record_id)
        if entry is None:
            raise UnknownRecord(f"no {entity} with id {record_id!r} in the simulator")
        return dict(entry["fields"])

    @contextmanager
    def _books(self) -> Iterator[dict[str, Book]]:
        with self.store.session() as (config, state):
            now = self.clock()
            yield {"opportunity": OpportunityBook(state, config, now=now),
                   "lead": LeadBook(state, config, now=now)}
