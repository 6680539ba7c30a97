"""Worker threads below the GUI thread: one rule for every pool that does image work.

Decoding a 24 MP photo keeps a core busy for ~0.5 s without the GIL; on a 2-core machine
two such workers plus the service compete with the GUI thread for the CPU at equal
priority, and the window stutters though it is never blocked. Linux applies the nice
value per thread (setpriority on the thread id); elsewhere this is a no-op.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

WORKER_NICE = 5  # below the GUI thread, so a busy pool cannot take its CPU on small machines


def lower_this_thread() -> None:
    """Pool thread initializer: make this thread (not the process) nicer
    (QWEN_STUDIO_POOL_NICE overrides how much)."""
    if sys.platform.startswith("linux") and hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid)
                           + int(os.environ.get("QWEN_STUDIO_POOL_NICE", WORKER_NICE)))
