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
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qwen_studio.core import paths
from qwen_studio.core.atomic import TEMP_PREFIX, write_atomic
from qwen_studio.core.editing.status import FAILED_STATUSES as _FAILED
from qwen_studio.core.editing.status import FINISHED_STATUSES, EditStatus
from qwen_studio.core.errors import InputImageError, QwenStudioError, Reason
from qwen_studio.core.request import EditRequest

log = logging.getLogger(__name__)

DB_NAME = "library.sqlite3"
# Temp files younger than this may belong to another process that is writing right now.
STALE_TEMP_AGE_S = 15 * 60
_IN_CHUNK = 500  # stay far below SQLITE_MAX_VARIABLE_NUMBER on old builds


# The one status vocabulary lives with the edit service; re-exported here for the library's
# own callers. FAILED_STATUSES as stored values, for SQL.
FAILED_STATUSES = tuple(s.value for s in _FAILED)


@dataclass(frozen=True)
class EditRecord:
    id: int
    request: EditRequest
    status: EditStatus
    created_at: float
    started_at: float | None
    finished_at: float | None
    error: str
    revised_prompt: str
    usage: dict[str, Any] = field(hash=False)
    timings: dict[str, Any] = field(hash=False)
    profile_name: str
    favourite: bool
    parent_id: int | None
    batch_id: str | None
    input_hashes: tuple[str, ...]
    # Stored copies of the inputs that are files (an http(s) URL input has a hash but no
    # stored file, so this can be shorter than input_hashes).
    input_files: tuple[Path, ...]
    result_files: tuple[Path, ...]
    deleted: bool = False
    # The seed actually sent (drawn by the app when the request left it random; the
    # request keeps None, which is the edit's identity). None: not sent yet, or an edit
    # from before seeds were recorded.
    seed_sent: int | None = None

    @property
    def model(self) -> str:
        return self.request.model

    @property
    def seed(self) -> int | None:
        """The seed to show and to reuse: the one sent, else the one asked for."""
        return self.seed_sent if self.seed_sent is not None else self.request.seed


# -- schema ------------------------------------------------------------------------------------

_SCHEMA_1 = (
    """CREATE TABLE edits (
        id INTEGER PRIMARY KEY,
        created_at REAL NOT NULL,
        started_at REAL,
        finished_at REAL,
        status TEXT NOT NULL,
        error TEXT NOT NULL DEFAULT '',
        request_json TEXT NOT NULL,
        prompt TEXT NOT NULL DEFAULT '',
        negative_prompt TEXT NOT NULL DEFAULT '',
        revised_prompt TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        usage_json TEXT NOT NULL DEFAULT '{}',
        timings_json TEXT NOT NULL DEFAULT '{}',
        profile_name TEXT NOT NULL DEFAULT '',
        favourite INTEGER NOT NULL DEFAULT 0,
        parent_id INTEGER REFERENCES edits(id) ON DELETE SET NULL,
        batch_id TEXT,
        owner TEXT,
        deleted_at REAL
    )""",
    """CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        ext TEXT NOT NULL,
        size INTEGER NOT NULL,
        touched_at REAL NOT NULL
    )""",
    # No foreign key to blobs: an http(s) input has a hash (of its URL) but no stored file.
    """CREATE TABLE edit_files (
        edit_id INTEGER NOT NULL REFERENCES edits(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('input', 'result')),
        position INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (edit_id, role, position)
    )""",
    # The UI pages newest-first through live edits; the partial index serves exactly that.
    "CREATE INDEX ix_edits_live_created ON edits(created_at DESC, id DESC)"
    " WHERE deleted_at IS NULL",
    "CREATE INDEX ix_edits_created ON edits(created_at DESC, id DESC)",
    "CREATE INDEX ix_edits_status ON edits(status, created_at DESC)",
    "CREATE INDEX ix_edits_favourite ON edits(favourite, created_at DESC) WHERE favourite = 1",
    "CREATE INDEX ix_edits_batch ON edits(batch_id, created_at DESC)",
    "CREATE INDEX ix_edits_parent ON edits(parent_id)",
    "CREATE INDEX ix_edits_deleted ON edits(deleted_at) WHERE deleted_at IS NOT NULL",
    "CREATE INDEX ix_edit_files_sha ON edit_files(sha256, role)",
)


def _fts_tokenizer() -> str:
    # unicode61 does not split CJK text into words; trigram (SQLite >= 3.34) finds any
    # substring of three or more characters in every script.
    if sqlite3.sqlite_version_info >= (3, 34, 0):
        return "trigram"
    return "unicode61 remove_diacritics 2"


