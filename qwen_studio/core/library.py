"""The history that remembers everything: a SQLite (WAL) store plus content-addressed files.

Layout under the library root::

    library.sqlite3            edits, file references, full-text index
    files/<sha[:2]>/<sha>.<ext> every input and result, named by its SHA-256
    sessions/<token>.lock      held (OS file lock) while a Library is open

One connection (check_same_thread=False) guarded by an RLock serves every thread of a
process. Several processes (GUI + CLI) may open the same library: WAL plus busy_timeout
handle the database, and the session locks tell crash recovery which RUNNING edits
belong to a process that is still alive.

No API key is ever stored: a request has no field for it and edits only keep the
profile name.

Library is the facade; its parts live beside it: the schema and migrations
(library_schema), EditRecord and reading rows (library_records), search and every read
query (library_search, whose LibraryReads Library inherits), session locks and the
clean-up on open (library_session), damage recovery (library_recovery), storing files
(library_files, whose LibraryFiles Library inherits) and small thumbnails
(library_thumbs).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from qwen_studio.core import paths
from qwen_studio.core.editing.status import FINISHED_STATUSES, EditStatus
from qwen_studio.core.error_record import error_json
from qwen_studio.core.errors import QwenStudioError, Reason
from qwen_studio.core.library_files import LibraryFiles, sniff_extension
from qwen_studio.core.library_records import EditRecord
from qwen_studio.core.library_schema import MIGRATIONS, fts_state, is_damage, migrate
from qwen_studio.core.library_search import FAILED_STATUSES, LibraryReads
from qwen_studio.core.library_session import (
    STALE_TEMP_AGE_S,
    SessionLock,
    recover_interrupted,
    remove_stale_temps,
)
from qwen_studio.core.request import EditRequest

# Names callers import from here (the parts above are the library's own business).
__all__ = [
    "DB_NAME",
    "FAILED_STATUSES",
    "MIGRATIONS",
    "STALE_TEMP_AGE_S",
    "EditRecord",
    "EditStatus",
    "Library",
    "sniff_extension",
]

log = logging.getLogger(__name__)

DB_NAME = "library.sqlite3"

# -- the library -----------------------------------------------------------------------------


class Library(LibraryFiles, LibraryReads):
    """Persistent history of edits. Thread-safe; every method may be called from any thread."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else paths.library_dir()
        self.root.mkdir(parents=True, exist_ok=True)
        self.files_dir = self.root / "files"
        self._folders = {}
        self.db_path = self.root / DB_NAME
        self._lock = threading.RLock()
        self._session = os.urandom(16).hex()  # uuid would pull in platform at start-up
        self._session_lock = SessionLock(self.root / "sessions" / f"{self._session}.lock")
        for _ in range(5):
            if self._session_lock.try_acquire():
                break
        else:  # pragma: no cover - a fresh uuid file cannot be contended
            raise QwenStudioError(f"could not lock a session file in {self.root}")
        # Where a damaged database was moved (this open started a fresh one), else None.
        self.recovered_from: Path | None = None
        self.recovered_edits = 0
        self._conn: sqlite3.Connection | None = None
        try:
            try:
                self._open_checked()
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc):
                    raise
                self._start_fresh(exc)
            self._has_fts, self._fts_trigram = fts_state(self.conn)
            recover_interrupted(self._tx, self.root / "sessions", self._session)
            # After recover_interrupted: the lock files left are live sessions'.
            remove_stale_temps(self.root, self.files_dir, self._session)
        except BaseException:
            self.close()
            raise

    # -- opening (and recovering from damage) ---------------------------------------------------
    def _open_checked(self) -> None:
        self._conn = sqlite3.connect(
            self.db_path, check_same_thread=False, isolation_level=None, timeout=10
        )
        conn = self._conn
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # A damaged page otherwise surfaces later as every edit failing with DatabaseError.
        verdict = conn.execute("PRAGMA quick_check(1)").fetchone()
        if not verdict or verdict[0] != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {verdict[0] if verdict else 'no answer'}")
        self._migrate()

    def _start_fresh(self, exc: sqlite3.DatabaseError) -> None:
        """Move the damaged database aside, open a new one and rebuild what the stored
        files can tell (see core.library_recovery)."""
        from qwen_studio.core import library_recovery

        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
        self.recovered_from = library_recovery.move_aside(self.db_path)
        log.warning("the history database was damaged (%s); it was moved to %s and a new "
                    "one started", exc, self.recovered_from)
        self._open_checked()
        self.recovered_edits = library_recovery.rebuild(self)

    # -- plumbing ------------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.close()
                self._conn = None
            self._session_lock.release()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise QwenStudioError("the library is closed")
        return self._conn

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE so another process cannot sneak in between."""
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction, for the modules that keep their own tables in this
        database (core/prompt_library.py)."""
        return self._tx()

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection, held for a few reads (no transaction, no write lock)."""
        with self._lock:
            yield self.conn

    def _migrate(self) -> None:
        with self._tx() as conn:
            migrate(conn, self.root)

    # -- edits ---------------------------------------------------------------------------------
    def create_edit(
        self,
        request: EditRequest,
        *,
        input_hashes: Sequence[str],
        profile_name: str = "",
        parent_id: int | None = None,
        batch_id: str | None = None,
        status: EditStatus = EditStatus.QUEUED,
    ) -> int:
        """Record a new edit. Without an explicit (existing) parent, an input that is an
        earlier result links the new edit to that edit (re-editing a result keeps lineage)."""
        status = EditStatus(status)
        now = time.time()
        with self._tx() as conn:
            if parent_id is not None and not conn.execute(
                "SELECT 1 FROM edits WHERE id = ?", (parent_id,)
            ).fetchone():
                # Purged meanwhile: recording the edit matters more than the link.
                parent_id = None
            if parent_id is None:
                for sha in input_hashes:
                    row = conn.execute(
                        "SELECT ef.edit_id FROM edit_files ef JOIN edits e ON e.id = ef.edit_id"
                        " WHERE ef.sha256 = ? AND ef.role = 'result'"
                        " ORDER BY e.deleted_at IS NOT NULL, e.created_at DESC LIMIT 1",
                        (sha,),
                    ).fetchone()
                    if row:
                        parent_id = row[0]
                        break
            cur = conn.execute(
                "INSERT INTO edits(created_at, started_at, finished_at, status, request_json,"
                " prompt, negative_prompt, model, profile_name, parent_id, batch_id, owner)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    now if status is EditStatus.RUNNING else None,
                    now if status in FINISHED_STATUSES else None,
                    status.value,
                    request.to_json(),
                    request.prompt,
                    request.negative_prompt,
                    request.model,
                    profile_name,
                    parent_id,
                    batch_id,
                    self._session if status is EditStatus.RUNNING else None,
                ),
            )
            edit_id = int(cur.lastrowid or 0)
            conn.executemany(
                "INSERT INTO edit_files(edit_id, role, position, sha256) VALUES (?, 'input', ?, ?)",
                [(edit_id, i, sha) for i, sha in enumerate(input_hashes)],
            )
            # Touch the inputs' blobs so a concurrent purge keeps them.
            conn.executemany(
                "UPDATE blobs SET touched_at = ? WHERE sha256 = ?",
                [(now, sha) for sha in input_hashes],
            )
        return edit_id

    def _current_status(self, conn: sqlite3.Connection, edit_id: int) -> EditStatus:
        row = conn.execute("SELECT status FROM edits WHERE id = ?", (edit_id,)).fetchone()
        if row is None:
            raise KeyError(f"edit {edit_id} does not exist")
        return EditStatus(row[0])

    def set_status(self, edit_id: int, status: EditStatus, *, error: str = "",
                   reason: Reason | None = None, failure: BaseException | None = None) -> None:
        """Move an edit along QUEUED -> RUNNING -> FAILED/CANCELLED/INTERRUPTED (or back to
        QUEUED for a retry). DONE is reached only through complete_edit, and is final.
        `reason`: why, for code (its code and parameters are stored beside `error`);
        `failure`: the error, kept as codes and data (core/error_record.py) to say again."""
        status, data = EditStatus(status), error_json(failure)
        code = getattr(reason, "code", "") if reason is not None else ""
        params = json.dumps(getattr(reason, "params", {}) if code else {}, ensure_ascii=False)
        if status is EditStatus.DONE:
            raise ValueError("use complete_edit() to mark an edit done: it stores the results")
        now = time.time()
        with self._tx() as conn:
            current = self._current_status(conn, edit_id)
            if current is EditStatus.DONE:
                raise ValueError(f"edit {edit_id} is already done")
            if status is EditStatus.RUNNING:
                conn.execute(
                    "UPDATE edits SET status = ?, started_at = ?, finished_at = NULL,"
                    " error = ?, reason = ?, reason_params = ?, error_data = ?, owner = ?"
                    " WHERE id = ?",
                    (status.value, now, error, code, params, data, self._session, edit_id),
                )
            elif status is EditStatus.QUEUED:
                conn.execute(
                    "UPDATE edits SET status = ?, started_at = NULL, finished_at = NULL,"
                    " error = ?, reason = ?, reason_params = ?, error_data = ?, owner = NULL"
                    " WHERE id = ?", (status.value, error, code, params, data, edit_id),
                )
            else:
                conn.execute(
                    "UPDATE edits SET status = ?, finished_at = ?, error = ?, reason = ?,"
                    " reason_params = ?, error_data = ?, owner = NULL WHERE id = ?",
                    (status.value, now, error, code, params, data, edit_id),
                )

    def update_queued_request(self, edit_id: int, request: EditRequest) -> bool:
        """Change the request of an edit that has not run yet (a batch's prompt or
        parameters changed before Run). False once it has started or finished."""
        with self._tx() as conn:
            cur = conn.execute(
                "UPDATE edits SET request_json = ?, prompt = ?, negative_prompt = ?, model = ?"
                " WHERE id = ? AND status = ?",
                (request.to_json(), request.prompt, request.negative_prompt, request.model,
                 edit_id, EditStatus.QUEUED.value),
            )
            return cur.rowcount == 1

    def complete_edit(
        self,
        edit_id: int,
        results: Sequence[bytes],
        *,
        revised_prompt: str = "",
        usage: dict[str, Any] | None = None,
        timings: dict[str, Any] | None = None,
    ) -> list[Path]:
        """Store every result (bytes exactly as given), then mark the edit DONE in one
        transaction: a crash in between leaves files without a DONE edit, never the reverse."""
        with self._lock:
            if self._current_status(self.conn, edit_id) is EditStatus.DONE:
                raise ValueError(f"edit {edit_id} is already done")
        written = [
            self._write_blob(bytes(data), sniff_extension(bytes(data[:16])) or "bin")
            for data in results
        ]
        now = time.time()
        with self._tx() as conn:
            if self._current_status(conn, edit_id) is EditStatus.DONE:
                raise ValueError(f"edit {edit_id} is already done")
            sizes = [len(data) for data in results]
            self._register_blobs(
                conn, [(sha, ext, n) for (sha, ext, _), n in zip(written, sizes, strict=True)]
            )
            conn.execute("DELETE FROM edit_files WHERE edit_id = ? AND role = 'result'", (edit_id,))
            conn.executemany(
                "INSERT INTO edit_files(edit_id, role, position, sha256)"
                " VALUES (?, 'result', ?, ?)",
                [(edit_id, i, sha) for i, (sha, _, _) in enumerate(written)],
            )
            # Kept links of results billed earlier are now downloaded: not billed twice.
            conn.execute("DELETE FROM paid_results WHERE edit_id = ? AND state = 'kept'",
                         (edit_id,))
            conn.execute(
                "UPDATE edits SET status = ?, finished_at = ?, error = '', reason = '',"
                " reason_params = '{}', error_data = '{}', owner = NULL,"
                " revised_prompt = ?, usage_json = ?, timings_json = ?,"
                " started_at = COALESCE(started_at, ?) WHERE id = ?",
                (
                    EditStatus.DONE.value,
                    now,
                    revised_prompt or "",
                    json.dumps(usage or {}, ensure_ascii=False, default=str),
                    json.dumps(timings or {}, ensure_ascii=False, default=str),
                    now,
                    edit_id,
                ),
            )
        return [path for _, _, path in written]

    def set_seed_sent(self, edit_id: int, seed: int) -> None:
        """Record the seed sent for this edit (core/seeds.py; before the request goes)."""
        with self._tx() as conn:
            conn.execute("UPDATE edits SET seed_sent = ? WHERE id = ?", (int(seed), edit_id))

    def set_favourite(self, edit_id: int, value: bool) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE edits SET favourite = ? WHERE id = ?", (int(bool(value)), edit_id))

    def delete(self, ids: Iterable[int] | int) -> None:
        """Hide edits (soft delete) so the UI can offer undo; purge_deleted() removes them."""
        self._set_deleted(ids, time.time())

    def undelete(self, ids: Iterable[int] | int) -> None:
        self._set_deleted(ids, None)

    def _set_deleted(self, ids: Iterable[int] | int, when: float | None) -> None:
        id_list = [ids] if isinstance(ids, int) else [int(i) for i in ids]
        with self._tx() as conn:
            conn.executemany(
                "UPDATE edits SET deleted_at = ? WHERE id = ?", [(when, i) for i in id_list]
            )

    def purge_deleted(self, older_than_s: float = 0.0) -> int:
        """Really delete edits soft-deleted at least `older_than_s` ago, and the stored files
        no edit refers to any more (if untouched for as long). Returns edits removed."""
        cutoff = time.time() - older_than_s
        with self._tx() as conn:
            n = conn.execute(
                "DELETE FROM edits WHERE deleted_at IS NOT NULL AND deleted_at <= ?", (cutoff,)
            ).rowcount
            orphans = conn.execute(
                "SELECT sha256, ext FROM blobs WHERE touched_at <= ? AND NOT EXISTS"
                " (SELECT 1 FROM edit_files ef WHERE ef.sha256 = blobs.sha256)"
                # A region edit's mask is named by its request, not in edit_files.
                " AND sha256 NOT IN (SELECT json_extract(request_json,"
                " '$.region.mask_sha256') AS mask FROM edits WHERE mask IS NOT NULL)",
                (cutoff,),
            ).fetchall()
            conn.executemany("DELETE FROM blobs WHERE sha256 = ?", [(s,) for s, _ in orphans])
        for sha, ext in orphans:
            with contextlib.suppress(OSError):
                self.file_path(sha, ext).unlink()
            for thumb in (self.root / "thumbs" / sha[:2]).glob(f"{sha}-*.webp"):
                with contextlib.suppress(OSError):
                    thumb.unlink()  # its small thumbnail (small_thumbnail) goes with it
        return n
