"""A loopback HTTP server whose answers a test scripts: the hostile gateway of the attacks.

`HostileServer(handler)` serves on 127.0.0.1 (free port) from a thread; `handler(req)`
gets the method, path, headers and body and writes whatever it likes to `req.wfile`
(status line and headers included, via `req.send_json` etc. or raw). Every connection is
bounded in time (`max_seconds`) so a test can never hang the suite.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Req(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.body = self.rfile.read(length) if length else b""
        self.server.owner.hits.append((self.command, self.path, dict(self.headers)))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
            self.server.owner.handler(self)
        self.close_connection = True

    do_GET = do_POST = _handle

    def send_json(self, payload: Any, status: int = 200) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_raw(data, status, "application/json")

    def send_raw(self, data: bytes, status: int = 200, ctype: str = "image/png",
                 extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def trickle(self, seconds: float, ctype: str = "application/json") -> None:
        """Headers, then one byte a second (never the whole body), for at most `seconds`."""
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        self.wfile.flush()
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self.server.owner.stopping:
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: HostileServer


class HostileServer:
    def __init__(self, handler: Callable[[Req], None]) -> None:
        self.handler = handler
        self.hits: list[tuple[str, str, dict[str, str]]] = []
        self.stopping = False
        self._server = _Server(("127.0.0.1", 0), Req)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
