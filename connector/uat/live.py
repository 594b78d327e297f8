"""The live backend: the configured ACE bucket (AWS's beta bucket) and a real Salesforce sandbox org.

Nothing is simulated. The connector's flows run as in production; ACE's
answers are awaited (``ACE_UAT_RESULTS_TIMEOUT_SECONDS``, polled every few
seconds), and what only AWS can do — refer a record, review a partner
referral, change a seller field — makes the step "not run" with the reason.
This module must never import the sandbox (the simulator is not installed in
a production image).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from connector.errors import ConfigurationError
from connector.settings import Settings
from connector.sync.context import SyncContext
from connector.uat.backend import SYNC_FLOWS, Backend, SyncTrace

#: How long a sync waits for ACE's results files; AWS answers within about 5 minutes (SPEC §3).
DEFAULT_RESULTS_TIMEOUT_SECONDS = 600.0
RESULTS_POLL_SECONDS = 10.0


def check_live_settings(settings: Settings) -> None:
    """Refuse to start a live run that would not reach a real bucket and org, naming what is missing."""
    missing = []
    if not settings.ace_bucket:
        missing.append("ACE_BUCKET (the beta bucket AWS gave you)")
    if not settings.ace_spms_id:
        missing.append("ACE_SPMS_ID")
    if not (settings.sf_instance_url and settings.sf_session_id) and not settings.sf_username \
            and not settings.sf_consumer_key:
        missing.append("Salesforce credentials (SF_USERNAME + SF_PASSWORD + SF_SECURITY_TOKEN, "
                       "SF_CONSUMER_KEY + SF_PRIVATE_KEY_FILE, or SF_INSTANCE_URL + SF_SESSION_ID)")
    if missing:
        raise ConfigurationError("uat run --live needs a real bucket and org; not configured: " + "; ".join(missing))
    if "prod" in settings.ace_bucket.lower():
        raise ConfigurationError(f"uat run --live refuses bucket {settings.ace_bucket!r}: it looks like a production "
                                 "bucket; run the UAT suite against the beta bucket only")


class LiveBackend(Backend):
    mode = "live"

    def __init__(self, *, ctx: SyncContext, results_timeout_seconds: float = DEFAULT_RESULTS_TIMEOUT_SECONDS,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(ctx=ctx, admin=ctx.salesforce.sf)
        self.results_timeout_seconds = results_timeout_seconds
        self._sleep = sleep

    @classmethod
    def start(cls, settings: Settings, *,
              results_timeout_seconds: float = DEFAULT_RESULTS_TIMEOUT_SECONDS) -> LiveBackend:
        check_live_settings(settings)
        return cls(ctx=SyncContext.from_settings(settings), results_timeout_seconds=results_timeout_seconds)

    def sync(self, *, rounds: int = 1) -> SyncTrace:
        """Per round: the connector's pass, then wait for ACE to answer what it sent, then read the answers."""
        trace = SyncTrace()
        for _ in range(rounds):
            for flow in SYNC_FLOWS:
                trace.reports.append(self.run_flow(flow))
            trace.inbound_files.extend(self.pending_inbound_files())
            self._await_answers(trace)
            for flow in ("results", "outbound"):
                trace.reports.append(self.run_flow(flow))
        return trace

    def _await_answers(self, trace: SyncTrace) -> None:
        deadline = time.monotonic() + self.results_timeout_seconds
        while self.ctx.state.pending_files():
            if time.monotonic() >= deadline:
                waiting = ", ".join(f.key for f in self.ctx.state.pending_files())
                raise TimeoutError(f"ACE did not answer within {self.results_timeout_seconds:.0f} s: {waiting}")
            self._sleep(RESULTS_POLL_SECONDS)
            trace.reports.append(self.run_flow("results"))
