"""The connector's Prometheus metrics: values, lazy import, and the multiprocess directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dramatiq.middleware.prometheus import Prometheus
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from connector.settings import Settings
from connector.worker import metrics
from connector.worker.broker import make_broker
from connector.worker.ratelimit import ApiBudget

BUDGET = ApiBudget(connector_calls_24h=120, connector_budget_24h=7500, org_used=900, org_limit=15000,
                   long_requests_in_flight=0)

# A worker-like process: the multiprocess directory is set before the first metric.
RECORDING_SCRIPT = """
from connector.worker import metrics
from connector.worker.ratelimit import ApiBudget
metrics.record_synced("outbound", 7)
metrics.record_failed("outbound")
metrics.record_quarantined("opportunity-outbound/")
metrics.set_unanswered_files(2)
metrics.record_api_budget(ApiBudget(connector_calls_24h=5, connector_budget_24h=50, org_used=None,
                                    org_limit=100, long_requests_in_flight=0))
"""


def test_metrics_count_records_files_and_api_usage() -> None:
    registry = CollectorRegistry()
    own = metrics.ConnectorMetrics(registry=registry)
    own.records_synced.labels("inbound").inc(3)
    own.records_failed.labels("inbound").inc()
    own.files_quarantined.labels("lead-outbound/").inc()
    own.files_rejected.labels("Opportunity").inc()
    own.flow_runs.labels("results", "ok").inc()
    own.files_unanswered.set(4)
    own.record_api_budget(BUDGET)

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert value("ace_connector_records_synced_total", flow="inbound") == 3
    assert value("ace_connector_records_failed_total", flow="inbound") == 1
    assert value("ace_connector_files_quarantined_total", folder="lead-outbound/") == 1
    assert value("ace_connector_inbound_files_rejected_total", entity="Opportunity") == 1
    assert value("ace_connector_flow_runs_total", flow="results", outcome="ok") == 1
    assert value("ace_connector_inbound_files_unanswered") == 4
    assert value("ace_connector_salesforce_api", measure="org_used") == 900
    assert value("ace_connector_salesforce_api", measure="connector_budget") == 7500


def test_module_functions_record_on_the_process_metrics() -> None:
    def synced() -> float:
        return REGISTRY.get_sample_value("ace_connector_records_synced_total", {"flow": "results"}) or 0.0

    before = synced()
    metrics.record_synced("results", 2)
    metrics.record_synced("results", 0)
    metrics.record_flow_run("results", "limited")
    assert synced() == before + 2
    assert REGISTRY.get_sample_value("ace_connector_flow_runs_total",
                                     {"flow": "results", "outcome": "limited"}) >= 1


def test_importing_the_worker_modules_leaves_prometheus_unimported() -> None:
    # prometheus_client fixes its storage mode on import; a worker must import it after boot.
    probe = ("import sys, connector.worker.metrics, connector.worker.broker, connector.worker.scheduler; "
             "print('prometheus_client' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_worker_process_metrics_land_in_the_multiprocess_directory(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", RECORDING_SCRIPT], env=env, check=True)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))
    assert registry.get_sample_value("ace_connector_records_synced_total", {"flow": "outbound"}) == 7
    assert registry.get_sample_value("ace_connector_inbound_files_unanswered") == 2
    assert registry.get_sample_value("ace_connector_salesforce_api", {"measure": "connector_budget"}) == 50
    assert registry.get_sample_value("ace_connector_salesforce_api", {"measure": "org_used"}) is None


def test_broker_adds_dramatiqs_prometheus_middleware_only_when_asked() -> None:
    plain = make_broker(Settings(), stub=True)
    measured = make_broker(Settings(), stub=True, prometheus=True)
    assert not any(isinstance(m, Prometheus) for m in plain.middleware)
    assert any(isinstance(m, Prometheus) for m in measured.middleware)
