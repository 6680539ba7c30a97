"""Notices when another process writes to the library (the CLI's `batch`, a second window).

SQLite's PRAGMA data_version changes whenever another connection commits, and never for
this process's own writes, so a poll is one cheap PRAGMA in the pool while nobody else
writes. What changed is for the listener to read (HistoryModel reads the rows after its
newest and re-reads the foreign edits still running).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from qwen_studio.core.library import Library
from qwen_studio.qt.pool_calls import PoolCalls

if TYPE_CHECKING:
    # Types only: concurrent.futures loads after the first paint (app.main).
    from concurrent.futures import Executor

POLL_MS = 3000


class LibraryWatcher(QObject):
    changed = Signal(int)  # another connection committed: the library's new data_version

    def __init__(self, library: Library, pool: Executor, parent: QObject | None = None, *,
                 interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.library = library
        self._calls = PoolCalls(pool, self)
        self._version: int | None = None
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)

    @property
    def version(self) -> int | None:
        """The data_version last seen (None before the first poll)."""
        return self._version

    @property
    def busy(self) -> bool:
        return self._busy

    def start(self) -> None:
        if not self._calls.closed:
            self._timer.start()

    def set_interval(self, ms: int) -> None:
        self._timer.setInterval(ms)

    def note_version(self, version: int) -> None:
        """A reader read the library at this version (e.g. the history's first page): the
        next change to report is one after it."""
        self._version = version

    def poll(self) -> None:
        if self._busy or self._calls.closed:
            return
        self._busy = True
        lib = self.library

        def done(version: int) -> None:
            self._busy = False
            seen, self._version = self._version, version
            if seen is not None and version != seen:
                self.changed.emit(version)

        def failed(_exc: BaseException) -> None:
            self._busy = False

        if not self._calls.submit(lib.data_version, done, failed):
            self._busy = False

    def close(self) -> None:
        self._timer.stop()
        self._calls.close()