def _migration_2_fts(conn: sqlite3.Connection) -> None:
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE edits_fts USING fts5(prompt, negative_prompt, revised_prompt,"
            f" content='edits', content_rowid='id', tokenize='{_fts_tokenizer()}')"
        )
    except sqlite3.OperationalError:
        return  # SQLite built without FTS5: search falls back to LIKE
    for stmt in (
        """CREATE TRIGGER edits_fts_ai AFTER INSERT ON edits BEGIN
            INSERT INTO edits_fts(rowid, prompt, negative_prompt, revised_prompt)
            VALUES (new.id, new.prompt, new.negative_prompt, new.revised_prompt); END""",
        """CREATE TRIGGER edits_fts_ad AFTER DELETE ON edits BEGIN
            INSERT INTO edits_fts(edits_fts, rowid, prompt, negative_prompt, revised_prompt)
            VALUES ('delete', old.id, old.prompt, old.negative_prompt, old.revised_prompt); END""",
        """CREATE TRIGGER edits_fts_au AFTER UPDATE OF prompt, negative_prompt, revised_prompt
            ON edits BEGIN
            INSERT INTO edits_fts(edits_fts, rowid, prompt, negative_prompt, revised_prompt)
            VALUES ('delete', old.id, old.prompt, old.negative_prompt, old.revised_prompt);
            INSERT INTO edits_fts(rowid, prompt, negative_prompt, revised_prompt)
            VALUES (new.id, new.prompt, new.negative_prompt, new.revised_prompt); END""",
        "INSERT INTO edits_fts(edits_fts) VALUES ('rebuild')",
    ):
        conn.execute(stmt)


def _run_script(statements: Sequence[str]):
    def migrate(conn: sqlite3.Connection) -> None:
        for stmt in statements:
            conn.execute(stmt)

    return migrate


# The designer's kit (core/prompt_library.py, core/seeds.py): saved prompt snippets, and
# the seed actually sent when the request left it random (the request keeps "random": it
# is the edit's identity; the drawn seed is its outcome).
_SCHEMA_3_KIT = (
    """CREATE TABLE prompt_snippets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        text TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'prompt' CHECK (kind IN ('prompt', 'negative')),
        starred INTEGER NOT NULL DEFAULT 0,
        position INTEGER NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    )""",
    "CREATE INDEX ix_prompt_snippets_order ON prompt_snippets(kind, starred DESC, position)",
    "CREATE TABLE prompt_library_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "ALTER TABLE edits ADD COLUMN seed_sent INTEGER",
)

# Append only: position i migrates user_version i -> i + 1.
MIGRATIONS = [_run_script(_SCHEMA_1), _migration_2_fts, _run_script(_SCHEMA_3_KIT)]


# -- helpers -----------------------------------------------------------------------------------

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
    (b"II*\x00", "tif"),
    (b"MM\x00*", "tif"),
)


