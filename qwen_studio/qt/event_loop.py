"""The window's asyncio loop: qasync's QEventLoop with asyncio's ready queue for call_soon.

qasync runs every `call_soon` as its own zero-delay Qt timer: a coroutine check, a Handle, a
timer registered with Qt, a QTimerEvent wrapped for Python's timerEvent, the timer killed. An
edit's HTTP round trips make ~60 of them (every task step, every future callback, every
stream read), 12,000 for a batch of 200, and that GUI-thread time is what the window's batch
paid over the command line's plain asyncio loop. Here `call_soon` appends to a deque, as
asyncio's own loop does, and one zero timer runs everything queued when it fires.

`call_later`/`call_at` likewise: qasync starts a Qt timer per call and kills it only when
it fires, even if cancelled. Every HTTP exchange sets deadlines (asyncio.timeout, and
httpcore's per-read timeouts through anyio) of a minute or more, cancelled a moment later:
a 1,000-photo batch left tens of thousands of live Qt timers, each start sorted into Qt's
list. Here they are asyncio TimerHandles in one heap (as asyncio keeps them), cancelled
ones dropped lazily, and one precise Qt timer is set for the earliest.
"""

from __future__ import annotations

import asyncio
import heapq
import math
from collections import deque
from contextvars import Context
from typing import Any

import qasync
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

# Cancelled timers are swept from the heap once they are this many and half of it (asyncio's
# own rule), so deadlines set and cancelled per request cost no memory or sorting.
_SWEEP_AT = 100


class StudioEventLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync has no stubs
    def __init__(self, app: QApplication) -> None:
        self._ready: deque[asyncio.Handle] = deque()
        self._drain_scheduled = False
        self._timers: list[asyncio.TimerHandle] = []  # a heap, earliest first
        self._timers_cancelled = 0
        super().__init__(app)
        self._wake = QTimer()
        self._wake.setSingleShot(True)
        self._wake.setTimerType(Qt.TimerType.PreciseTimer)
        self._wake.timeout.connect(self._fire_due)

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

    def call_later(self, delay: float, callback: Any, *args: Any,
                   context: Context | None = None) -> asyncio.TimerHandle:
        return self.call_at(self.time() + delay, callback, *args, context=context)

    def call_at(self, when: float, callback: Any, *args: Any,
                context: Context | None = None) -> asyncio.TimerHandle:
        """Run `callback(*args)` at loop time `when` (or the first pass after it)."""
        if self.get_debug() and asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with call_at")
        handle = asyncio.TimerHandle(when, callback, args, self, context=context)
        heapq.heappush(self._timers, handle)
        handle._scheduled = True  # asyncio's flag: cancel() then tells the loop
        if self._timers[0] is handle:
            self._arm()
        return handle

    def _timer_handle_cancelled(self, handle: asyncio.TimerHandle) -> None:
        if not handle._scheduled:
            return
        self._timers_cancelled += 1
        timers = self._timers
        if self._timers_cancelled > _SWEEP_AT and self._timers_cancelled * 2 > len(timers):
            kept = [h for h in timers if not h._cancelled]
            for h in timers:
                if h._cancelled:
                    h._scheduled = False
            heapq.heapify(kept)
            self._timers = kept
            self._timers_cancelled = 0

    def _arm(self) -> None:
        """Set the one Qt timer for the earliest live deadline (none: stopped)."""
        timers = self._timers
        while timers and timers[0]._cancelled:
            heapq.heappop(timers)._scheduled = False
            self._timers_cancelled = max(0, self._timers_cancelled - 1)
        if not timers:
            self._wake.stop()
            return
        delay_ms = max(0, math.ceil((timers[0].when() - self.time()) * 1000))
        self._wake.start(delay_ms)

    def _fire_due(self) -> None:
        """Queue every timer that is due (in deadline order) for this pass, re-arm."""
        end = self.time() + 0.001  # the Qt timer's resolution: it may wake just before
        timers = self._timers
        due = False
        while timers and timers[0].when() <= end:
            handle = heapq.heappop(timers)
            handle._scheduled = False
            if handle._cancelled:
                self._timers_cancelled = max(0, self._timers_cancelled - 1)
                continue
            self._ready.append(handle)
            due = True
        if due and not self._drain_scheduled:
            self._drain_scheduled = True
            super().call_later(0, self._drain)
        self._arm()

    def close(self) -> None:
        self._wake.stop()
        for handle in self._timers:
            handle._scheduled = False
        self._timers.clear()
        super().close()
