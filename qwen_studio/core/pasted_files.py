"""Pasted images: files in the cache's pasted folder, pruned once nothing needs them.

A pasted bitmap or encoded image becomes a file there so it can be an input like any other
(ui/image_loading.py writes it). Once an edit runs, the library keeps its own copy of every
input (content-addressed, core/library_files.py), which history shows and reuses: the
pasted file is then a spare. A 24 MP paste is 30-70 MB as PNG, so the folder is bounded:

- at most KEEP_NEWEST files that nothing uses, none older than KEEP_SECONDS (a designer
  who pasted something today can still find it there; a week of screenshots cannot
  fill the disk);
- a file an input shows, or that any edit's request names (history, deleted edits too:
  they can be restored), is never deleted, whatever its age.

Qt-free; pool only (it stats and deletes files, and asks the library).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qwen_studio.core.library import Library

log = logging.getLogger(__name__)

PREFIX = "pasted-"
KEEP_NEWEST = 20
KEEP_SECONDS = 2 * 24 * 3600

# (candidate files) -> those some edit's request still names
HistoryCheck = Callable[[list[Path]], set[Path]]


def prune_pasted(folder: Path, in_use: Collection[Path], history: HistoryCheck | None = None,
                 now: float | None = None) -> list[Path]:
    """Delete old pasted files in `folder` that no input (`in_use`) and no edit uses;
    returns those deleted. Files other than ours (not PREFIX…) are left alone."""
    now = time.time() if now is None else now
    found: list[tuple[float, Path]] = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith(PREFIX) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    found.append((entry.stat(follow_symlinks=False).st_mtime, Path(entry.path)))
    found.sort(reverse=True)  # newest first
    keep = {_key(p) for p in in_use}
    spare = [(t, p) for t, p in found if _key(p) not in keep]
    stale = [p for i, (t, p) in enumerate(spare) if i >= KEEP_NEWEST or now - t > KEEP_SECONDS]
    if stale and history is not None:
        try:
            named = {_key(p) for p in history(stale)}
        except Exception as exc:  # the library cannot say: delete nothing rather than guess
            log.warning("pasted files kept: history could not be checked (%r)", exc)
            return []
        stale = [p for p in stale if _key(p) not in named]
    deleted = []
    for p in stale:
        with contextlib.suppress(OSError):
            p.unlink()
            deleted.append(p)
    return deleted


def _key(p: Path) -> str:
    return os.path.normcase(os.path.abspath(p))


def named_in_history(library: Library) -> HistoryCheck:
    """A HistoryCheck over `library`: the files some edit's request (live or deleted) names.
    Pasted names are unique (time and random), so the name alone identifies the file."""

    def check(files: list[Path]) -> set[Path]:
        used: set[Path] = set()
        with library.reading() as conn:
            for p in files:
                row = conn.execute("SELECT 1 FROM edits WHERE instr(request_json, ?) > 0 "
                                   "LIMIT 1", (p.name,)).fetchone()
                if row is not None:
                    used.add(p)
        return used

    return check
