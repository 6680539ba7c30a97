"""The sandbox's HTTP request handler: the routes of the three wire formats, a generation
(auth, rate limit, validation, the planned fault, the rendered answer) and the OSS-like
result downloads. The server (server.py) holds the state it reads: faults, stored results,
the key, the latency.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import hmac
import json
import logging
import socket
import struct
import time
import uuid
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from qwen_studio.sandbox import answers, render
from qwen_studio.sandbox.faults import RESULT_FAULTS
from qwen_studio.sandbox.gateways import new_api_forward
from qwen_studio.sandbox.validation import ParsedRequest, ValidationError, detect_style, validate

if TYPE_CHECKING:
    from qwen_studio.sandbox.server import _HTTPServer

log = logging.getLogger("qwen_studio.sandbox")

GATEWAY_PATH = "/v1/images/generations"
MODELS_PATH = "/v1/models"
DASHSCOPE_PATH = "/api/v1/services/aigc/multimodal-generation/generation"
MAX_BODY_BYTES = 48 * 2**20  # three 10 MB data URIs plus JSON fit; more is a 413

_NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_MALFORMED = b'{"created": 1758636610, "data": [{"url": "http://'  # cut mid-string
_MSG_THROTTLED = "Requests rate limit exceeded, please try again later."
_MSG_INTERNAL = "An internal error has occured, please try again later or contact service support."
_MSG_MODERATION = "Input data may contain inappropriate content."


class Stopped(Exception):
    """The server is stopping while this request slept: drop the connection."""


class SandboxHandler(BaseHTTPRequestHandler):
    """One connection's requests: the routes, the generation (validation, faults, the
    rendered answer) and the stored results' downloads."""

    server: _HTTPServer  # pyright: ignore[reportIncompatibleVariableOverride]  (ours)
    protocol_version = "HTTP/1.1"  # keep-alive, like real gateways
    server_version = "QwenStudioSandbox/1.0"
    # TCP_NODELAY, as nginx and other gateways set on kept-alive connections. Headers and
    # body go out in two writes; with Nagle on, the body's last segment waited for the
    # client's delayed ACK: ~40 ms added to every answer and result download.
    disable_nagle_algorithm = True

    # -- plumbing -------------------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        self.server.sandbox._track(self.connection, True)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.server.sandbox._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is logged by _log instead (never with headers)

    def log_error(self, format: str, *args: Any) -> None:
        log.debug("sandbox: " + format, *args)

    def _begin(self) -> None:
        self._t0 = time.perf_counter()
        self._rid = str(uuid.uuid4())
        self._path = urlsplit(self.path).path
        self._status = 0

    def _log(self) -> None:
        ms = (time.perf_counter() - self._t0) * 1000
        status = self._status or "reset"
        log.info("%s %s %s %.0f ms", self.command, self._path, status, ms)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        content_length: int | None = None,
    ) -> None:
        self._status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if content_length is None else
                                               content_length))
        self.send_header("X-Request-Id", self._rid)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode(), "application/json",
                   headers)

    def _error(self, status: int, code: str, message: str, *, native: bool,
               headers: dict[str, str] | None = None) -> None:
        """An error in the envelope of the route: DashScope-native or OpenAI-style gateway."""
        if native:
            self._json(status, {"request_id": self._rid, "code": code, "message": message},
                       headers)
        else:
            self._json(status, {"error": {"message": message, "type": "upstream_error",
                                          "param": str(status), "code": code}}, headers)

    def _reset(self) -> None:
        """Close with SO_LINGER 0: the kernel sends RST, the client sees a connection reset."""
        self._status = 0
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.close()

    # -- routing --------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._begin()
        try:
            if self._path == "/health":
                self._send(200, b"ok", "text/plain; charset=utf-8")
            elif self._path.startswith("/results/") and self._path.endswith(".png"):
                self._serve_result(self._path[len("/results/"):-len(".png")])
            elif self._path == MODELS_PATH and self.server.sandbox.list_models:
                self._models()
            elif self._path in (GATEWAY_PATH, DASHSCOPE_PATH):
                self._error(405, "MethodNotAllowed", f"use POST for {self._path}",
                            native=self._path == DASHSCOPE_PATH, headers={"Allow": "POST"})
            else:
                self._not_found()
        except Stopped:
            self._reset()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away (e.g. stopped reading `huge`)
        finally:
            self._log()

    def do_POST(self) -> None:
        self._begin()
        try:
            if self._path == GATEWAY_PATH:
                self._generation(native=False)
            elif self._path == DASHSCOPE_PATH:
                self._generation(native=True)
            else:
                self._drain()
                self._not_found()
        except Stopped:
            self._reset()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:
            # A sandbox bug must look like a server error to the client, not a hang.
            log.exception("sandbox: internal error on %s %s", self.command, self._path)
            if not self._status:
                self._error(500, "InternalError", _MSG_INTERNAL,
                            native=self._path == DASHSCOPE_PATH)
            self.close_connection = True
        finally:
            self._log()

    def _models(self) -> None:
        """The OpenAI list shape new-api, one-api and LiteLLM serve."""
        if not self._authorized():
            self._error(401, "InvalidApiKey", "Invalid API-key provided.", native=False)
            return
        data = [{"id": m, "object": "model", "created": 1767225600, "owned_by": "sandbox"}
                for m in self.server.sandbox.model_ids()]
        self._json(200, {"object": "list", "data": data})

    def _not_found(self) -> None:
        self._error(404, "NotFound", f"the path {self._path} does not exist",
                    native=self._path.startswith("/api/"))

    def _drain(self) -> bytes | None:
        """Read the request body; None (and a 413 already sent) when it is too large."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            return None
        return self.rfile.read(length) if length > 0 else b""

    # -- generation -----------------------------------------------------------------------------
    def _generation(self, *, native: bool) -> None:
        sb = self.server.sandbox
        sb._count()
        raw = self._drain()
        if raw is None:
            self._error(413, "BadRequest.TooLarge", "the request body is too large",
                        native=native)
            return
        try:
            body: Any = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            body = None
            json_problem = f"the request body is not valid JSON: {exc}"
        else:
            json_problem = ""
            sb._record(body)

        if not self._authorized():
            present = bool(self.headers.get("Authorization", "").strip())
            message = "Invalid API-key provided." if present else "No API-key provided."
            self._error(401, "InvalidApiKey", message, native=native)
            return
        if sb._throttled():
            self._error(429, "Throttling.RateQuota", _MSG_THROTTLED, native=native,
                        headers={"Retry-After": "1"})
            return
        if json_problem:
            self._error(400, "InvalidParameter", json_problem, native=native)
            return
        try:
            if sb.gateway == "new-api" and not native:
                body = new_api_forward(body)
                sb._forward(body)
                style = "bailian"
            else:
                style = "dashscope" if native else detect_style(body) if isinstance(body, dict) \
                    else "flat"
            req = validate(body, style)
        except ValidationError as exc:
            self._error(exc.status, exc.code, exc.message, native=native)
            return

        fault = sb.faults.next_fault()
        if fault in ("429", "429bare"):
            headers = {"Retry-After": "1"} if fault == "429" else None
            self._error(429, "Throttling.RateQuota", _MSG_THROTTLED, native=native,
                        headers=headers)
            return
        if fault == "reset":
            self._reset()
            return
        sb._sleep(sb.latency)
        if fault == "slow":
            sb._sleep(sb.slow_seconds)
        if fault == "500":
            self._error(500, "InternalError", _MSG_INTERNAL, native=native)
        elif fault == "503":
            self._error(503, "ServiceUnavailable",
                        "The service is temporarily unavailable, please try again later.",
                        native=native)
        elif fault == "502html":
            self._send(502, _NGINX_502.encode(), "text/html")
        elif fault == "504":
            self._send(504, b"Gateway Timeout", "text/plain")
        elif fault == "malformed":
            self._send(200, _MALFORMED, "application/json")
        elif fault == "moderation" or "[moderate]" in req.prompt:
            self._error(400, "DataInspectionFailed", _MSG_MODERATION, native=native)
        else:
            self._success(req, fault, native=native)

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return False
        key = self.server.sandbox.api_key
        if key is None:
            return True
        # Constant-time compare: the sandbox is a fake, but people copy what it does.
        return hmac.compare_digest(token.encode(), key.encode())

    def _success(self, req: ParsedRequest, fault: str | None, *, native: bool) -> None:
        sb = self.server.sandbox
        seed = req.seed if req.seed is not None else render.seed_for(req.prompt)
        pngs = [
            render.render(req.model, req.family, req.images, req.prompt, seed, i, req.n, req.size)
            for i in range(req.n)
        ]
        width, height = render.output_size(req.family, req.images, req.size)
        inline = not native and req.response_format == "b64_json"
        result_fault = fault if fault in RESULT_FAULTS else None
        urls = [] if inline else [self._result_url(sb._store(p, result_fault)) for p in pngs]

        obj = answers.success_body(req, pngs, urls, (width, height), fault, native=native,
                                   inline=inline, request_id=self._rid)
        body = json.dumps(obj, ensure_ascii=False).encode()
        if fault == "truncated":
            # Promise the whole body, send half of it, hang up.
            self._send(200, body[: len(body) // 2], "application/json",
                       content_length=len(body))
            self.close_connection = True
            return
        self._json(200, obj)

    def _result_url(self, rid: str) -> str:
        sb = self.server.sandbox
        expires = int(time.time() + sb.result_ttl)
        sig = hashlib.sha256(f"{rid}:{expires}".encode()).hexdigest()[:27]
        # OSS-like signed URL: the query is decoration; the id is what is looked up.
        return (f"{sb.base_url}/results/{rid}.png?Expires={expires}"
                f"&OSSAccessKeyId=sandbox&Signature={sig}")

    # -- results --------------------------------------------------------------------------------
    def _oss_error(self, status: int, code: str, message: str, extra: str = "") -> None:
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n'
            f"  <Code>{code}</Code>\n  <Message>{message}</Message>\n"
            f"  <RequestId>{self._rid}</RequestId>\n  <HostId>sandbox.oss</HostId>\n"
            f"{extra}</Error>\n"
        )
        self._send(status, xml.encode(), "application/xml")

    def _serve_result(self, rid: str) -> None:
        sb = self.server.sandbox
        res = sb._result(rid)
        if res is None or res.fault == "notfound":
            self._oss_error(404, "NoSuchKey", "The specified key does not exist.",
                            f"  <Key>results/{rid}.png</Key>\n")
            return
        if res.fault == "expired" or time.time() >= res.expires_at:
            now = email.utils.formatdate(usegmt=True)
            self._oss_error(403, "AccessDenied", "Request has expired.",
                            f"  <ServerTime>{now}</ServerTime>\n")
            return
        if sb._drop_fetch(res):
            self._reset()
            return
        if res.fault == "not_image":
            self._send(200, b"This is not an image.\n", "text/plain; charset=utf-8")
        elif res.fault == "redirect_scheme":
            self._send(302, b"", "text/plain", {"Location": "file:///etc/passwd"})
        elif res.fault == "huge":
            self._stream_huge(sb.huge_bytes)
        else:
            self._send(200, res.png, "image/png", {"Cache-Control": "private, max-age=86400"})

    def _stream_huge(self, total: int) -> None:
        """A PNG-looking body far larger than any client should accept; stop if the client does."""
        self._status = 200
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(total))
        self.send_header("X-Request-Id", self._rid)
        self.end_headers()
        chunk = bytearray(1 << 20)
        chunk[:8] = b"\x89PNG\r\n\x1a\n"
        first, sent = bytes(chunk), 0
        rest = bytes(1 << 20)
        stop = self.server.sandbox._stop
        while sent < total and not stop.is_set():
            piece = first if sent == 0 else rest
            piece = piece[: total - sent]
            self.wfile.write(piece)
            sent += len(piece)
        if sent < total:
            self.close_connection = True
