"""Cyclic garbage is collected on the GUI thread only (Anki's aqt does the same).

Python runs its cyclic collector in whichever thread happens to allocate past the
threshold. When that is a worker thread and the garbage holds a Qt object, the object is
destroyed off its thread: Qt cannot unregister its timers there, and the next timer event
touches freed memory and crashes the process. So automatic collection is switched off and a
timer on the GUI thread collects instead: the young generations every second (cheap), a
full pass once a minute. Reference counting still frees everything that is not in a cycle
at once, so memory does not grow between passes.

The app freezes its start-up objects (gc.freeze: no pass scans them again) and asks the
collector to `refreeze`: what modules imported after that (the post-paint build, the HTTP
stack and the edit service warmed in the pool, a dialog's first opening) lives as long as
the app too, yet each full pass scanned it (44-65k objects, 18-50 ms of GUI-thread CPU a
minute). So once modules were imported since the last freeze and a tick passed without
another, the collector freezes again, right after that tick's pass.

Data that lives as long as its view asks the same (`freeze_after_next_pass`): the history's
rows, 10,000 edits of ~10 objects each, made a full pass 40-60 ms long (a stall).
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, QTimer

TICK_MS = 1000
FULL_EVERY = 60  # ticks

_running: MainThreadCollector | None = None  # the collector started (none: nothing to ask)


def freeze_after_next_pass() -> None:
    """Long-lived objects were made (e.g. a page of history rows): freeze what is alive
    after the running collector's next young pass, so full passes no longer scan it.
    Frozen objects are still freed by reference counting when dropped (rows hold no
    cycles); as with `refreeze`, dead cycles already in the oldest generation stay."""
    if _running is not None:
        _running.freeze_wanted = True


class MainThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None, *, refreeze: bool = False) -> None:
        super().__init__(parent)
        self._ticks = 0
        self._refreeze = refreeze
        self._modules_frozen = self._modules_seen = len(sys.modules)
        self.freezes = 0  # how often it froze again (for tests and benchmarks)
        self.freeze_wanted = False  # see freeze_after_next_pass
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.collect)

    def start(self) -> None:
        global _running
        gc.disable()
        self._timer.start()
        _running = self

    def collect(self) -> None:
        self._ticks += 1
        gc.collect(2 if self._ticks % FULL_EVERY == 0 else 1)
        if self.freeze_wanted:
            self.freeze_wanted = False
            gc.freeze()
            self.freezes += 1
            self._modules_frozen = self._modules_seen = len(sys.modules)
        elif self._refreeze:
            self._freeze_new_modules()

    def _freeze_new_modules(self) -> None:
        """Modules were imported since the last freeze and none in the last tick: what is
        alive now (the pass just ran) moves out of every later pass. The young passes
        have run; anything cyclic and dead in the oldest generation since the last freeze
        stays, as start-up's did (a freeze happens only when modules were imported)."""
        modules = len(sys.modules)
        settled, self._modules_seen = modules == self._modules_seen, modules
        if settled and modules != self._modules_frozen:
            gc.freeze()
            self._modules_frozen = modules
            self.freezes += 1

    def stop(self) -> None:
        """Back to automatic collection, after one last pass here on the GUI thread."""
        global _running
        if _running is self:
            _running = None
        self._timer.stop()
        gc.collect()
        gc.enable()
