"""Files are written whole or not at all, and a user's existing file is never replaced."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

TEMP_PREFIX = ".qwen-tmp-"


def _write_temp(directory: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
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


def write_new(path: Path, data: bytes) -> Path:
    """Write `data` to `path` atomically without replacing an existing file.

    If `path` exists, ' (2)', ' (3)', … is added before the suffix. Returns the path used.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(path.parent, data)
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


def remove_stale_temps(directory: Path) -> int:
    """Delete temp files a killed run left behind. Returns how many were removed."""
    count = 0
    if directory.is_dir():
        for p in directory.glob(TEMP_PREFIX + "*"):
            with contextlib.suppress(OSError):
                p.unlink()
                count += 1
    return count
