"""EditSession: the window's one EditService, on the Connection's endpoint, as Qt signals.

Built by the composition root (app/) and handed to the window, which never constructs
or closes the service itself. The service loads asyncio, Pillow and the HTTP client, so
it is built at the first edit (or the first look at the batch queue); its modules are
imported in the pool a moment after start-up (`warm`), so that first edit costs the GUI
thread nothing. Its events reach widgets through `signals` (EditServiceSignals).
"""

from __future__ import annotations

import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from qwen_studio.core.editing.progress import EditProgress, QueueStats
from qwen_studio.core.endpoint import ClientSettings
from qwen_studio.core.http_session import LazyHttpClient
from qwen_studio.core.request import EditRequest
from qwen_studio.qt.connection import Connection
from qwen_studio.qt.edit_signals import EditServiceSignals
from qwen_studio.qt.tasks import TaskRunner

if TYPE_CHECKING:
    from qwen_studio.core.client import ImageClient
    from qwen_studio.core.editing.service import EditService
    from qwen_studio.core.library import Library

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 4  # edits in flight at once (the batch panel changes it)
EDIT_WORKERS = 4  # edits' inputs, checks and saves side by side (saves wait on fsync)
# Imported by the first edit: the edit service and runner (Pillow), the HTTP client and
# httpx's async backend (anyio, ~50 ms). Loaded in the pool they cost the GUI thread nothing.
WARM_MODULES = ("qwen_studio.core.editing.service", "qwen_studio.core.editing.sinks",
                "qwen_studio.core.client", "anyio._backends._asyncio")


def _warm_imports() -> None:
    import importlib

    for name in WARM_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


class EditSession(QObject):
    """Every edit of one window: single edits (a batch of one) and the batch queue."""

    def __init__(self, library: Library | None, http: LazyHttpClient, connection: Connection,
                 tasks: TaskRunner, *, concurrency: int = DEFAULT_CONCURRENCY,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self._http = http
        self._connection = connection
        self._tasks = tasks
        self._concurrency = concurrency
        # Timeouts, retries and the result cap; tests and tuning use set_client_settings.
        self.client_settings = ClientSettings()
        self._client: ImageClient | None = None
        self._service: EditService | None = None
        self._pool: ThreadPoolExecutor | None = None  # the edits' own (_edit_pool)
        self._closed = False
        self.signals = EditServiceSignals(self)
        connection.changed.connect(self._on_connection_changed)

    # -- the client new edits use ----------------------------------------------------------
    @property
    def has_client(self) -> bool:
        """Whether a new edit can be sent (reads a pending endpoint now: Connection)."""
        return self._connection.endpoint_now() is not None

    def set_client_settings(self, settings: ClientSettings) -> None:
        """Client settings for new edits and batches (edits in flight keep theirs)."""
        self.client_settings = settings
        self._client = None

    def _on_connection_changed(self) -> None:
        # New edits get a client for the new endpoint; edits in flight keep theirs.
        self._client = None
        if self._service is not None:
            ep = self._connection.endpoint
            self._service.recorder.profile_name = ep.profile_name if ep else ""

    def current_client(self) -> ImageClient | None:
        """The EditService's ClientProvider: the client a new edit uses (None: not
        connected)."""
        endpoint = self._connection.endpoint_now()
        if self._client is None and endpoint is not None:
            from qwen_studio.core.client import ImageClient

            self._client = ImageClient(self._http.get(), endpoint, self.client_settings,
                                       executor=self._edit_pool())
        return self._client

    # -- the service -----------------------------------------------------------------------
    @property
    def built(self) -> EditService | None:
        """The service if an edit has needed it yet (nothing to ask otherwise)."""
        return self._service

    @property
    def service(self) -> EditService:
        """The EditService, built on first use."""
        if self._service is None:
            from qwen_studio.core.editing.recorder import EditRecorder, NullRecorder
            from qwen_studio.core.editing.service import EditService
            from qwen_studio.core.editing.sinks import LibrarySink

            ep = self._connection.endpoint
            recorder = (EditRecorder(self._library, profile_name=ep.profile_name if ep else "")
                        if self._library is not None else NullRecorder())
            pool = self._edit_pool()
            self._service = EditService(self.current_client, recorder,
                                        LibrarySink(recorder, pool), pool, self._concurrency)
            self.signals.attach(self._service)
        return self._service

    def _edit_pool(self) -> ThreadPoolExecutor:
        """Where the edits' own work runs: inputs prepared, results checked and stored
        (hash, write, fsync, one transaction). Not the app's pool: its two workers also
        make thumbnails, and while two saves waited there on fsync the next edits' inputs
        and checks queued behind them (PREPARING and SAVING took ~100 ms per edit on a
        loaded machine, the window's batch ~10% slower than the command line). Its threads
        run below the GUI thread, as the app pool's do (core/worker_priority.py)."""
        if self._pool is None:
            from qwen_studio.core.worker_priority import lower_this_thread

            self._pool = ThreadPoolExecutor(max_workers=EDIT_WORKERS,
                                            thread_name_prefix="qs-edit",
                                            initializer=lower_this_thread)
        return self._pool

    def warm(self) -> None:
        """Import what the first edit needs, in the pool."""
        if not self._closed:
            with contextlib.suppress(RuntimeError):  # pool already shut down
                self._tasks.pool.submit(_warm_imports)

    # -- single edits --------------------------------------------------------------------
    async def submit_one(self, request: EditRequest, parent_id: int | None = None, *,
                         masks: list[bytes] | None = None) -> int:
        """A window edit: a batch of one. Returns its edit id once it is recorded.
        `masks`: the mask PNG a region edit's request names (stored first)."""
        [edit_id] = await self.service.submit([request], parent_id=parent_id,
                                              masks=masks or ())
        return edit_id

    def singles_in_flight(self) -> list[EditProgress]:
        """Single (not batch) edits not finished yet, in queue order."""
        if self._service is None:
            return []
        return self._service.unfinished_singles()

    def cancel_singles(self) -> int:
        """Esc / Cancel: every single edit in flight (the batch has its own Cancel all).
        Returns how many were asked to stop."""
        live = self.singles_in_flight()
        for p in live:
            self.service.cancel(p.edit_id)
        return len(live)

    def retry(self, edit_id: int) -> bool:
        """Send the same edit (same id) again."""
        return self._service is not None and self._service.retry(edit_id)

    def stats(self, batch_id: str | None = None) -> QueueStats:
        return self._service.stats(batch_id) if self._service is not None else QueueStats()

    # -- shutdown --------------------------------------------------------------------------
    async def close(self) -> None:
        """Before the library closes: edits in flight end INTERRUPTED, queued ones stay
        QUEUED (a batch can be resumed); every library write has landed. Idempotent."""
        self._closed = True
        if self._service is not None:
            await self._service.close()
            self.signals.detach()
        if self._pool is not None:  # the service waited for its edits and saves
            self._pool.shutdown(wait=False)
