"""Connection: which service the window's edits go to, and the demo sandbox's lifecycle.

Qt-free of widgets: the window observes `changed` (status bar, welcome panel, notices) and
never keeps its own copy of the endpoint. The demo sandbox is started by a function the
composition root hands in (app.demo.start_demo_sandbox), in the pool: importing and starting
it takes ~100 ms the window need not wait for.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal

from qwen_studio.core.endpoint import Endpoint
from qwen_studio.qt.tasks import TaskRunner

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)

DEMO_PROFILE = "Demo sandbox"  # an identifier (history stores it); shown translated
DEMO_STYLE = "bailian"


class LocalService(Protocol):
    """A running local stand-in service (qwen_studio.sandbox.SandboxServer)."""

    @property
    def base_url(self) -> str: ...

    api_key: str | None

    def stop(self) -> None: ...


DemoStarter = Callable[[float], LocalService]


class ConnectionState(Enum):
    NOT_CONNECTED = "not_connected"
    DEMO_STARTING = "demo_starting"  # the editor shows: the demo is a moment from ready
    CONNECTED = "connected"


class Connection(QObject):
    """`changed` fires on every endpoint or state change, synchronously."""

    changed = Signal()

    def __init__(self, tasks: TaskRunner, demo_starter: DemoStarter | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._demo_starter = demo_starter
        self._endpoint: Endpoint | None = None
        self._sandbox: LocalService | None = None
        self._demo_start: asyncio.Future[LocalService] | None = None  # the pool job
        self._starting = False  # from start_demo() (maybe before the loop runs) to the end
        self._closed = False
        # Sets the endpoint now; given while it is read elsewhere (defer_endpoint).
        self._read_now: Callable[[], None] | None = None

    # -- state ---------------------------------------------------------------------------
    @property
    def endpoint(self) -> Endpoint | None:
        return self._endpoint

    @property
    def endpoint_pending(self) -> bool:
        """The endpoint is still being read (defer_endpoint): `endpoint` is None till then."""
        return self._read_now is not None

    def endpoint_now(self) -> Endpoint | None:
        """The endpoint, read there and then if it is still pending: what anything about to
        start an edit asks (Run, a history re-run, the batch's resume and retries), so that
        none says "not connected" in the moment before a saved profile's key is read."""
        if self._read_now is not None:
            read_now, self._read_now = self._read_now, None
            read_now()
        return self._endpoint

    @property
    def state(self) -> ConnectionState:
        if self._endpoint is not None:
            return ConnectionState.CONNECTED
        if self._starting:
            return ConnectionState.DEMO_STARTING
        return ConnectionState.NOT_CONNECTED

    @property
    def demo_starting(self) -> bool:
        return self._starting

    @property
    def sandbox(self) -> LocalService | None:
        return self._sandbox

    # -- changes -------------------------------------------------------------------------
    def defer_endpoint(self, read_now: Callable[[], None] | None) -> None:
        """The endpoint is being read elsewhere (start-up reads a saved profile's key in the
        pool after the first frame); `read_now` sets it at once if `endpoint_now` is asked
        first. Whatever sets the endpoint ends the wait; None ends it unread."""
        self._read_now = read_now

    def set_endpoint(self, endpoint: Endpoint | None) -> None:
        self._read_now = None  # this endpoint counts, not one still being read
        if endpoint is not None and endpoint.api_key:
            with contextlib.suppress(ImportError):
                from qwen_studio.core.logs import register_secret

                register_secret(endpoint.api_key)  # redacted from every log line
        self._endpoint = endpoint
        self.changed.emit()

    def use_sandbox(self, sandbox: LocalService) -> None:
        """Send edits to a running local service (with its own key); stopped at close()."""
        self._sandbox = sandbox
        self.set_endpoint(Endpoint(sandbox.base_url, DEMO_STYLE, sandbox.api_key or "",
                                   DEMO_PROFILE))

    def start_demo(self, latency: float) -> None:
        """Start the demo sandbox in the pool; connected to it when it is up. A second call
        while it starts does nothing; once it runs, it is simply used again."""
        if self._sandbox is not None:
            self.use_sandbox(self._sandbox)
            return
        if self._starting or self._closed:
            return
        if self._demo_starter is None:
            raise RuntimeError("no demo sandbox starter was given to this connection")
        self._starting = True
        self._tasks.spawn(self._start_demo(self._demo_starter, latency))
        self.changed.emit()

    async def _start_demo(self, starter: DemoStarter, latency: float) -> None:
        import asyncio

        self._demo_start = job = asyncio.get_running_loop().run_in_executor(
            self._tasks.pool, starter, latency)
        self.changed.emit()
        try:
            server = await asyncio.shield(job)
        except asyncio.CancelledError:
            raise  # closing: close() waits for the pool job and stops the sandbox
        except BaseException:
            self._demo_start, self._starting = None, False
            self.changed.emit()  # back to not connected
            raise  # the task runner reports it
        self._demo_start, self._starting = None, False
        if self._closed:
            self._sandbox = server  # close() stops it
            return
        self.use_sandbox(server)

    async def close(self) -> None:
        """Stop the demo sandbox (also one still starting). Idempotent."""
        self._closed = True
        if self._demo_start is not None:
            pending, self._demo_start = self._demo_start, None
            with contextlib.suppress(Exception):
                started = await pending
                await self._tasks.run(started.stop)
        if self._sandbox is not None:
            server, self._sandbox = self._sandbox, None
            await self._tasks.run(server.stop)
