"""A clean stage for each measured run: an empty org, a new bucket, a private Redis prefix.

``Bench.stage(name)`` resets the org emulator (records, counters; the latency
is put back), creates a bucket of its own on the moto server and gives the run
a Redis key prefix of its own, so no run sees another's files, records,
watermarks or ledger. ``Bench.measure`` runs a job in a child process on that
stage and returns its :class:`~bench.measure.Measurement`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.child import run_child
from bench.measure import Measurement, SalesforceCalls
from bench.options import Options
from bench.services import BENCH_AWS_ACCESS_KEY_ID, BENCH_AWS_SECRET, BENCH_REGION, BENCH_SPMS_ID, Services
from connector.ace.bucket import AceBucket, make_s3_client
from connector.ace.layout import AceLayout

#: The connector's fleet-wide per-second limiter is a production safety net (10 calls/s by
#: default); here it is raised so the figures show the connector, not the limiter. The org's
#: own limits (daily allowance, concurrent long requests) still apply.
BENCH_CONNECTOR_SETTINGS: dict[str, Any] = {"sf_api_requests_per_second": 500, "sf_api_burst": 500}


@dataclass
class Stage:
    name: str
    bucket: AceBucket
    layout: AceLayout
    redis_prefix: str
    settings: dict[str, Any] = field(default_factory=dict)


class Bench:
    """The services and options of one benchmark run, and the helpers every workload uses."""

    def __init__(self, services: Services, options: Options, *, log_path: Path, mappings_dir: Path) -> None:
        self.services = services
        self.options = options
        self.log_path = log_path
        self.mappings_dir = mappings_dir
        self.layout = AceLayout.default()

    def stage(self, name: str, **settings: Any) -> Stage:
        """An empty org and a new bucket and Redis prefix; ``settings`` are extra connector settings."""
        self.services.emulator.reset(latency_ms=self.options.latency_ms)
        bucket_name = f"ace-apn-{BENCH_SPMS_ID}-bench-{name.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
        bucket = AceBucket(bucket_name, make_s3_client(
            endpoint_url=self.services.s3_endpoint_url, region=BENCH_REGION,
            access_key_id=BENCH_AWS_ACCESS_KEY_ID, secret_access_key=BENCH_AWS_SECRET))
        bucket.create_if_missing()
        return Stage(name=name, bucket=bucket, layout=self.layout,
                     redis_prefix=f"{self.services.redis_prefix}:{name}:{uuid.uuid4().hex[:6]}",
                     settings={**BENCH_CONNECTOR_SETTINGS, **settings})

    def env(self, stage: Stage) -> dict[str, str]:
        return self.services.connector_env(bucket=stage.bucket.name, key_prefix=stage.redis_prefix,
                                           ace_mappings_dir=self.mappings_dir.resolve(), **stage.settings)

    def measure(self, job: str, spec: dict[str, Any], *, stage: Stage, records: int) -> Measurement:
        """Run ``job`` in a child process on ``stage``; the org counts its Salesforce calls."""
        before = self.services.emulator.stats()
        result = run_child(job, spec, env=self.env(stage), cwd=self.services.work_dir, log_path=self.log_path)
        after = self.services.emulator.stats()
        return Measurement.from_child(result, records=records, salesforce=SalesforceCalls.between(before, after))

    @contextmanager
    def without_latency(self) -> Iterator[None]:
        """Set-up steps (loading data) run at full speed; the latency comes back afterwards."""
        self.services.emulator.set_latency(0)
        try:
            yield
        finally:
            self.services.emulator.set_latency(self.options.latency_ms)
