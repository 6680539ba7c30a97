"""One process-wide allocator setting for a program that handles 24-megapixel images.

glibc serves allocations above a threshold with fresh mmap pages (already zero, returned to
the OS on free), the rest from its heap. The threshold is dynamic: after a large block is
freed glibc raises it (up to 32 MB), so the next 16 MB block Pillow asks for comes from the
heap and `calloc` zeroes it by hand. Pillow allocates a new image while holding the GIL, so
a 24 MP decode then holds it 15-60 ms (measured: the first `Image.core.new("RGB",
(6000, 4000))` 0.1 ms, later ones 15-62 ms; with a fixed threshold every one 0.1 ms) and
the window stutters though the work is in a pool thread. A fixed threshold ends that, and
freed images go back to the OS at once. Only the window sets it: the `batch` command has no
event loop to stall, and there the kernel's page zeroing measured a little slower (200
photos: 16.4 s against 15.8 s).
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys

log = logging.getLogger(__name__)

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
MMAP_THRESHOLD = 1 << 20  # 1 MB: image buffers use mmap, small objects the heap

_done = False


def use_mmap_for_large_blocks(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold (no-op elsewhere). Returns True if it was applied."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return False  # musl and others: their own allocators
    except (ValueError, OSError):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    _done = mallopt(_M_MMAP_THRESHOLD, threshold) == 1
    if not _done:
        log.debug("mallopt(M_MMAP_THRESHOLD) refused")
    return _done


def applied() -> bool:
    """Whether this process runs with the fixed threshold."""
    return _done
