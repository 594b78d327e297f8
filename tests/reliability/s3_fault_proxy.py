"""A small HTTP proxy in front of an S3 endpoint (the moto server) that injects faults.

Point a client's endpoint URL at :attr:`S3FaultProxy.url` and a share of its
requests, drawn from a seeded RNG so a run can be repeated, go wrong the way
S3 and the network do:

    slowdown      503 SlowDown, the request never reaches S3
    reset         the connection is reset before the request reaches S3
    reset_after   the request is carried out, then the connection is reset: the
                  client cannot know it worked (the nastiest case for "tag after write")
    truncate      the response body is cut short, then the connection closes
    slow          the answer comes ``slow_seconds`` late (below the client's timeouts)

Every request is recorded (method, key, query, fault) so tests can check what
reached S3 and in which order, e.g. that a file's tag was written only after
its records landed, or that an over-size object was never fetched.
"""

from __future__ import annotations

import http.client
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

FAULT_KINDS = ("slowdown", "reset", "reset_after", "truncate", "slow")
#: Headers that belong to one hop, never forwarded.
HOP_BY_HOP_HEADERS = frozenset({"connection", "keep-alive", "proxy-connection", "transfer-encoding",
                                "te", "trailer", "upgrade"})
FORWARD_CHUNK_BYTES = 64 * 1024
UPSTREAM_TIMEOUT_SECONDS = 60

_SLOWDOWN_BODY = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
                  b"<Message>Please reduce your request rate.</Message></Error>")


@dataclass
class ProxiedRequest:
    """One request as the proxy saw it (logged before it is answered, so a client never outruns the log)."""

    method: str
    key: str          # the object key, URL-decoded ('' for bucket-level requests)
    query: str        # the raw query string, e.g. 'tagging' or 'list-type=2&prefix=...'
    fault: str | None
    status: int | None = None  # what S3 answered (None when it was never asked, or not yet)

    @property
    def operation(self) -> str:
        """A rough S3 operation name, enough to tell reads, writes and tags apart."""
        params = {part.split("=", 1)[0] for part in self.query.split("&") if part}
        if "tagging" in params:
            return {"GET": "GetObjectTagging", "PUT": "PutObjectTagging"}.get(self.method, "Tagging")
        if not self.key:
            return "ListObjects" if self.method == "GET" else f"{self.method} bucket"
        return {"GET": "GetObject", "HEAD": "HeadObject", "PUT": "PutObject",
                "DELETE": "DeleteObject"}.get(self.method, self.method)


@dataclass
class FaultPlan:
    """Which faults fire, how often, and on which requests.

    ``rate`` is the chance that a matching request gets a fault; ``kinds`` the
    faults drawn from (uniformly). ``methods`` / ``key_contains`` narrow the
    requests that may get one; ``max_faults`` caps the total.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = ("slowdown", "reset", "reset_after", "truncate", "slow")
    seed: int = 0
    methods: tuple[str, ...] = ()
    key_contains: str = ""
    slow_seconds: float = 0.3
    max_faults: int | None = None
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; expected some of {FAULT_KINDS}")
        if not 0 <= self.rate <= 1:
            raise ValueError(f"rate must be from 0 to 1, got {self.rate}")
        self.rng = random.Random(self.seed)


class S3FaultProxy:
    """A threaded HTTP proxy to ``upstream_url``; use as a context manager."""

    def __init__(self, upstream_url: str, *, plan: FaultPlan | None = None, host: str = "127.0.0.1") -> None:
        parts = urlsplit(upstream_url)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"the upstream must be http://host:port, got {upstream_url!r}")
        self.upstream = (parts.hostname, parts.port)
        self._lock = threading.Lock()
        self._plan = plan or FaultPlan()
        self._fired = 0
        self.requests: list[ProxiedRequest] = []
        self._server = ThreadingHTTPServer((host, 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="s3-fault-proxy", daemon=True)

    # --- lifecycle -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> S3FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> S3FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- control and observation ------------------------------------------------------------------

    def set_plan(self, plan: FaultPlan) -> None:
        with self._lock:
            self._plan = plan
            self._fired = 0

    def clear_faults(self) -> None:
        self.set_plan(FaultPlan())

    def faults_fired(self) -> Counter[str]:
        with self._lock:
            return Counter(r.fault for r in self.requests if r.fault)

    def seen(self, *, operation: str | None = None, key: str | None = None) -> list[ProxiedRequest]:
        with self._lock:
            return [r for r in self.requests
                    if (operation is None or r.operation == operation) and (key is None or r.key == key)]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def _draw_fault(self, method: str, key: str) -> str | None:
        with self._lock:
            plan = self._plan
            if plan.rate <= 0 or (plan.max_faults is not None and self._fired >= plan.max_faults):
                return None
            if plan.methods and method not in plan.methods:
                return None
            if plan.key_contains and plan.key_contains not in key:
                return None
            if plan.rng.random() >= plan.rate:
                return None
            self._fired += 1
            return plan.rng.choice(plan.kinds)

    def _slow_seconds(self) -> float:
        with self._lock:
            return self._plan.slow_seconds

    def _record(self, request: ProxiedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    # --- the handler -----------------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like S3: boto3 pools its connections

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass  # the request log is proxy.requests

            def _handle(self) -> None:
                path, _, query = self.path.partition("?")
                key = unquote(path.lstrip("/").partition("/")[2])
                body = self._read_body()
                fault = proxy._draw_fault(self.command, key)
                entry = ProxiedRequest(method=self.command, key=key, query=query, fault=fault)
                proxy._record(entry)
                if fault == "slowdown":
                    self._answer_slowdown()
                elif fault == "reset":
                    self._reset()
                else:
                    if fault == "slow":
                        time.sleep(proxy._slow_seconds())
                    self._forward(body, entry=entry, cut_short=fault == "truncate", drop=fault == "reset_after")

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle  # noqa: N815 - http.server's names

            def _read_body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _answer_slowdown(self) -> None:
                self.send_response(503, "Slow Down")
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(_SLOWDOWN_BODY)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(_SLOWDOWN_BODY)

            def _reset(self) -> None:
                # SO_LINGER with a zero timeout makes close() send RST: a connection reset by peer.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()

            def _forward(self, body: bytes, *, entry: ProxiedRequest, cut_short: bool, drop: bool) -> None:
                upstream = http.client.HTTPConnection(*proxy.upstream, timeout=UPSTREAM_TIMEOUT_SECONDS)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP_HEADERS}
                    headers["Content-Length"] = str(len(body))
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    data = response.read()
                    entry.status = response.status
                    if drop:
                        self._reset()
                        return
                    self.send_response(response.status, response.reason)
                    for name, value in response.getheaders():
                        if name.lower() not in HOP_BY_HOP_HEADERS and name.lower() != "content-length":
                            self.send_header(name, value)
                    # A HEAD answer has no body but tells the object's size: pass S3's own length on.
                    length = response.getheader("Content-Length", "0") if self.command == "HEAD" else len(data)
                    self.send_header("Content-Length", str(length))
                    if cut_short:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    if self.command == "HEAD":
                        return
                    if cut_short:
                        self.wfile.write(data[: len(data) // 2])
                        self.wfile.flush()
                        self._reset()
                        return
                    for start in range(0, len(data), FORWARD_CHUNK_BYTES):
                        self.wfile.write(data[start:start + FORWARD_CHUNK_BYTES])
                finally:
                    upstream.close()

        return Handler


def operations(requests: Iterable[ProxiedRequest]) -> list[tuple[str, str]]:
    """(operation, key) of each request, in order: handy for ordering assertions."""
    return [(r.operation, r.key) for r in requests]
