"""The window's asyncio loop: qasync's QEventLoop with asyncio's ready queue for call_soon.

qasync runs every `call_soon` as its own zero-delay Qt timer: a coroutine check, a Handle, a
timer registered with Qt, a QTimerEvent wrapped for Python's timerEvent, the timer killed. An
edit's HTTP round trips make ~60 of them (every task step, every future callback, every
stream read), 12,000 for a batch of 200, and that GUI-thread time is what the window's batch
paid over the command line's plain asyncio loop. Here `call_soon` appends to a deque, as
asyncio's own loop does, and one zero timer runs everything queued when it fires.
"""

from __future__ import annotations

import asyncio
from collections import deque
from contextvars import Context
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication


class StudioEventLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync has no stubs
    def __init__(self, app: QApplication) -> None:
        self._ready: deque[asyncio.Handle] = deque()
        self._drain_scheduled = False
        super().__init__(app)

    def call_soon(self, callback: Any, *args: Any,
                  context: Context | None = None) -> asyncio.Handle:
        """Run `callback(*args)` on the next pass of the loop (FIFO, like asyncio)."""
        # asyncio checks this in debug mode only: inspect's flag test on every callback
        # was ~4% of the GUI thread's time in a batch.
        if self.get_debug() and asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with call_soon")
        handle = asyncio.Handle(callback, args, self, context=context)
        self._ready.append(handle)
        if not self._drain_scheduled:
            self._drain_scheduled = True
            super().call_later(0, self._drain)
        return handle

    def _drain(self) -> None:
        """Run what was queued when this pass began; what those callbacks queue runs in the
        next pass (one more zero timer), so Qt's own events are never starved."""
        self._drain_scheduled = False
        ready = self._ready
        for _ in range(len(ready)):
            handle = ready.popleft()
            if not handle._cancelled:  # asyncio's own check
                handle._run()  # reports exceptions to the loop's handler
