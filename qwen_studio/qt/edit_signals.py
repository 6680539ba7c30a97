"""EditServiceSignals: the edit service's events as typed Qt signals.

The service calls its listeners on the event loop's thread (the GUI thread under qasync)
for every change; a batch of 500 edits makes thousands. Here they are coalesced: at most
one `progressChanged` per edit (its latest state, in the order the edits changed) and one
`statsChanged` per flush, every FLUSH_MS. A retry and a finished edit are delivered at
once: each retry is announced, and what the window says never lags behind an edit's end.

Importing this module costs no asyncio: the window creates it at start-up and attaches the
service when the first edit needs one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from qwen_studio.core.editing.progress import EditProgress

if TYPE_CHECKING:
    from qwen_studio.core.editing.service import EditService

FLUSH_MS = 50


class EditServiceSignals(QObject):
    progressChanged = Signal(object)  # EditProgress
    statsChanged = Signal(object)  # QueueStats over everything the service holds

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service: EditService | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._pending: dict[int, EditProgress] = {}
        self._flushing = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self.flush)

    def attach(self, service: EditService) -> None:
        self.detach()
        self.service = service
        self._unsubscribe = service.subscribe(self._on_progress)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = None
        self._timer.stop()
        self._pending.clear()

    def _on_progress(self, progress: EditProgress) -> None:
        self._pending.pop(progress.edit_id, None)  # re-inserted: ordered by latest change
        self._pending[progress.edit_id] = progress
        if progress.finished or progress.retry is not None:
            self.flush()  # rare and worth seeing: every retry is announced, every end at once
        elif not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        self._timer.stop()
        # A slot that acts on the service while we emit (cancel, retry; or a nested event
        # loop) adds to _pending: the outer flush delivers it after what it is emitting,
        # so no slot sees an edit's older state after its newer one.
        if self._flushing:
            return
        self._flushing = True
        emitted = False
        try:
            while self._pending:
                pending, self._pending = self._pending, {}
                for progress in pending.values():
                    self.progressChanged.emit(progress)
                emitted = True
        finally:
            self._flushing = False
        if emitted and self.service is not None:
            self.statsChanged.emit(self.service.stats())
