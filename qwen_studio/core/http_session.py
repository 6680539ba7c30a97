"""The one shared httpx.AsyncClient: how it is configured, and built lazily.

Its own module so the window can hold a LazyHttpClient without importing the request
client (styles, error mapping) or httpx before its first paint.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from qwen_studio import __version__
from qwen_studio.core.endpoint import ClientSettings

if TYPE_CHECKING:
    import httpx

DEFAULT_SETTINGS = ClientSettings()
POOL_CONNECTIONS = 16  # the edit queue's MAX_CONCURRENCY (core/editing/queue.py)


def timeout_for(settings: ClientSettings) -> httpx.Timeout:
    import httpx
    # Uploads of three 10 MB data URIs need time per write; the pool wait is bounded by the
    # job queue's concurrency, so it only guards against a wedged pool.
    return httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=max(60.0, settings.connect_timeout),
        pool=max(30.0, settings.connect_timeout),
    )


def request_deadline(settings: ClientSettings, upload_bytes: int = 0) -> float:
    """The most one request (or download) may take in all, however the server paces it.

    httpx's read timeout restarts with every byte, so a server trickling one byte a second
    never trips it; this deadline bounds the whole exchange: connecting, sending the body
    at a slow but honest rate, and the read timeout once for the answer.
    """
    return (settings.connect_timeout + settings.read_timeout
            + upload_bytes / MIN_UPLOAD_RATE)


MIN_UPLOAD_RATE = 32 * 1024  # bytes/s: a 30 MB upload may take 16 minutes, not forever


def _guarded_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """The default transport, with connections vetted by the download address policy."""
    import logging

    import httpx

    from qwen_studio.core.address_policy import GuardedBackend

    transport = httpx.AsyncHTTPTransport(limits=limits)
    pool = getattr(transport, "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if inner is None:  # pragma: no cover - an httpcore without that attribute
        logging.getLogger(__name__).warning("connect-time address checks are unavailable")
    else:
        pool._network_backend = GuardedBackend(inner)  # type: ignore[union-attr]
    return transport


def make_http_client(settings: ClientSettings = DEFAULT_SETTINGS) -> httpx.AsyncClient:
    """The one AsyncClient the app shares. Redirects are never followed automatically;
    bodies are decoded by core.http_body (within caps), so only those encodings are asked for."""
    import httpx

    from qwen_studio.core.http_body import ACCEPT_ENCODING
    # Every connection the edit queue can keep busy stays open between its requests: with
    # fewer kept alive, a batch at concurrency 16 opened (and closed) a new connection
    # for most requests, ~1.2x slower at 1,000 photos than a bare httpx loop. The limits
    # go to the guarded transport: a client given a transport ignores its own.
    limits = httpx.Limits(max_connections=POOL_CONNECTIONS,
                          max_keepalive_connections=POOL_CONNECTIONS)
    return httpx.AsyncClient(
        timeout=timeout_for(settings),
        follow_redirects=False,
        limits=limits,
        transport=_guarded_transport(limits),
        headers={"User-Agent": f"qwen-studio/{__version__}",
                 "Accept-Encoding": ACCEPT_ENCODING},
    )


class LazyHttpClient:
    """The shared AsyncClient, built on first use or by `warm()` in a worker thread.

    Building one costs 50-90 ms (httpx import, SSL context); a window should not pay that
    before its first paint. Behaves like the client it wraps (attribute access builds it);
    `aclose()` closes it only if it was ever built.
    """

    def __init__(self, settings: ClientSettings = DEFAULT_SETTINGS) -> None:
        self._settings = settings
        self._client: httpx.AsyncClient | None = None
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        return self._client is not None

    def get(self) -> httpx.AsyncClient:
        with self._lock:  # the pool may be building it right now: wait for that one
            if self._client is None:
                self._client = make_http_client(self._settings)
            return self._client

    def warm(self, executor: Executor) -> None:
        """Build it in `executor`, so the GUI thread finds it ready."""
        with contextlib.suppress(RuntimeError):  # executor shut down already
            executor.submit(self.get)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)

    async def aclose(self) -> None:
        with self._lock:
            client = self._client
        if client is not None:
            await client.aclose()
