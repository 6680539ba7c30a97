"""The history database's schema: its tables, the migrations between versions, the FTS
index and its tokenizer, and telling a damaged database from a busy one.

Library (core/library.py) opens the connection and calls `migrate` in its first
transaction; nothing here holds state.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from qwen_studio.core.errors import QwenStudioError

Migration = Callable[[sqlite3.Connection], None]

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


def _run_script(statements: Sequence[str]) -> Migration:
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

# Why an edit ended as it did, for code to read (the `error` text is for people): the
# code of its core.errors.Reason ("over_budget", "paid_not_downloaded", …) and the
# Reason's parameters as JSON. And the results a service billed that were not downloaded
# (core/paid_results.py): their links, while valid, so a retry downloads them instead of
# paying again; 'expired' rows stay, as what they cost was paid.
_SCHEMA_4_REASONS_AND_PAID = (
    "ALTER TABLE edits ADD COLUMN reason TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE edits ADD COLUMN reason_params TEXT NOT NULL DEFAULT '{}'",
    # Budget skips were told apart by their English text before; give them their code.
    "UPDATE edits SET reason = 'no_price' WHERE status = 'skipped'"
    " AND error LIKE 'over the budget: no price%'",
    "UPDATE edits SET reason = 'over_budget' WHERE status = 'skipped' AND reason = ''"
    " AND error LIKE 'over the budget%'",
    """CREATE TABLE paid_results (
        id INTEGER PRIMARY KEY,
        edit_id INTEGER NOT NULL REFERENCES edits(id) ON DELETE CASCADE,
        identity TEXT NOT NULL DEFAULT '',
        billed_at REAL NOT NULL,
        images INTEGER NOT NULL,
        urls_json TEXT NOT NULL,
        answer_json TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL DEFAULT 'kept' CHECK (state IN ('kept', 'expired'))
    )""",
    "CREATE INDEX ix_paid_results_edit ON paid_results(edit_id)",
    "CREATE INDEX ix_paid_results_identity ON paid_results(identity) WHERE state = 'kept'",
)

# A failed edit's error as codes and data (core/error_record.py: its kind, HTTP status, the
# service's own message, the transport reason's code), so the UI says it in any language
# after a restart; `error` keeps the English. Older rows keep '{}': their text is shown.
_SCHEMA_5_ERROR_DATA = ("ALTER TABLE edits ADD COLUMN error_data TEXT NOT NULL DEFAULT '{}'",)

# Append only: position i migrates user_version i -> i + 1.
MIGRATIONS: list[Migration] = [
    _run_script(_SCHEMA_1), _migration_2_fts, _run_script(_SCHEMA_3_KIT),
    _run_script(_SCHEMA_4_REASONS_AND_PAID), _run_script(_SCHEMA_5_ERROR_DATA),
]


def migrate(conn: sqlite3.Connection, root: Path) -> None:
    """Bring the schema up to date; call inside a write transaction. `root` only names
    the library in the error for a database newer than this code."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise QwenStudioError(
            f"The history in {root} was written by a newer Qwen Studio "
            f"(schema {version}); update the app to open it."
        )
    for step in MIGRATIONS[version:]:
        step(conn)
    if version != len(MIGRATIONS):
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")


def fts_state(conn: sqlite3.Connection) -> tuple[bool, bool]:
    """(has the FTS index, its tokenizer is trigram): how search must phrase its terms.
    Read from the database, not the running SQLite: an older build may have made it."""
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'edits_fts'").fetchone()
    return sql is not None, bool(sql and "trigram" in sql[0])


def is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Corruption or not a database at all, as opposed to locked, busy, read-only, full."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    return type(exc) is sqlite3.DatabaseError  # quick_check's verdict, raised by us
