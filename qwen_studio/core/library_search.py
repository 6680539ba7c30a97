"""Reading the history: user search text to SQL (FTS or LIKE), the filters, and the
queries the UI and CLI page through (offset or keyset), lineage and lookups.

`LibraryReads` is the read half of core/library.py's Library, which supplies the
connection, its lock and where the files are; it is not used on its own.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import threading
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qwen_studio.core.editing.status import FAILED_STATUSES as _FAILED
from qwen_studio.core.library_records import COLUMNS, IN_CHUNK, EditRecord, to_records

# The one status vocabulary lives with the edit service; re-exported here for the library's
# own callers. FAILED_STATUSES as stored values, for SQL.
FAILED_STATUSES = tuple(s.value for s in _FAILED)


@functools.cache
def _cjk() -> re.Pattern[str]:
    # Compiled on first search, not at import: the character class takes ~4 ms to compile.
    return re.compile(
        "[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef"
        "\U00020000-\U0003ffff]"
    )


def _like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_sql(text: str | None, *, has_fts: bool, trigram: bool) -> tuple[list[str], list[Any]]:
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
        if has_fts and trigram and len(term) >= 3:
            fts_terms.append(f'"{term}"')  # trigram: substring, any script
        elif has_fts and not trigram and not _cjk().search(term):
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


class LibraryReads:
    """Every read of the edits (a mixin of Library, which sets what is declared here)."""

    _lock: threading.RLock
    _has_fts: bool
    _fts_trigram: bool

    if TYPE_CHECKING:  # Library's; declared so the reads type-check on their own

        @property
        def conn(self) -> sqlite3.Connection: ...

        def file_path(self, sha256: str, ext: str) -> Path: ...

    def _records(self, rows: Sequence[sqlite3.Row | tuple[Any, ...]]) -> list[EditRecord]:
        return to_records(self.conn, rows, self.file_path)

    def get(self, edit_id: int) -> EditRecord | None:
        """Any edit by id, soft-deleted ones included (see EditRecord.deleted)."""
        with self._lock:
            rows = self.conn.execute(
                f"SELECT {COLUMNS} FROM edits e WHERE e.id = ?", (edit_id,)
            ).fetchall()
            recs = self._records(rows)
        return recs[0] if recs else None

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
            if len(id_list) <= IN_CHUNK:
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
        search, search_params = search_sql(text, has_fts=self._has_fts, trigram=self._fts_trigram)
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
                f"SELECT {COLUMNS} FROM edits e WHERE {where}"
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
                f"SELECT {COLUMNS} FROM edits e WHERE {where}"
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
                f"SELECT {COLUMNS} FROM edits e WHERE e.parent_id = ?"
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
                f" SELECT {COLUMNS} FROM chain c JOIN edits e ON e.id = c.id"
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
