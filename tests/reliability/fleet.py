"""Worker processes on a world's Redis: start, trigger, wait for the queues to empty, kill.

Triggers are sent the way ``ace-connector scheduler`` sends them (the flow
actors by name, through the Redis broker); the workers are real
``ace-connector worker`` processes. "Drained" means every queue and delay
queue is empty and no live worker holds an unacknowledged message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import redis

from connector.worker.actors import FLOW_ACTORS, redis_actors
from connector.worker.broker import broker_namespace
from connector.worker.locks import lock_key

from .processes import ConnectorProcess, free_port, wait_until
from .world import World

WORKER_READY_TIMEOUT_SECONDS = 30.0
#: Every queue the connector's actors use (the per-file actor shares the outbound queue).
QUEUES = FLOW_ACTORS


class Fleet:
    def __init__(self, world: World, *, log_dir: Path, threads: int = 2) -> None:
        self.world = world
        self.log_dir = Path(log_dir)
        self.threads = threads
        self.namespace = broker_namespace(world.settings.redis_key_prefix)
        self._broker, self.actors = redis_actors(world.settings)
        self.workers: list[ConnectorProcess] = []
        self.dead_worker_ids: set[str] = set()

    @property
    def redis(self) -> redis.Redis:
        return self.world.redis

    def start_worker(self) -> ConnectorProcess:
        """Start ``ace-connector worker`` and wait until its consumers poll the broker."""
        known = self._worker_ids()
        number = len(self.workers)
        process = ConnectorProcess(
            ["worker", "--processes", "1", "--threads", str(self.threads), "--metrics-port", str(free_port())],
            env=self.world.env, log_path=self.log_dir / f"worker-{number}.log").start()
        self.workers.append(process)
        wait_until(lambda: bool(self._worker_ids() - known) or not process.running(),
                   timeout_seconds=WORKER_READY_TIMEOUT_SECONDS, what="a worker's first heartbeat")
        assert process.running(), f"the worker exited:\n{process.output()[-3000:]}"
        return process

    def kill(self, process: ConnectorProcess) -> None:
        """SIGKILL; its broker id is remembered so its stranded acks don't count as work in progress."""
        live_before = self._worker_ids()
        process.kill()
        self.dead_worker_ids |= live_before - self._ids_of_other_live_workers(process)

    def _ids_of_other_live_workers(self, killed: ConnectorProcess) -> set[str]:
        # With one worker process alive at a time (the scenarios' case) every id belongs to the killed one.
        return set() if all(w is killed or not w.running() for w in self.workers) else self._worker_ids()

    def stop_all(self) -> None:
        for process in self.workers:
            if process.running():
                process.kill()

    def trigger(self, flow: str) -> None:
        self.actors[flow].send()

    def _worker_ids(self) -> set[str]:
        try:
            members = self.redis.zrange(f"{self.namespace}:__heartbeats__", 0, -1)
        except redis.ConnectionError:
            return set()
        return {m.decode() for m in members}

    def drained(self) -> bool:
        try:
            for queue in QUEUES:
                for name in (queue, f"{queue}.DQ"):
                    if self.redis.llen(f"{self.namespace}:{name}"):
                        return False
            for worker_id in self._worker_ids() - self.dead_worker_ids:
                for key in self.redis.scan_iter(f"{self.namespace}:__acks__.{worker_id}.*"):
                    if self.redis.scard(key):
                        return False
        except redis.ConnectionError:
            return False
        return True

    def run(self, flow: str, *, timeout_seconds: float = 120.0) -> None:
        """Trigger ``flow`` and wait until the workers have done everything it set off."""
        self.trigger(flow)
        # A message is visible in the queue or in a worker's acks from send to finish.
        time.sleep(0.05)
        wait_until(self.drained, timeout_seconds=timeout_seconds, what=f"the {flow} work to finish")

    def wait_for_a_lock(self, *, timeout_seconds: float) -> bool:
        """Wait until some worker holds a file or flow lock; False if none was taken in time."""
        pattern = lock_key(self.world.settings.redis_key_prefix, "*")
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if next(self.redis.scan_iter(pattern), None) is not None:
                return True
            time.sleep(0.01)
        return False

    def expire_dead_locks(self) -> DeadWorkerLeftovers:
        """Remove the locks and enqueue markers a killed worker left, and say what they were.

        A dead worker's locks free themselves when their TTL runs out; the
        scenario expires them at once instead of sleeping, and reports the TTL
        they had left as part of the time to recover.
        """
        prefix = self.world.settings.redis_key_prefix
        leftovers = DeadWorkerLeftovers()
        for pattern, kind in ((lock_key(prefix, "*"), "locks"), (f"{prefix}:outbound-enqueued:*", "markers")):
            for key in self.redis.scan_iter(pattern):
                seconds_left = self.redis.pttl(key) / 1000
                setattr(leftovers, kind, getattr(leftovers, kind) + 1)
                if kind == "locks":
                    leftovers.lock_seconds_left = max(leftovers.lock_seconds_left, seconds_left)
                else:
                    leftovers.marker_seconds_left = max(leftovers.marker_seconds_left, seconds_left)
                self.redis.delete(key)
        return leftovers


@dataclass
class DeadWorkerLeftovers:
    """What a killed worker left in Redis: held locks (it died mid-work) and enqueue markers."""

    locks: int = 0
    markers: int = 0
    lock_seconds_left: float = 0.0
    marker_seconds_left: float = 0.0
