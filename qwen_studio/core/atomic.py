"""Files are written whole or not at all, and a user's existing file is never replaced.

Temp files are named after their owner (`.qwen-tmp-<host>-<pid>-<random>`), so a second
process sharing a folder removes only a dead process's leftovers, never a live one's
half-written result.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from qwen_studio.core.ownership import Owner, owner_alive, this_process

TEMP_PREFIX = ".qwen-tmp-"
# A temp whose owner cannot be checked (another machine, an old unnamed temp) is surely
# abandoned after this long: a write takes seconds.
STALE_TEMP_AGE_S = 60 * 60
_OWNED = re.compile(re.escape(TEMP_PREFIX) + r"([0-9a-f]{8})-(\d+)-")


@functools.cache
def _umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status",
                                                           encoding="ascii") as f:
        for line in f:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere: read it once (at the first write) and put it back
    os.umask(mask)
    return mask


Data = bytes | memoryview | list[bytes]  # a list: its parts written in order (no join)


def _write_temp(directory: Path, data: Data, *, shared: bool = False, sync: bool = True,
                written: Callable[[], None] | None = None) -> Path:
    me = this_process()
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{me.host}-{me.pid}-", dir=directory)
    try:
        if shared and os.name != "nt":  # mkstemp makes 0600; a user's file follows the umask
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            for part in data if isinstance(data, list) else (data,):
                f.write(part)
            f.flush()
            if written is not None:  # the bytes took their room; only syncing is left
                written()
            if sync:
                os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(tmp)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (for our own files: config, sidecars, db files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(path.parent, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_new(path: Path, data: Data, *, sync: bool = True,
              written: Callable[[], None] | None = None) -> Path:
    """Write `data` to `path` atomically without replacing an existing file.

    If `path` exists, ' (2)', ' (3)', … is added before the suffix. Returns the path used.
    The file is the user's: its mode follows the umask like any file they save.
    `sync=False` skips the fsync: only for a file that can be rebuilt from one written
    with it (a power cut may then leave it empty, never half of someone else's bytes).
    `written` is called once the bytes are written (a full disk most often refuses them
    there), before the fsync: the caller may go on with what needs only that (a next
    send). A refusal after it (some filesystems say so only at the fsync) still raises.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(path.parent, data, shared=True, sync=sync, written=written)
    try:
        candidate = path
        for i in range(2, 10_000):
            try:
                os.link(tmp, candidate)  # fails if candidate exists: no overwrite race
                return candidate
            except FileExistsError:
                candidate = path.with_name(f"{path.stem} ({i}){path.suffix}")
            except OSError:
                # Filesystems without hard links: fall back to an existence check.
                if not candidate.exists():
                    os.replace(tmp, candidate)
                    return candidate
                candidate = path.with_name(f"{path.stem} ({i}){path.suffix}")
        raise FileExistsError(path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def temp_is_abandoned(path: Path, now: float | None = None) -> bool:
    """A temp file nobody is writing: its owner is dead, or it cannot be asked and is old."""
    m = _OWNED.match(path.name)
    if m:
        alive = owner_alive(Owner(m.group(1), int(m.group(2))))
        if alive is not None:
            return not alive
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except OSError:
        return False  # gone already
    return age > STALE_TEMP_AGE_S


def remove_stale_temps(directory: Path) -> int:
    """Delete temp files killed runs left behind (never a live process's). Returns how many."""
    count = 0
    if directory.is_dir():
        for p in directory.glob(TEMP_PREFIX + "*"):
            if temp_is_abandoned(p):
                with contextlib.suppress(OSError):
                    p.unlink()
                    count += 1
    return count
