"""Anonymous memory for full-size pixels, mapped and unmapped with the GIL released.

Why not `mmap.mmap(-1, n)`: CPython 3.11 calls mmap() holding the GIL, and mmap() waits
for the process's memory-map lock while another thread unmaps or faults in a large region
(a freed 24 MP image: 10-30 ms on a loaded machine). The pool thread then holds the GIL for
that whole wait and the window stalls (py-spy --gil: `new_mmap_object ; mmap64` was the
largest GIL hold in decode_for_display). Here libc's mmap/munmap are called through ctypes,
which releases the GIL around every foreign call. The mapping is private (plain anonymous
memory, as malloc's), not `mmap.mmap`'s shared one: cheaper page faults and unmaps.

`new_buffer(n)` returns a writable, zero-filled ctypes byte array over the mapping; the
mapping is unmapped when the array is collected (whoever holds the last reference: a
memoryview, a Pillow image made by `map_buffer`, a QImage over it). Elsewhere than Linux
with glibc it is an `mmap.mmap` as before.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import sys
import weakref
from collections.abc import Callable
from typing import TypeAlias

_PROT = mmap.PROT_READ | mmap.PROT_WRITE
_FLAGS = mmap.MAP_PRIVATE | getattr(mmap, "MAP_ANONYMOUS", 0x20)
_MAP_FAILED = ctypes.c_void_p(-1).value

AnonBuffer: TypeAlias = "ctypes.Array[ctypes.c_ubyte] | mmap.mmap"


def _libc_calls() -> tuple[Callable[..., int | None], Callable[..., int]] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return None
        libc = ctypes.CDLL(None, use_errno=True)
        map_, unmap = libc.mmap, libc.munmap
    except (OSError, AttributeError, ValueError):
        return None
    map_.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                     ctypes.c_int, ctypes.c_long)
    map_.restype = ctypes.c_void_p
    unmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
    unmap.restype = ctypes.c_int
    return map_, unmap


_CALLS = _libc_calls()


def new_buffer(size: int) -> AnonBuffer:
    """`size` zero bytes of anonymous memory (writable; supports the buffer protocol)."""
    size = max(1, size)
    if _CALLS is None:
        return mmap.mmap(-1, size)
    map_, unmap = _CALLS
    addr = map_(None, size, _PROT, _FLAGS, -1, 0)  # ctypes: the GIL is released here
    if addr is None or addr == _MAP_FAILED:
        err = ctypes.get_errno()
        if err == 12:  # ENOMEM
            raise MemoryError(f"cannot map {size} bytes")
        raise OSError(err, os.strerror(err))
    array = (ctypes.c_ubyte * size).from_address(addr)
    # Unmapped when the array goes (and never at interpreter exit, when Qt may still
    # paint from it): munmap through ctypes, again without the GIL.
    weakref.finalize(array, unmap, addr, size).atexit = False
    return array
