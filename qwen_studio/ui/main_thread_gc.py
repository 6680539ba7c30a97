"""Cyclic garbage is collected on the GUI thread only (Anki's aqt does the same).

Python runs its cyclic collector in whichever thread happens to allocate past the
threshold. When that is a worker thread and the garbage holds a Qt object, the object is
destroyed off its thread: Qt cannot unregister its timers there, and the next timer event
touches freed memory and crashes the process. So automatic collection is switched off and a
timer on the GUI thread collects instead: the young generations every second (cheap), a
full pass once a minute. Reference counting still frees everything that is not in a cycle
at once, so memory does not grow between passes.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

TICK_MS = 1000
FULL_EVERY = 60  # ticks


class MainThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ticks = 0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.collect)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def collect(self) -> None:
        self._ticks += 1
        gc.collect(2 if self._ticks % FULL_EVERY == 0 else 1)

    def stop(self) -> None:
        """Back to automatic collection, after one last pass here on the GUI thread."""
        self._timer.stop()
        gc.collect()
        gc.enable()
