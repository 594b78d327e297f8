"""Running a flow as a unit of operation: one at a time per flow, recorded for ``status``, counted.

The flows themselves (``run_outbound``, ``run_results``, ``run_inbound``) are
plain functions of a :class:`SyncContext`. ``run_flow`` wraps one for the
``sync --once`` command and for the worker's actors:

* a per-flow Redis lock, renewed while the flow runs, so that duplicate
  triggers (two schedulers' worth, a redelivery, a manual ``sync --once``
  while workers run) never run the same flow twice at once — the second
  caller is told the flow is busy and returns, since the running one does
  the work;
* the run recorded in ``SyncState`` (started, outcome, counters) for ``status``;
* the run counted in the Prometheus ``flow_runs_total{flow,outcome}`` counter.

A dry run takes the lock too (it reads what a real run would change) but
records nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module

from connector.errors import SalesforceLimitExceeded
from connector.logs import get_logger
from connector.sync.context import SyncContext
from connector.sync.report import FlowReport
from connector.worker import metrics
from connector.worker.locks import kept_alive

#: The order of ``--flow all``: apply what ACE sent first (new referrals become
#: records), then what ACE answered (new ids land on records), then send what
#: changed — so one pass links a referral or a create as far as it can.
FLOW_ORDER = ("outbound", "results", "inbound")
#: Where each flow's entry point lives, imported on first use.
FLOW_FUNCTIONS = {
    "outbound": ("connector.sync.outbound", "run_outbound"),
    "results": ("connector.sync.results", "run_results"),
    "inbound": ("connector.sync.inbound", "run_inbound"),
}
#: A flow lock outlives a dead worker by at most this long; the holder renews it every third.
FLOW_LOCK_TTL_SECONDS = 60.0
#: The counter a report gets when another worker was already running the flow.
FLOW_BUSY = "flow_busy"

log = get_logger(__name__)


def flow_function(flow: str) -> Callable[[SyncContext], FlowReport]:
    """The entry point of ``flow`` (``outbound``, ``results`` or ``inbound``)."""
    try:
        module_name, function_name = FLOW_FUNCTIONS[flow]
    except KeyError:
        raise ValueError(f"unknown flow {flow!r}; expected one of {', '.join(FLOW_ORDER)}") from None
    return getattr(import_module(module_name), function_name)


def flows_for(selection: str) -> tuple[str, ...]:
    """``all`` → every flow in :data:`FLOW_ORDER`; a flow name → just that one."""
    if selection == "all":
        return FLOW_ORDER
    flow_function(selection)  # unknown names fail here, with the list of known ones
    return (selection,)


def run_flow(ctx: SyncContext, flow: str, *, run: Callable[[SyncContext], FlowReport] | None = None,
             run_name: str | None = None) -> FlowReport:
    """Run ``flow`` once under its lock; a busy flow returns a report counting ``flow_busy``.

    ``run`` replaces the flow's own entry point (the outbound actor runs its
    discovery step under the same lock); ``run_name`` is the name the run is
    recorded under in ``status`` (default: the flow's).
    """
    function = run or flow_function(flow)
    name = run_name or flow
    with flow_lock(ctx, flow) as held:
        if not held:
            log.info("flow already running elsewhere; this trigger is skipped", flow=flow)
            report = ctx.new_report(flow)
            report.count(FLOW_BUSY)
            return report
        if ctx.dry_run:
            return function(ctx)
        outcome = "failed"
        try:
            with ctx.state.track_run(name) as recorded:
                report = function(ctx)
                recorded.counts = report.as_counts()
            outcome = "ok"
        except SalesforceLimitExceeded:
            outcome = "limited"
            raise
        finally:
            metrics.record_flow_run(flow, outcome)
            observe_api_usage(ctx)
    log.info("flow finished", flow=flow, **report.as_counts(), errors=len(report.errors) + report.errors_dropped)
    return report


def observe_api_usage(ctx: SyncContext) -> None:
    """Share the org's latest ``Sforce-Limit-Info`` reading with the fleet's limiter and the gauge."""
    from connector.worker.ratelimit import ApiRateLimiter

    usage = ctx.salesforce.api_usage()
    try:
        limiter = ApiRateLimiter.from_settings(ctx.redis, ctx.settings)
        if usage is not None:
            limiter.observe_usage(used=usage[0], limit=usage[1])
        metrics.record_api_budget(limiter.budget())
    except Exception as exc:  # noqa: BLE001 - a reading lost is harmless; the run's outcome is not
        log.warning("could not record API usage", error=f"{type(exc).__name__}: {exc}")


@contextmanager
def flow_lock(ctx: SyncContext, flow: str, *, ttl_seconds: float = FLOW_LOCK_TTL_SECONDS) -> Iterator[bool]:
    """Hold ``flow:<flow>`` while the block runs (True), or yield False when another holds it.

    The lock is renewed while the flow runs, so a long run keeps it and a
    killed worker's lock frees itself within ``ttl_seconds``.
    """
    lock = ctx.lock(f"flow:{flow}", ttl_seconds=ttl_seconds)
    if not lock.acquire():
        yield False
        return
    with kept_alive(lock):
        yield True

