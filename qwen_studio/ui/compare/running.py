"""The canvas while an edit runs: one calm pill (a turning arc, "Editing… 12 s"), the
seconds counted here from the edit's start time (data), the words made here (UI)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from qwen_studio.ui.compare.image_canvas import ImageCanvas


class RunningPlaceholder(QObject):
    def __init__(self, canvas: ImageCanvas, changed: Callable[[], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.canvas, self._changed = canvas, changed
        self._state: tuple[float | None, int, Callable[[], float]] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._show)

    def show(self, started_at: float | None, *, more: int = 0,
             clock: Callable[[], float] = time.monotonic) -> None:
        """`started_at` is a `clock()` reading (EditProgress.started_at is monotonic;
        None: still queued); `more` other edits in flight."""
        self._state = (started_at, more, clock)
        if not self._timer.isActive():
            self._timer.start()
        self._show()

    def stop(self) -> None:
        self._state = None
        self._timer.stop()

    def clear(self) -> None:
        self.stop()
        self.canvas.set_busy(None)
        self._changed()

    def is_running(self) -> bool:
        return self._state is not None

    def _show(self) -> None:
        if self._state is None:
            return
        started, more, clock = self._state
        if started is None:
            text = self.tr("Waiting to start…")
        else:
            text = self.tr("Editing… {s} s").format(s=max(0, int(clock() - started)))
        if more:
            text += self.tr("  (+{n} more)").format(n=more)
        self.canvas.set_busy(text)
        self._changed()
