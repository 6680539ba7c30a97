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

A pass is woken by one persistent zero-interval QTimer (not qasync's call_later, which
builds a Handle, checks for a coroutine and starts and kills a Qt timer each time), and it
goes on running what its callbacks queue for up to DRAIN_BUDGET_S: an HTTP exchange's
callbacks come in short chains (a task step queues the next), and each chain link that
waited for a fresh pass of Qt's loop cost a timer event (~30 passes per edit). Qt's own
events wait at most that long, far below a frame.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import sys
import time
from collections import deque
from contextvars import Context
from typing import Any

import qasync
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

# Cancelled timers are swept from the heap once they are this many and half of it (asyncio's
# own rule), so deadlines set and cancelled per request cost no memory or sorting.
_SWEEP_AT = 100
# How long one pass may go on running callbacks queued during it before Qt's events get
# their turn (a frame is 16 ms; the window's stall goal is p99 < 16 ms).
DRAIN_BUDGET_S = 0.002


class StudioEventLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync has no stubs
    def __init__(self, app: QApplication) -> None:
        self._ready: deque[asyncio.Handle] = deque()
        self._drain_scheduled = False
        self._timers: list[asyncio.TimerHandle] = []  # a heap, earliest first
        self._timers_cancelled = 0
        super().__init__(app)
        self._soon = QTimer()  # wakes the next pass (_drain)
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self._drain)
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
            self._soon.start()
        return handle

    def _drain(self) -> None:
        """Run what is queued, in rounds as asyncio does (what a round's callbacks queue
        runs in the next round), until nothing is left or DRAIN_BUDGET_S has passed; then
        Qt's own events have their turn and the rest runs in the next pass."""
        ready = self._ready
        end = time.perf_counter() + DRAIN_BUDGET_S
        # What runs here runs under asyncio: sniffio (httpcore and anyio ask it ~45 times
        # per edit) then answers at once, not through an `import asyncio` per call, which
        # PySide's import hook makes cost as much as the rest of the question. Loaded with
        # httpx, not here: nothing is imported for it before the first frame.
        sniffio = sys.modules.get("sniffio")
        local = getattr(sniffio, "thread_local", None)
        sniffed = getattr(local, "name", None)
        if local is not None:
            local.name = "asyncio"
        try:
            while ready:
                for _ in range(len(ready)):
                    handle = ready.popleft()
                    if not handle._cancelled:  # asyncio's own check
                        handle._run()  # reports exceptions to the loop's handler
                # Stopped (run_until_complete's future is done): the rest waits for the
                # next run, as in asyncio, whose pass ends with its round.
                if time.perf_counter() >= end or not self.is_running():
                    break
        finally:
            if local is not None:
                local.name = sniffed
            if ready:
                self._soon.start()  # still scheduled: call_soon need not start it
            else:
                self._drain_scheduled = False

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
            self._soon.start()
        self._arm()

    def close(self) -> None:
        self._soon.stop()
        self._wake.stop()
        for handle in self._timers:
            handle._scheduled = False
        self._timers.clear()
        super().close()