def sniff_extension(data: bytes) -> str | None:
    """File extension from the first bytes of an image, or None if not recognised."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    for magic, ext in _MAGIC:
        if data.startswith(magic):
            return ext
    return None


def _clean_ext(suffix: str) -> str:
    ext = re.sub(r"[^a-z0-9]", "", suffix.lower())[:8]
    return {"jpeg": "jpg", "tiff": "tif"}.get(ext, ext) or "bin"


@functools.cache
def _cjk() -> re.Pattern[str]:
    # Compiled on first search, not at import: the character class takes ~4 ms to compile.
    return re.compile(
        "[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef"
        "\U00020000-\U0003ffff]"
    )


def _like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _loads(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Corruption or not a database at all, as opposed to locked, busy, read-only, full."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    return type(exc) is sqlite3.DatabaseError  # quick_check's verdict, raised by us


class _SessionLock:
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


# -- the library -------------------------------------------------------------------------------


class Library:
    """Persistent history of edits. Thread-safe; every method may be called from any thread."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else paths.library_dir()
        self.root.mkdir(parents=True, exist_ok=True)
        self.files_dir = self.root / "files"
        self.db_path = self.root / DB_NAME
        self._lock = threading.RLock()
        self._session = os.urandom(16).hex()  # uuid would pull in platform at start-up
        self._session_lock = _SessionLock(self.root / "sessions" / f"{self._session}.lock")
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
                if not _is_damage(exc):
                    raise
                self._start_fresh(exc)
            conn = self.conn
            self._has_fts = bool(
                conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'edits_fts'"
                ).fetchone()
            )
            sql = conn.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'edits_fts'"
            ).fetchone()
            self._fts_trigram = bool(sql and "trigram" in sql[0])
            self._recover_interrupted()
            self._remove_stale_temps()
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
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise QwenStudioError(
                    f"The history in {self.root} was written by a newer Qwen Studio "
                    f"(schema {version}); update the app to open it."
                )
            for migrate in MIGRATIONS[version:]:
                migrate(conn)
            if version != len(MIGRATIONS):
                conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")

    def _recover_interrupted(self) -> None:
        """RUNNING edits whose process is gone (crash, kill, power loss) become INTERRUPTED."""
        sessions = self.root / "sessions"
        with self._tx() as conn:
            owners = [
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT owner FROM edits WHERE status = ?", (EditStatus.RUNNING,)
                )
            ]
            dead: list[str | None] = []
            for owner in owners:
                if owner == self._session:
                    continue
                if owner is None or not re.fullmatch(r"[0-9a-f]{32}", owner):
                    dead.append(owner)
                    continue
                probe = _SessionLock(sessions / f"{owner}.lock")
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
            if lock_file.stem == self._session:
                continue
            probe = _SessionLock(lock_file)
            if probe.try_acquire():
                probe.release()

    def _remove_stale_temps(self) -> None:
        # Runs after _recover_interrupted, so the lock files left are live sessions'. With no
        # other process holding the library, every temp file is a killed run's leftover;
        # otherwise only old ones are surely nobody's (a fresh one may be mid-write).
        others = any(f.stem != self._session for f in (self.root / "sessions").glob("*.lock"))
        cutoff = time.time() - STALE_TEMP_AGE_S if others else float("inf")
        dirs = [self.root]
        if self.files_dir.is_dir():
            dirs += [d for d in self.files_dir.iterdir() if d.is_dir()]
        for d in dirs:
            for p in d.glob(TEMP_PREFIX + "*"):
                with contextlib.suppress(OSError):
                    if p.stat().st_mtime < cutoff:
                        p.unlink()

    # -- files ---------------------------------------------------------------------------------
    def file_path(self, sha256: str, ext: str) -> Path:
        return self.files_dir / sha256[:2] / f"{sha256}.{ext}"

    def path_for_hash(self, sha256: str) -> Path | None:
        """The stored file with this content, if the library has it (a region edit's mask:
        the recorder finds it for a re-run, the window for a recall)."""
        with self._lock:
            row = self.conn.execute(
                "SELECT ext FROM blobs WHERE sha256 = ?", (sha256,)
            ).fetchone()
        return self.file_path(sha256, row[0]) if row else None

    def _write_blob(self, data: bytes, ext: str) -> tuple[str, str, Path]:
        import hashlib  # loads OpenSSL (~2.5 ms): not before the window's first frame

        sha = hashlib.sha256(data).hexdigest()
        with self._lock:
            row = self.conn.execute("SELECT ext FROM blobs WHERE sha256 = ?", (sha,)).fetchone()
        if row:
            ext = row[0]  # same content stored before: keep its name
        path = self.file_path(sha, ext)
        if not path.exists() or path.stat().st_size != len(data):
            write_atomic(path, data)  # content-addressed: a concurrent writer writes the same
        return sha, ext, path

    def _register_blobs(self, conn: sqlite3.Connection, blobs: Iterable[tuple[str, str, int]]):
        now = time.time()
        conn.executemany(
            "INSERT INTO blobs(sha256, ext, size, touched_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(sha256) DO UPDATE SET touched_at = excluded.touched_at",
            [(sha, ext, size, now) for sha, ext, size in blobs],
        )

    def store_bytes(self, data: bytes, suffix: str) -> tuple[str, Path]:
        """Keep `data` (exactly these bytes) in the library; returns (sha256, stored path)."""
        sha, ext, path = self._write_blob(bytes(data), _clean_ext(suffix))
        with self._tx() as conn:
            self._register_blobs(conn, [(sha, ext, len(data))])
        return sha, path

    def store_input(self, path: Path) -> tuple[str, Path]:
        """Copy an input image into the library (once per content); returns (sha256, copy)."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise InputImageError(str(path), Reason("unreadable", detail=e.strerror or e)) from e
        ext = sniff_extension(data[:16]) or _clean_ext(path.suffix)
        return self.store_bytes(data, ext)

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

    def set_status(self, edit_id: int, status: EditStatus, *, error: str = "") -> None:
        """Move an edit along QUEUED -> RUNNING -> FAILED/CANCELLED/INTERRUPTED (or back to
        QUEUED for a retry). DONE is reached only through complete_edit, and is final."""
        status = EditStatus(status)
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
                    " error = ?, owner = ? WHERE id = ?",
                    (status.value, now, error, self._session, edit_id),
                )
            elif status is EditStatus.QUEUED:
                conn.execute(
                    "UPDATE edits SET status = ?, started_at = NULL, finished_at = NULL,"
                    " error = ?, owner = NULL WHERE id = ?",
                    (status.value, error, edit_id),
                )
            else:
                conn.execute(
                    "UPDATE edits SET status = ?, finished_at = ?, error = ?, owner = NULL"
                    " WHERE id = ?",
                    (status.value, now, error, edit_id),
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
            conn.execute(
                "UPDATE edits SET status = ?, finished_at = ?, error = '', owner = NULL,"
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

    # -- reading -------------------------------------------------------------------------------
    _COLUMNS = (
        "e.id, e.request_json, e.status, e.created_at, e.started_at, e.finished_at, e.error,"
        " e.revised_prompt, e.usage_json, e.timings_json, e.profile_name, e.favourite,"
        " e.parent_id, e.batch_id, e.deleted_at, e.prompt, e.negative_prompt, e.model,"
        " e.seed_sent"
    )

    def _records(self, rows: list[sqlite3.Row | tuple]) -> list[EditRecord]:
        """Rows -> records, fetching the files of all rows in one query per chunk (no N+1)."""
        files: dict[int, dict[str, list[tuple[str, str | None]]]] = {}
        ids = [r[0] for r in rows]
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            for edit_id, role, sha, ext in self.conn.execute(
                "SELECT ef.edit_id, ef.role, ef.sha256, b.ext FROM edit_files ef"
                " LEFT JOIN blobs b ON b.sha256 = ef.sha256"
                f" WHERE ef.edit_id IN ({marks}) ORDER BY ef.edit_id, ef.role, ef.position",
                chunk,
            ):
                files.setdefault(edit_id, {}).setdefault(role, []).append((sha, ext))
        out = []
        for r in rows:
            (edit_id, request_json, status, created, started, finished, error, revised,
             usage_json, timings_json, profile, fav, parent, batch, deleted_at, prompt,
             negative, model, seed_sent) = r
            try:
                request = EditRequest.from_json(request_json)
            except (ValueError, TypeError):
                # A damaged row should not hide the rest of the history.
                request = EditRequest(inputs=(), prompt=prompt, negative_prompt=negative,
                                      model=model or EditRequest.model)
            f = files.get(edit_id, {})
            inputs = f.get("input", [])
            results = f.get("result", [])
            out.append(
                EditRecord(
                    id=edit_id,
                    request=request,
                    status=EditStatus(status),
                    created_at=created,
                    started_at=started,
                    finished_at=finished,
                    error=error,
                    revised_prompt=revised,
                    usage=_loads(usage_json),
                    timings=_loads(timings_json),
                    profile_name=profile,
                    favourite=bool(fav),
                    parent_id=parent,
                    batch_id=batch,
                    input_hashes=tuple(sha for sha, _ in inputs),
                    input_files=tuple(self.file_path(s, x) for s, x in inputs if x),
                    result_files=tuple(self.file_path(s, x or "bin") for s, x in results),
                    deleted=deleted_at is not None,
                    seed_sent=seed_sent,
                )
            )
        return out

    def get(self, edit_id: int) -> EditRecord | None:
        """Any edit by id, soft-deleted ones included (see EditRecord.deleted)."""
        with self._lock:
            rows = self.conn.execute(
                f"SELECT {self._COLUMNS} FROM edits e WHERE e.id = ?", (edit_id,)
            ).fetchall()
            recs = self._records(rows)
        return recs[0] if recs else None

    def _search_sql(self, text: str | None) -> tuple[list[str], list[Any]]:
        """WHERE clauses for user search text. Every term must match (AND); terms are
        quoted, so quotes, AND/OR/NOT, * or parentheses are searched for, never parsed."""
        if not text:
            return [], []
        # Quotes would end our quoting; NUL ends an SQL string inside FTS5's parser.
        terms = re.sub(r'["\x00-\x1f]', " ", text).split()
        fts_terms: list[str] = []
        clauses: list[str] = []
        params: list[Any] = []
        for term in terms:
            if self._has_fts and self._fts_trigram and len(term) >= 3:
                fts_terms.append(f'"{term}"')  # trigram: substring, any script
            elif self._has_fts and not self._fts_trigram and not _cjk().search(term):
                fts_terms.append(f'"{term}"*')  # word prefix, for type-ahead
            else:
                # Short or CJK terms the index cannot answer: plain substring scan.
                clauses.append(
                    "(e.prompt LIKE ? ESCAPE '\\' OR e.negative_prompt LIKE ? ESCAPE '\\'"
                    " OR e.revised_prompt LIKE ? ESCAPE '\\')"
                )
                params += [_like_pattern(term)] * 3
        if fts_terms:
            clauses.insert(0, "e.id IN (SELECT rowid FROM edits_fts WHERE edits_fts MATCH ?)")
            params.insert(0, " ".join(fts_terms))
        return clauses, params

    def _where(
        self,
        text: str | None,
        favourites_only: bool,
        failed_only: bool,
        batch_id: str | None,
        ids: Sequence[int] | None = None,
        after_id: int | None = None,
    ) -> tuple[str, list[Any]]:
        clauses = ["e.deleted_at IS NULL"]
        params: list[Any] = []
        if ids is not None:
            id_list = [int(i) for i in ids]
            if len(id_list) <= _IN_CHUNK:
                clauses.append(f"e.id IN ({','.join('?' * len(id_list))})" if id_list else "0")
                params += id_list
            else:  # one bound parameter, far past SQLITE_MAX_VARIABLE_NUMBER (needs JSON1)
                clauses.append("e.id IN (SELECT value FROM json_each(?))")
                params.append(json.dumps(id_list))
        if after_id is not None:
            clauses.append("e.id > ?")
            params.append(int(after_id))
        if favourites_only:
            clauses.append("e.favourite = 1")
        if failed_only:
            clauses.append("e.status IN (?, ?)")
            params += list(FAILED_STATUSES)
        if batch_id is not None:
            clauses.append("e.batch_id = ?")
            params.append(batch_id)
        search, search_params = self._search_sql(text)
        return " AND ".join(clauses + search), params + search_params

    def query(
        self,
        text: str | None = None,
        *,
        favourites_only: bool = False,
        failed_only: bool = False,
        batch_id: str | None = None,
        offset: int = 0,
        limit: int = 100,
        ids: Sequence[int] | None = None,
        after_id: int | None = None,
    ) -> list[EditRecord]:
        """Live (not deleted) edits, newest first. `failed_only` means FAILED or INTERRUPTED.

        `ids` keeps only those edits; `after_id` only edits with a larger id, i.e. recorded
        after it (what a poll for new rows asks: an indexed range, not a scan)."""
        where, params = self._where(text, favourites_only, failed_only, batch_id, ids, after_id)
        # With an id range or list, sort the few rows it finds ("+" keeps the planner off the
        # created_at index, which would walk the whole history to order it).
        order = "+e.created_at" if ids is not None or after_id is not None else "e.created_at"
        with self._lock:
            rows = self.conn.execute(
                f"SELECT {self._COLUMNS} FROM edits e WHERE {where}"
                f" ORDER BY {order} DESC, e.id DESC LIMIT ? OFFSET ?",
                [*params, max(int(limit), 0), max(int(offset), 0)],
            ).fetchall()
            return self._records(rows)

    def query_page(
        self,
        text: str | None = None,
        *,
        favourites_only: bool = False,
        failed_only: bool = False,
        batch_id: str | None = None,
        before: tuple[float, int] | None = None,
        limit: int = 100,
        exclude_batches: Collection[str] = (),
    ) -> list[EditRecord]:
        """One page of live edits, newest first, strictly older than `before` (the
        (created_at, id) of the last row of the previous page): keyset paging, so the
        10,000th row costs what the first does and rows written meanwhile never shift a page.

        `exclude_batches` leaves out the edits of batches the caller already holds (the
        history shows a batch as one row and loads its members itself)."""
        where, params = self._where(text, favourites_only, failed_only, batch_id)
        if before is not None:
            where += " AND (e.created_at < ? OR (e.created_at = ? AND e.id < ?))"
            params += [float(before[0]), float(before[0]), int(before[1])]
        batches = sorted({str(b) for b in exclude_batches})
        if batches:
            where += (" AND (e.batch_id IS NULL OR e.batch_id NOT IN"
                      " (SELECT value FROM json_each(?)))")
            params.append(json.dumps(batches))
        with self._lock:
            rows = self.conn.execute(
                f"SELECT {self._COLUMNS} FROM edits e WHERE {where}"
                " ORDER BY e.created_at DESC, e.id DESC LIMIT ?",
                [*params, max(int(limit), 0)],
            ).fetchall()
            return self._records(rows)

    def count(
        self,
        text: str | None = None,
        *,
        favourites_only: bool = False,
        failed_only: bool = False,
        batch_id: str | None = None,
    ) -> int:
        where, params = self._where(text, favourites_only, failed_only, batch_id)
        with self._lock:
            return int(
                self.conn.execute(f"SELECT count(*) FROM edits e WHERE {where}", params)
                .fetchone()[0]
            )

    def children(self, edit_id: int) -> list[EditRecord]:
        """Live edits made from this edit's results, oldest first."""
        with self._lock:
            rows = self.conn.execute(
                f"SELECT {self._COLUMNS} FROM edits e WHERE e.parent_id = ?"
                " AND e.deleted_at IS NULL ORDER BY e.created_at, e.id",
                (edit_id,),
            ).fetchall()
            return self._records(rows)

    def lineage(self, edit_id: int) -> list[EditRecord]:
        """The chain root … edit (deleted ancestors included: the provenance is still true)."""
        with self._lock:
            rows = self.conn.execute(
                "WITH RECURSIVE chain(id, parent_id, depth) AS ("
                " SELECT id, parent_id, 0 FROM edits WHERE id = ?"
                " UNION ALL SELECT e.id, e.parent_id, c.depth + 1 FROM edits e"
                " JOIN chain c ON e.id = c.parent_id WHERE c.depth < 10000)"
                f" SELECT {self._COLUMNS} FROM chain c JOIN edits e ON e.id = c.id"
                " ORDER BY c.depth DESC",
                (edit_id,),
            ).fetchall()
            return self._records(rows)

    def find_by_result_hash(self, sha256: str) -> EditRecord | None:
        """The edit that produced this content (live edits preferred), if any."""
        with self._lock:
            row = self.conn.execute(
                "SELECT ef.edit_id FROM edit_files ef JOIN edits e ON e.id = ef.edit_id"
                " WHERE ef.sha256 = ? AND ef.role = 'result'"
                " ORDER BY e.deleted_at IS NOT NULL, e.created_at DESC LIMIT 1",
                (sha256,),
            ).fetchone()
        return self.get(row[0]) if row else None

    def data_version(self) -> int:
        """Changes whenever another connection (another process, or another Library on the
        same files) commits; this Library's own writes leave it alone. A poller that already
        knows its own writes compares it and skips the queries while it stays the same."""
        with self._lock:
            return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def max_id(self) -> int:
        """The largest edit id recorded so far (0 for an empty library)."""
        with self._lock:
            return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM edits").fetchone()[0])

    def batch_ids(self) -> list[str]:
        """Batch ids of live edits, newest batch first (for a filter menu)."""
        with self._lock:
            return [
                r[0]
                for r in self.conn.execute(
                    "SELECT batch_id FROM edits WHERE batch_id IS NOT NULL AND deleted_at IS NULL"
                    " GROUP BY batch_id ORDER BY max(created_at) DESC"
                )
            ]

    # -- thumbnails ----------------------------------------------------------------------------
    def small_thumbnail(self, path: Path) -> bytes | None:
        """A few-KB WebP of a file the library stores (an input or a result), made once and
        kept under thumbs/, named by the file's content hash like the file itself. None for
        a file that is not the library's (the caller decodes it some other way).

        Slow the first time (decodes the image): call it from a worker thread."""
        from qwen_studio.core.library_thumbs import small_thumbnail

        path = Path(path)
        if path.parent.parent != self.files_dir:
            return None
        return small_thumbnail(path, self.root / "thumbs")

    def thumbnail(self, path: Path, max_side: int = 256) -> Path:
        """A PNG thumbnail of `path`, made once and cached under cache_dir()/thumbnails.

        Keyed by path, size and modification time, so a changed file gets a new thumbnail.
        Slow (decodes the image): call it from a worker thread.
        """
        import hashlib

        from qwen_studio.core.pipeline import make_thumbnail  # decode stack only when needed

        path = Path(path)
        st = path.stat()
        key = hashlib.sha256(
            f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{max_side}".encode()
        ).hexdigest()
        target = paths.cache_dir() / "thumbnails" / key[:2] / f"{key}.png"
        if not target.exists():
            write_atomic(target, make_thumbnail(path, max_side=max_side))
        return target
