"""The long-lived services the window works with, built and closed by the composition root.

One shared HTTP client (built lazily: 50-90 ms the first paint need not wait for), one
thread pool, one Library, the profiles, the QSettings file, one TaskRunner and the
Connection (which owns the demo sandbox). `close()` ends them in dependency order, after
the window has stopped its own work.
"""

from __future__ import annotations

from concurrent.futures import Executor
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from qwen_studio.app.demo import start_demo_sandbox
from qwen_studio.core import paths
from qwen_studio.core.config import ConfigStore
from qwen_studio.core.http_session import LazyHttpClient
from qwen_studio.qt.connection import Connection, DemoStarter
from qwen_studio.qt.edit_session import EditSession
from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui import image_loading

if TYPE_CHECKING:
    from qwen_studio.core.library import Library

SETTINGS_FILE = "qwen-studio.ini"


def settings_store() -> QSettings:
    """QSettings in our own ini file, so QWEN_STUDIO_HOME moves it like everything else."""
    return QSettings(str(paths.config_dir() / SETTINGS_FILE), QSettings.Format.IniFormat)


class Services:
    """(A plain class, not a dataclass: defining one costs ~1 ms before the first paint.)"""

    def __init__(self, *, config_store: ConfigStore, library: Library, http: LazyHttpClient,
                 pool: Executor, settings: QSettings, tasks: TaskRunner,
                 connection: Connection, edits: EditSession, owns_http: bool = True,
                 owns_library: bool = True) -> None:
        self.config_store, self.library, self.http = config_store, library, http
        self.pool, self.settings, self.tasks = pool, settings, tasks
        self.connection, self.edits = connection, edits
        self.owns_http, self.owns_library = owns_http, owns_library
        self._closed = False

    async def close(self) -> None:
        """Stop the demo sandbox, close the HTTP client and the library. Idempotent; the
        pool stays up (app.main shuts it down after the loop ends)."""
        if self._closed:
            return
        self._closed = True
        await self.edits.close()  # before the library: every edit's write has landed
        await self.tasks.close()
        await self.connection.close()
        if self.owns_http:
            await self.http.aclose()
        if self.owns_library:
            await self.tasks.run(self.library.close)


def build_services(
    *,
    config_store: ConfigStore | None = None,
    http_client: LazyHttpClient | None = None,
    pool: Executor | None = None,
    library: Library | None = None,
    settings: QSettings | None = None,
    demo_starter: DemoStarter | None = None,
    held: bool = False,
) -> Services:
    """Services for one window; what is passed in is the caller's to close."""
    from qwen_studio.core import library_opening
    from qwen_studio.core.library import Library

    pool = pool or image_loading.executor()
    tasks = TaskRunner(pool, held=held)
    # __main__ began opening the library before it imported Qt (a fresh one waits on disk).
    lib = library or library_opening.take() or Library()
    http = http_client or LazyHttpClient()
    connection = Connection(tasks, demo_starter or start_demo_sandbox)
    return Services(
        config_store=config_store or ConfigStore(),
        library=lib,
        http=http,
        pool=pool,
        settings=settings or settings_store(),
        tasks=tasks,
        connection=connection,
        edits=EditSession(lib, http, connection, tasks),
        owns_http=http_client is None,
        owns_library=library is None,
    )
