"""Which process owns what: one OS-locked file per open Library under sessions/, and the
clean-up on open that those locks make safe while other processes use the same library
(RUNNING edits of dead sessions become INTERRUPTED; temp files nobody writes go).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from qwen_studio.core.atomic import TEMP_PREFIX
from qwen_studio.core.editing.status import EditStatus

# Temp files younger than this may belong to another process that is writing right now.
STALE_TEMP_AGE_S = 15 * 60


class SessionLock:
    """An OS-level lock on a file; the OS drops it when the process dies, however it dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        # Someone may have removed the file between our open() and lock (a probe tidying
        # up): then we hold a lock on an orphan inode, which protects nothing.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(self.path))
        except OSError:
            same = False
        if not same:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self, *, remove: bool = True) -> None:
        if self._fd is None:
            return
        if remove:  # unlink while still held, so nobody can lock the old inode meanwhile
            with contextlib.suppress(OSError):
                self.path.unlink()
        with contextlib.suppress(OSError):
            if os.name == "nt":
                import msvcrt

                os.lseek(self._fd, 0, os.SEEK_SET)
                msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)
        with contextlib.suppress(OSError):
            os.close(self._fd)  # also drops a POSIX flock
        self._fd = None
        if remove and os.name == "nt":  # Windows cannot unlink an open file
            with contextlib.suppress(OSError):
                self.path.unlink()


def recover_interrupted(
    tx: Callable[[], AbstractContextManager[sqlite3.Connection]], sessions: Path, own: str
) -> None:
    """RUNNING edits whose process is gone (crash, kill, power loss) become INTERRUPTED.
    `tx` opens the library's write transaction; `own` is this Library's session token."""
    with tx() as conn:
        owners = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT owner FROM edits WHERE status = ?", (EditStatus.RUNNING,)
            )
        ]
        dead: list[str | None] = []
        for owner in owners:
            if owner == own:
                continue
            if owner is None or not re.fullmatch(r"[0-9a-f]{32}", owner):
                dead.append(owner)
                continue
            probe = SessionLock(sessions / f"{owner}.lock")
            if probe.try_acquire():  # nobody holds it: that process is gone
                probe.release()
                dead.append(owner)
        now = time.time()
        for owner in dead:
            conn.execute(
                "UPDATE edits SET status = ?, finished_at = ?, owner = NULL,"
                " error = CASE WHEN error = '' THEN ? ELSE error END"
                " WHERE status = ? AND owner IS ?",
                (
                    EditStatus.INTERRUPTED,
                    now,
                    "Qwen Studio stopped while this edit was running",
                    EditStatus.RUNNING,
                    owner,
                ),
            )
    # Lock files of sessions that ended without close() (crashes) are litter.
    for lock_file in sessions.glob("*.lock"):
        if lock_file.stem == own:
            continue
        probe = SessionLock(lock_file)
        if probe.try_acquire():
            probe.release()


def remove_stale_temps(root: Path, files_dir: Path, own: str) -> None:
    """Temp files (core/atomic.py) that no live writer can still be filling."""
    # Runs after recover_interrupted, so the lock files left are live sessions'. With no
    # other process holding the library, every temp file is a killed run's leftover;
    # otherwise only old ones are surely nobody's (a fresh one may be mid-write).
    others = any(f.stem != own for f in (root / "sessions").glob("*.lock"))
    cutoff = time.time() - STALE_TEMP_AGE_S if others else float("inf")
    dirs = [root]
    if files_dir.is_dir():
        dirs += [d for d in files_dir.iterdir() if d.is_dir()]
    for d in dirs:
        for p in d.glob(TEMP_PREFIX + "*"):
            with contextlib.suppress(OSError):
                if p.stat().st_mtime < cutoff:
                    p.unlink()
