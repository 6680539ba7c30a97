"""SandboxServer: a local fake of the Qwen image API over real loopback HTTP.

Standard library HTTP (ThreadingHTTPServer in a daemon thread) plus Pillow. It speaks the
three wire formats of /work/shared/api-contract.md, validates with the real limits, renders a
deterministic stand-in "edit", and can misbehave on demand (see faults.py) so the client's
retry, timeout and error paths can be exercised without the internet. Here: the server's
lifecycle and the state its requests share; the requests themselves are handler.py's.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any

from qwen_studio.sandbox.faults import FaultPlan
from qwen_studio.sandbox.gateways import check_gateway
from qwen_studio.sandbox.handler import SandboxHandler, Stopped

MAX_RECEIVED = 1000
MAX_RESULTS = 500


@dataclass
class StoredResult:
    png: bytes
    expires_at: float
    fault: str | None = None
    drops_left: int = 0  # fault "dropped": connections still to reset


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Never join handler threads on close: stop() must not wait for idle keep-alive clients.
    block_on_close = False
    allow_reuse_address = True
    # socketserver's default listen backlog is 5: a batch opening 16 connections at once
    # overflowed it, and each dropped SYN cost its client a 1 s retransmit (noise in the
    # throughput benchmark). A real gateway's backlog is in the hundreds.
    request_queue_size = 128
    sandbox: SandboxServer

    def handle_error(self, request: object, client_address: object) -> None:
        # A client hanging up mid-answer (httpx after refusing an oversized result) is
        # normal for a server; anything else still gets socketserver's traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class SandboxServer:
    """A faithful local fake of the Qwen image API. See docs/architecture.md "sandbox".

    `request_count` counts generation POSTs (whatever their outcome); `received` holds their
    parsed JSON bodies, most recent last. `gateway="new-api"` puts new-api's handling in
    front of /v1/images/generations (gateways.py); `forwarded` then holds what it passed on.
    `list_models` serves GET /v1/models (the catalog's names, or `listed_models`).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        faults: str | None = None,
        api_key: str | None = None,
        *,
        rate_limit_per_second: float | None = None,
        result_ttl: float = 86400,
        seed: int = 0,
        slow_seconds: float = 30.0,
        huge_bytes: int = 80 * 2**20,
        dropped_fetches: int = 3,
        max_received: int = MAX_RECEIVED,
        gateway: str | None = None,
        list_models: bool = True,
        listed_models: list[str] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.latency = float(latency)
        self.api_key = api_key
        self.rate_limit_per_second = rate_limit_per_second
        self.result_ttl = float(result_ttl)
        self.slow_seconds = float(slow_seconds)
        self.huge_bytes = int(huge_bytes)
        self.dropped_fetches = max(1, int(dropped_fetches))
        # Bodies carry data URIs (up to ~30 MB each): long demo runs may want a smaller cap.
        self.max_received = max(0, int(max_received))
        self.faults = FaultPlan(faults, seed=seed)  # ValueError here for a bad spec
        self.gateway = check_gateway(gateway)  # ValueError for a relay it cannot emulate
        self.list_models = list_models
        self.listed_models = listed_models
        self.received: list[Any] = []
        self.forwarded: list[Any] = []
        self.request_count = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._results: OrderedDict[str, StoredResult] = OrderedDict()
        self._starts: deque[float] = deque()
        self._conns: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> SandboxServer:
        if self._httpd is not None:
            return self
        self._stop.clear()
        httpd = _HTTPServer((self.host, self.port), SandboxHandler)
        httpd.sandbox = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"qwen-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()  # the socket is already listening: clients may connect now
        return self

    def stop(self) -> None:
        httpd = self._httpd
        if httpd is None:
            return
        self._stop.set()  # wakes every latency/slow sleep
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:  # unblock handlers waiting on idle keep-alive connections
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def inject(self, kind: str, times: int = 1) -> None:
        """Queue fault `kind` for the next `times` generation requests (thread-safe)."""
        self.faults.inject(kind, times)

    # -- state used by the handler --------------------------------------------------------------
    def _record(self, body: Any) -> None:
        with self._lock:
            self.received.append(body)
            if len(self.received) > self.max_received:
                del self.received[: len(self.received) - self.max_received]

    def _forward(self, body: Any) -> None:
        with self._lock:
            self.forwarded.append(body)
            if len(self.forwarded) > self.max_received:
                del self.forwarded[: len(self.forwarded) - self.max_received]

    def model_ids(self) -> list[str]:
        """What GET /v1/models lists."""
        if self.listed_models is not None:
            return list(self.listed_models)
        from qwen_studio.core.catalog import default_catalog

        return default_catalog().names()

    def _count(self) -> None:
        with self._lock:
            self.request_count += 1

    def _throttled(self) -> bool:
        """True when this request would exceed rate_limit_per_second (sliding 1 s window)."""
        limit = self.rate_limit_per_second
        if not limit:
            return False
        now = time.monotonic()
        with self._lock:
            while self._starts and now - self._starts[0] >= 1.0:
                self._starts.popleft()
            if len(self._starts) >= limit:
                return True
            self._starts.append(now)
            return False

    def _store(self, png: bytes, fault: str | None) -> str:
        rid = uuid.uuid4().hex
        with self._lock:
            self._results[rid] = StoredResult(
                png, time.time() + self.result_ttl, fault,
                drops_left=self.dropped_fetches if fault == "dropped" else 0)
            while len(self._results) > MAX_RESULTS:
                self._results.popitem(last=False)
        return rid

    def _result(self, rid: str) -> StoredResult | None:
        with self._lock:
            return self._results.get(rid)

    def _drop_fetch(self, res: StoredResult) -> bool:
        """True when this download of a `dropped` result is to be reset (counts it)."""
        with self._lock:
            if res.drops_left <= 0:
                return False
            res.drops_left -= 1
            return True

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self._stop.wait(seconds):
            raise Stopped

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)
