"""The connector's dramatiq actors: one per flow, plus one per outbound file.

Messages are triggers, never work lists. Each actor finds its work from
state — untagged outbound files, unanswered inbound files, records changed
since the watermark — so a lost message only delays work until the next
scheduled trigger, and a redelivered one finds nothing left to do:

* ``outbound`` discovers pending outbound files and enqueues one
  ``outbound_file`` message per file (files are the unit of parallelism on the
  outbound side: many workers share a backlog); a short-lived marker per file
  keeps a backlog from being enqueued again on every trigger;
* ``outbound_file(key)`` applies one file under its file lock; a file already
  tagged (or deleted) is a no-op;
* ``results`` and ``inbound`` run their whole flow.

The flow-level actors run under the flow's lock (``connector.sync.service``),
so duplicate triggers never run one flow twice at once.

``ace-connector worker`` runs ``dramatiq connector.worker.actors:broker``:
the module builds the Redis broker from settings when ``broker`` is first
looked up. Tests and the demo call :func:`declare_actors` on their own broker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import dramatiq
from dramatiq import Broker

from connector.errors import SalesforceAuthError
from connector.logs import configure_logging, get_logger
from connector.settings import Settings, get_settings
from connector.sync.context import SyncContext
from connector.sync.report import FlowReport
from connector.sync.service import run_flow
from connector.worker.broker import declare_actor, make_broker

#: Actor (and queue) names; the scheduler triggers the flow actors by these names.
FLOW_ACTORS = ("outbound", "results", "inbound")
OUTBOUND_FILE_ACTOR = "outbound_file"
#: Counter of the outbound discovery run: files handed to ``outbound_file`` messages.
FILES_ENQUEUED = "files_enqueued"

log = get_logger(__name__)

ContextFactory = Callable[[], SyncContext]


def declare_actors(broker: Broker, *, context_factory: ContextFactory) -> dict[str, dramatiq.Actor]:
    """Declare the connector's actors on ``broker``; ``context_factory`` gives each call its context."""

    # Actors return nothing: outcomes go to the log, to ``status`` (runs) and to the metrics.
    def process_file(key: str) -> None:
        from connector.sync.outbound import process_outbound_file

        with _discarded_on_auth_error(context_factory):
            ctx = context_factory()
            try:
                report = process_outbound_file(ctx, key)
            finally:
                _forget_enqueued(ctx, key)  # a deferred file is enqueued again by the next discovery
        _log_report(report, file=key)

    file_actor = declare_actor(broker, process_file, queue_name="outbound", actor_name=OUTBOUND_FILE_ACTOR)

    def outbound() -> None:
        with _discarded_on_auth_error(context_factory):
            run_flow(context_factory(), "outbound", run=lambda c: _enqueue_files(c, file_actor))

    def results() -> None:
        with _discarded_on_auth_error(context_factory):
            run_flow(context_factory(), "results")

    def inbound() -> None:
        with _discarded_on_auth_error(context_factory):
            run_flow(context_factory(), "inbound")

    actors = {name: declare_actor(broker, function, queue_name=name, actor_name=name)
              for name, function in (("outbound", outbound), ("results", results), ("inbound", inbound))}
    actors[OUTBOUND_FILE_ACTOR] = file_actor
    return actors


def _enqueue_files(ctx: SyncContext, file_actor: dramatiq.Actor) -> FlowReport:
    """The outbound discovery step: one ``outbound_file`` message per pending file, oldest first."""
    from connector.sync.outbound import outbound_files

    report = ctx.new_report("outbound")
    # A marker lives as long as a message may wait: after that the message is
    # dropped as stale (or was lost), and the next discovery enqueues again.
    marker_ttl_seconds = min(ctx.settings.worker_message_max_age_seconds,
                             2 * ctx.settings.outbound_interval_seconds)
    for file in outbound_files(ctx):
        report.count("files_seen")
        if ctx.redis.set(_enqueued_key(ctx, file.key), "1", nx=True, ex=marker_ttl_seconds):
            file_actor.send(file.key)
            report.count(FILES_ENQUEUED)
    return report


def _enqueued_key(ctx: SyncContext, key: str) -> str:
    return f"{ctx.settings.redis_key_prefix}:outbound-enqueued:{key}"


def _forget_enqueued(ctx: SyncContext, key: str) -> None:
    ctx.redis.delete(_enqueued_key(ctx, key))


@contextmanager
def _discarded_on_auth_error(context_factory: ContextFactory) -> Iterator[None]:
    """A context whose Salesforce session was refused is not used again (when the factory caches)."""
    try:
        yield
    except SalesforceAuthError:
        discard = getattr(context_factory, "discard", None)
        if discard is not None:
            discard()
        raise


def _log_report(report: FlowReport, **context: Any) -> None:
    if report.errors:
        log.warning("outbound file finished with errors", errors=report.errors[:5], **report.as_counts(),
                    **context)
    else:
        log.info("outbound file finished", **report.as_counts(), **context)


class PerThreadContexts:
    """Contexts built from settings, one per worker thread (a Salesforce session is not shared).

    Call it for the thread's context. After a refused Salesforce session the
    actors call :meth:`discard`, so the next message logs in afresh.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = threading.local()

    def __call__(self) -> SyncContext:
        ctx = getattr(self._local, "ctx", None)
        if ctx is None:
            ctx = self._local.ctx = SyncContext.from_settings(self.settings)
        return ctx

    def discard(self) -> None:
        self._local.ctx = None


def redis_actors(settings: Settings, *, prometheus: bool = False) -> tuple[Broker, dict[str, dramatiq.Actor]]:
    """The Redis broker on ``REDIS_URL`` with the actors declared (worker and scheduler)."""
    broker = make_broker(settings, prometheus=prometheus)
    return broker, declare_actors(broker, context_factory=PerThreadContexts(settings))


_worker_broker: Broker | None = None
_worker_broker_lock = threading.Lock()


def _build_worker_broker() -> Broker:
    """The broker of a worker process started by dramatiq's command line."""
    global _worker_broker
    with _worker_broker_lock:
        if _worker_broker is None:
            settings = get_settings()
            configure_logging(level=settings.log_level, fmt=settings.log_format,
                              secrets=settings.secret_values())
            broker, _ = redis_actors(settings, prometheus=True)
            dramatiq.set_broker(broker)
            _worker_broker = broker
        return _worker_broker


def __getattr__(name: str) -> Any:
    # ``dramatiq connector.worker.actors:broker`` looks ``broker`` up: build it then, not at import,
    # so importing this module (tests, the demo, the scheduler) never touches Redis or settings.
    if name == "broker":
        return _build_worker_broker()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
