"""Prometheus metrics: dramatiq's own (per message) and the connector's (records, files, API budget).

dramatiq's ``Prometheus`` middleware (``make_broker(..., prometheus=True)``)
measures messages, and in processes started by dramatiq's worker command it
sets up a multiprocess directory and serves every process's metrics on one
port (``dramatiq_prom_port``, default 9191). The connector's counters below
join them there.

``prometheus_client`` chooses between single- and multi-process storage when
it is first imported, so this module imports it only when the first metric is
recorded — in a worker, after dramatiq has booted the process. Importing this
module early is therefore safe.

Metric names (all prefixed ``ace_connector_``):

==========================================  ===================================================
``records_synced_total{flow}``              records written successfully (to Salesforce or ACE)
``records_failed_total{flow}``              records that failed (error written on the record)
``files_quarantined_total{folder}``         outbound files tagged as malformed, never deleted
``inbound_files_rejected_total{entity}``    inbound files ACE rejected as a whole
``inbound_files_unanswered``                inbound files past the results timeout (alert on > 0)
``flow_runs_total{flow,outcome}``           runs of each flow by outcome (ok, failed, limited)
``salesforce_api{measure}``                 API usage: org_used, org_limit, connector_24h, connector_budget
==========================================  ===================================================
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from connector.worker.ratelimit import ApiBudget

METRIC_PREFIX = "ace_connector"


class ConnectorMetrics:
    """The connector's own metrics, registered on ``registry`` (the default one when None)."""

    def __init__(self, *, registry: CollectorRegistry | None = None) -> None:
        import prometheus_client as prom

        where: dict[str, Any] = {} if registry is None else {"registry": registry}
        self.records_synced = prom.Counter(
            f"{METRIC_PREFIX}_records_synced", "Records written successfully, per flow.", ["flow"], **where)
        self.records_failed = prom.Counter(
            f"{METRIC_PREFIX}_records_failed", "Records that failed, per flow.", ["flow"], **where)
        self.files_quarantined = prom.Counter(
            f"{METRIC_PREFIX}_files_quarantined", "Outbound files quarantined as malformed.", ["folder"], **where)
        self.files_rejected = prom.Counter(
            f"{METRIC_PREFIX}_inbound_files_rejected", "Inbound files ACE rejected as a whole.", ["entity"],
            **where)
        self.flow_runs = prom.Counter(
            f"{METRIC_PREFIX}_flow_runs", "Runs of each flow, by outcome.", ["flow", "outcome"], **where)
        # Every process computes these from shared state, so the latest reading is the truth.
        self.files_unanswered = prom.Gauge(
            f"{METRIC_PREFIX}_inbound_files_unanswered", "Inbound files without results past the timeout.",
            multiprocess_mode="mostrecent", **where)
        self.salesforce_api = prom.Gauge(
            f"{METRIC_PREFIX}_salesforce_api", "Salesforce API usage over 24 hours.", ["measure"],
            multiprocess_mode="mostrecent", **where)

    def record_api_budget(self, budget: ApiBudget) -> None:
        self.salesforce_api.labels("connector_24h").set(budget.connector_calls_24h)
        self.salesforce_api.labels("connector_budget").set(budget.connector_budget_24h)
        self.salesforce_api.labels("org_limit").set(budget.org_limit)
        if budget.org_used is not None:
            self.salesforce_api.labels("org_used").set(budget.org_used)


_metrics: ConnectorMetrics | None = None
_metrics_lock = threading.Lock()


def connector_metrics() -> ConnectorMetrics:
    """The process's metrics, created (and ``prometheus_client`` imported) on first use."""
    global _metrics
    with _metrics_lock:
        if _metrics is None:
            _metrics = ConnectorMetrics()
        return _metrics


def record_synced(flow: str, count: int = 1) -> None:
    if count:
        connector_metrics().records_synced.labels(flow).inc(count)


def record_failed(flow: str, count: int = 1) -> None:
    if count:
        connector_metrics().records_failed.labels(flow).inc(count)


def record_quarantined(folder: str) -> None:
    connector_metrics().files_quarantined.labels(folder).inc()


def record_file_rejected(entity: str) -> None:
    connector_metrics().files_rejected.labels(entity).inc()


def record_flow_run(flow: str, outcome: str) -> None:
    connector_metrics().flow_runs.labels(flow, outcome).inc()


def set_unanswered_files(count: int) -> None:
    connector_metrics().files_unanswered.set(count)


def record_api_budget(budget: ApiBudget) -> None:
    connector_metrics().record_api_budget(budget)
