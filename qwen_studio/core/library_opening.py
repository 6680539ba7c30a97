"""Open the Library in a thread while the window's process imports Qt.

Creating a fresh library (first start: directories, the SQLite file, WAL, migrations) waits
40-60 ms on the disk with ~4 ms of CPU; an existing one opens in ~1 ms. The window's process
starts the open before it imports PySide6 (~100 ms of imports on the main thread), so the
wait overlaps them instead of delaying the first frame. Qt-free: __main__ calls `start()`
before PySide6 loads, the composition root `take()`s the result.
"""

from __future__ import annotations

import threading

from qwen_studio.core.library import Library


class LibraryOpening:
    """One `Library()` being opened in a daemon thread."""

    def __init__(self) -> None:
        self._library: Library | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._open, name="library-open", daemon=True)

    def start(self) -> LibraryOpening:
        self._thread.start()
        return self

    def _open(self) -> None:
        try:
            self._library = Library()
        except BaseException as exc:  # re-raised on the thread that takes the library
            self._error = exc

    def result(self) -> Library:
        """The open library; raises what opening it raised (e.g. a newer schema)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._library is not None
        return self._library


_pending: LibraryOpening | None = None


def start() -> None:
    """Begin opening the default library (paths from the environment, as Library() reads
    them). Call once, early; a second call while one is pending does nothing."""
    global _pending
    if _pending is None:
        _pending = LibraryOpening().start()


def take() -> Library | None:
    """The library `start()` opened, handed over once (the taker closes it); None if no
    open was started."""
    global _pending
    opening, _pending = _pending, None
    return opening.result() if opening is not None else None
