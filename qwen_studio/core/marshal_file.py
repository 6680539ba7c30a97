"""One marshal file of a start-up cache, kept next to Python's bytecode: read and written the
same way by every cache (dataclass codes, toml data, module bundle, regex codes, PySide's
support code, icon pixels).

Layout: the cache's header (what must match: interpreter, Qt version, ...), the CRC-32 of the
body (4 bytes, big-endian), the marshal body. The checksum is there because marshal reads
most damaged bytes without complaint (a flipped byte in a code object is wrong code served
to every start), and the read swallows every exception because damaged data can make
marshal raise SystemError, not only ValueError/EOFError/TypeError. Each cache is rewritten
only after a first frame, so a cache that failed a start would fail every start: a damaged,
foreign or missing file is simply a miss, and a write that fails is no error.
"""

from __future__ import annotations

import contextlib
import marshal
import mmap
import os
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

_CRC = 4  # bytes
# Smaller files are read: mapping one costs more (~7 us) than copying a few pages.
_MAP_FROM = 256 * 1024


def read(path: str | os.PathLike[str], header: bytes) -> object | None:
    """The object kept in `path` under `header`, or None (no file, another header, a wrong
    checksum, anything marshal cannot read or raises on)."""
    try:
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size < _MAP_FROM:
                return _loads(memoryview(f.read()), header)
            # Mapped, not read: reading copies the file into fresh memory (for the module
            # bundle's 1.2 MB ~300 page faults, ~0.5 ms); marshal copies what it takes, so
            # nothing refers to the map after.
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m, memoryview(m) as data:
                return _loads(data, header)
    except Exception:  # a cache must never stop a start
        return None


def _loads(data: memoryview, header: bytes) -> object | None:
    n = len(header)
    with data[n + _CRC:] as body:
        if data[:n] != header or zlib.crc32(body).to_bytes(_CRC, "big") != data[n:n + _CRC]:
            return None
        return marshal.loads(body)


def write(path: str | os.PathLike[str], header: bytes, make_body: Callable[[], Any]) -> bool:
    """Write `make_body()` to `path` atomically (windows may start side by side). Returns
    True if written; never raises, and writes nothing when Python writes no bytecode."""
    if sys.dont_write_bytecode:
        return False
    target = Path(path)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Opened before the body is made (the module bundle reads its modules' code, ~6 ms):
        # where nothing can be written (a system install) every start finds out at once.
        with open(tmp, "wb") as out:
            body = marshal.dumps(make_body())
            out.write(header + zlib.crc32(body).to_bytes(_CRC, "big") + body)
        os.replace(tmp, target)
    except Exception:  # runs after the first frame: nothing may escape
        # Suppressed too: where the folder cannot be made (a file in the way, a folder
        # without search rights) unlinking fails as well.
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False
    return True
