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

from connector.ace.bucket import PROCESSED_TAG_KEY, PROCESSED_TAG_VALUE, QUARANTINE_TAG_KEY
from connector.errors import ObjectNotFound, SalesforceAuthError
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
#: How long discovery remembers that a file is processed or quarantined before reading its tags again.
FINISHED_MARKER_TTL_SECONDS = 3600

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
    """The outbound discovery step: one ``outbound_file`` message per pending file, oldest first.

    With ``ACE_AFTER_PROCESSING=tag`` processed files stay in the folder for
    good; their tags are read once and remembered in Redis, so each trigger
    costs one listing, not one request per file ever received.
    """
    from connector.sync.outbound import outbound_files

    report = ctx.new_report("outbound")
    files = outbound_files(ctx)
    finished = ctx.redis.mget([_marker(ctx, "outbound-finished", f.key) for f in files]) if files else []
    # A marker lives a little less than one schedule interval: a message that
    # was lost, or whose worker was killed, is replaced by the next discovery,
    # so an interrupted file is finished within one interval. A message still
    # waiting then is merely doubled, and the file lock makes that harmless.
    enqueued_ttl_seconds = max(1, int(0.9 * min(ctx.settings.worker_message_max_age_seconds,
                                                ctx.settings.outbound_interval_seconds)))
    for file, known_finished in zip(files, finished, strict=True):
        if known_finished is not None or _is_finished(ctx, file.key):
            continue
        report.count("files_seen")
        if ctx.redis.set(_marker(ctx, "outbound-enqueued", file.key), "1", nx=True, ex=enqueued_ttl_seconds):
            file_actor.send(file.key)
            report.count(FILES_ENQUEUED)
    return report


def _is_finished(ctx: SyncContext, key: str) -> bool:
    """True (and remembered) when the file is tagged processed or quarantined, or gone."""
    try:
        tags = ctx.bucket.get_tags(key)
    except ObjectNotFound:
        return True
    if tags.get(PROCESSED_TAG_KEY) != PROCESSED_TAG_VALUE and tags.get(QUARANTINE_TAG_KEY) != "true":
        return False
    # Remembered for a while only: removing a quarantine tag makes the file pending again.
    ctx.redis.set(_marker(ctx, "outbound-finished", key), "1", ex=FINISHED_MARKER_TTL_SECONDS)
    return True


def _marker(ctx: SyncContext, kind: str, key: str) -> str:
    return f"{ctx.settings.redis_key_prefix}:{kind}:{key}"


def _forget_enqueued(ctx: SyncContext, key: str) -> None:
    ctx.redis.delete(_marker(ctx, "outbound-enqueued", key))


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
