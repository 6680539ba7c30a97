"""Putting the library right after a crash or damage (Library's open path calls in here).

- `complete_interrupted`: a run killed after saving a result leaves its edit INTERRUPTED
  although the result is on disk; the resumed run, finding the result, completes that
  edit with it instead of leaving the history wrong.
- `move_aside` / `rebuild`: a damaged database is moved aside, and a fresh one re-learns
  what it can from the content-addressed files (every stored file is registered again;
  PNG results carrying our embedded request become DONE edits again).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qwen_studio.core.png_metadata import read_png_metadata
from qwen_studio.core.request import EditRequest
from qwen_studio.core.safe_json import loads_bounded

if TYPE_CHECKING:
    from qwen_studio.core.library import Library

log = logging.getLogger(__name__)

_CANDIDATES = 500  # interrupted edits looked at, newest first
_METADATA_MAX = 1 << 20


def complete_interrupted(lib: Library, identity: str, images: Sequence[Path]) -> int | None:
    """Mark the newest INTERRUPTED edit with this identity DONE with `images` (the results
    the killed run saved). Returns its id, or None when there is none (or it fails)."""
    if not images:
        return None
    with lib._lock:
        rows = lib.conn.execute(
            "SELECT id, request_json FROM edits WHERE status = 'interrupted'"
            " AND deleted_at IS NULL ORDER BY id DESC LIMIT ?", (_CANDIDATES,)).fetchall()
        for edit_id, request_json in rows:
            hashes = tuple(r[0] for r in lib.conn.execute(
                "SELECT sha256 FROM edit_files WHERE edit_id = ? AND role = 'input'"
                " ORDER BY position", (edit_id,)))
            try:
                request = EditRequest.from_json(request_json)
            except (ValueError, TypeError, KeyError):
                continue
            if request.identity(hashes) == identity:
                break
        else:
            return None
    try:
        data = [p.read_bytes() for p in images]
        lib.complete_edit(edit_id, data)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("could not complete interrupted edit %s: %s", edit_id, exc)
        return None
    return int(edit_id)


def move_aside(db_path: Path) -> Path:
    """Rename a damaged database (and its WAL/SHM files) out of the way; returns its new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = db_path.with_name(f"{db_path.name}.damaged-{stamp}-{n}")
    os.replace(db_path, target)
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        with contextlib.suppress(OSError):
            if side.exists():
                os.replace(side, target.with_name(target.name + suffix))
    return target


def rebuild(lib: Library) -> int:
    """Register every stored file again and recreate the edits PNG results describe.

    Returns how many edits were recreated. Best effort: an unreadable file is skipped.
    """
    files_dir = lib.files_dir
    if not files_dir.is_dir():
        return 0
    blobs: list[tuple[str, str, int]] = []
    described: list[tuple[Path, str]] = []
    for shard in sorted(files_dir.iterdir()):
        if not shard.is_dir():
            continue
        for f in sorted(shard.iterdir()):
            sha, dot, ext = f.name.partition(".")
            if not dot or len(sha) != 64 or f.name.startswith("."):
                continue
            try:
                size = f.stat().st_size
            except OSError:
                continue
            blobs.append((sha, ext, size))
            if ext == "png":
                described.append((f, sha))
    with lib._tx() as conn:
        lib._register_blobs(conn, blobs)
    made = 0
    for path, sha in described:
        request = _embedded_request(path)
        if request is None:
            continue
        try:
            edit_id = lib.create_edit(request, input_hashes=())
            with lib._tx() as conn:
                conn.execute("INSERT INTO edit_files(edit_id, role, position, sha256)"
                             " VALUES (?, 'result', 0, ?)", (edit_id, sha))
                conn.execute("UPDATE edits SET status = 'done', finished_at = created_at"
                             " WHERE id = ?", (edit_id,))
            made += 1
        except Exception as exc:  # one odd file must not stop the rebuild
            log.warning("could not rebuild an edit from %s: %s", path.name, exc)
    return made


def _embedded_request(path: Path) -> EditRequest | None:
    try:
        with path.open("rb") as f:
            head = f.read(64 * 2**20)
        raw = read_png_metadata(head, max_text=_METADATA_MAX).get("qwen_studio", "")
        if not raw:
            return None
        record = loads_bounded(raw, max_bytes=_METADATA_MAX)
        if isinstance(record, dict) and isinstance(record.get("request"), dict):
            return EditRequest.from_dict(record["request"])
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return None
