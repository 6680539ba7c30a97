"""QSettings.sync() without the GIL.

PySide6 holds the GIL through every QSettings.sync(): the whole write, which is a lock
file, a temporary file and two fdatasync() calls. On a busy disk those take tens of ms, and
a pool thread syncing then stalls the GUI thread for as long (a 52 ms stall in
benchmarks/ui_stall.py; measured: a sync of a 3 MB value blocked Python for its full
190-410 ms). ctypes drops the GIL around a foreign call, so calling Qt's own
QSettings::sync through it writes the same file the same way while Python runs on.

Where the C++ symbol cannot be found (another platform's name mangling, another library
layout), the ordinary call is used: the same file, with the GIL held as before.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings

log = logging.getLogger(__name__)

# (library path relative to the PySide6 package, the mangled name of QSettings::sync())
_CANDIDATES = (
    ("Qt/lib/libQt6Core.so.6", "_ZN9QSettings4syncEv"),  # Linux wheels
    ("Qt/lib/QtCore.framework/QtCore", "_ZN9QSettings4syncEv"),  # macOS wheels
)

_lock = threading.Lock()
_native: Callable[[int], None] | None = None
_looked_up = False


def _lookup() -> Callable[[int], None] | None:
    # ctypes (~1.5 ms to import) is not needed for the first frame: the first sync is a
    # debounced save in the pool, and app.main loads ctypes after the frame anyway
    # (core/allocator.py).
    import ctypes

    import PySide6

    root = Path(PySide6.__file__).parent
    for rel, symbol in _CANDIDATES:
        lib = root / rel
        if not lib.exists():
            continue
        try:
            # The library is already loaded by PySide6.QtCore: dlopen returns that copy.
            fn = getattr(ctypes.CDLL(str(lib)), symbol)
        except (OSError, AttributeError):
            continue
        fn.argtypes = [ctypes.c_void_p]
        fn.restype = None
        return fn
    log.debug("QSettings::sync not found for %s: syncing with the GIL held", sys.platform)
    return None


def native_sync() -> Callable[[int], None] | None:
    """Qt's QSettings::sync as a ctypes function (called without the GIL), or None."""
    global _native, _looked_up
    with _lock:
        if not _looked_up:
            _native, _looked_up = _lookup(), True
        return _native


def sync_without_gil(settings: QSettings) -> None:
    """settings.sync(), with the GIL released while Qt writes the file. Call it only from
    the thread that uses `settings` (as sync() itself)."""
    fn = native_sync()
    if fn is None:
        settings.sync()
        return
    import shiboken6

    fn(shiboken6.getCppPointer(settings)[0])
