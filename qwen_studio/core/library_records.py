"""EditRecord, the library's answer about one edit, and turning `edits` rows into records.

Every read in core/library_search.py selects COLUMNS and hands the rows to `to_records`,
which fetches the rows' files in one query per chunk rather than one per row.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.error_record import rebuilt_error
from qwen_studio.core.errors import QwenStudioError, Reason
from qwen_studio.core.request import EditRequest

IN_CHUNK = 500  # stay far below SQLITE_MAX_VARIABLE_NUMBER on old builds


@dataclass(frozen=True)
class EditRecord:
    """One edit as the library stores it: its request, status, times and files."""

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
    # Why it ended so, for code (a core.errors.Reason code, "" if none was recorded) and
    # its parameters; `note` rebuilds the Reason for the UI to put in words.
    reason: str = ""
    reason_params: dict[str, str] = field(default_factory=dict, hash=False)
    # Images the service billed for this edit that are not among its results (a download
    # that failed: kept to download again, or its link expired). They were paid for.
    billed_unsaved: int = 0
    # A failure's codes and data (core/error_record.py); {} for none or an older row.
    error_data: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def note(self) -> Reason | None:
        """The recorded reason as a core Reason (None: none, or one this build lacks)."""
        if not self.reason:
            return None
        try:
            return Reason(self.reason, **self.reason_params)
        except (KeyError, IndexError, ValueError):
            return None

    @property
    def failure(self) -> QwenStudioError | None:
        """The recorded error made again from its codes (None: an older row, or none)."""
        return rebuilt_error(self.error_data, self.error) if self.error_data else None

    @property
    def model(self) -> str:
        return self.request.model

    @property
    def seed(self) -> int | None:
        """The seed to show and to reuse: the one sent, else the one asked for."""
        return self.seed_sent if self.seed_sent is not None else self.request.seed


# What every read selects from `edits e`, in the order to_records unpacks.
COLUMNS = (
    "e.id, e.request_json, e.status, e.created_at, e.started_at, e.finished_at, e.error,"
    " e.revised_prompt, e.usage_json, e.timings_json, e.profile_name, e.favourite,"
    " e.parent_id, e.batch_id, e.deleted_at, e.prompt, e.negative_prompt, e.model,"
    " e.seed_sent, e.reason, e.reason_params, e.error_data,"
    " (SELECT coalesce(sum(p.images), 0) FROM paid_results p WHERE p.edit_id = e.id)"
)


_STATUSES = {s.value: s for s in EditStatus}  # a dict lookup, not EditStatus(value)


def _loads(text: str | None) -> dict[str, Any]:
    if not text or text == "{}":  # most rows: three of these each, a page at a time
        return {}
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def to_records(
    conn: sqlite3.Connection,
    rows: Sequence[sqlite3.Row | tuple[Any, ...]],
    file_path: Callable[[str, str], Path],
) -> list[EditRecord]:
    """Rows -> records, fetching the files of all rows in one query per chunk (no N+1).
    `file_path` names a stored file by (sha256, ext); call with the library's lock held."""
    files: dict[int, dict[str, list[tuple[str, str | None]]]] = {}
    ids = [r[0] for r in rows]
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        marks = ",".join("?" * len(chunk))
        for edit_id, role, sha, ext in conn.execute(
            "SELECT ef.edit_id, ef.role, ef.sha256, b.ext FROM edit_files ef"
            " LEFT JOIN blobs b ON b.sha256 = ef.sha256"
            f" WHERE ef.edit_id IN ({marks}) ORDER BY ef.edit_id, ef.role, ef.position",
            chunk,
        ):
            files.setdefault(edit_id, {}).setdefault(role, []).append((sha, ext))
    out = []
    statuses = _STATUSES
    for r in rows:
        (edit_id, request_json, status, created, started, finished, error, revised,
         usage_json, timings_json, profile, fav, parent, batch, deleted_at, prompt,
         negative, model, seed_sent, reason, reason_params, error_data, billed_unsaved) = r
        try:
            request = EditRequest.from_json(request_json)
        except (ValueError, TypeError):
            # A damaged row should not hide the rest of the history.
            request = EditRequest(inputs=(), prompt=prompt, negative_prompt=negative,
                                  model=model or EditRequest.model)
        f = files.get(edit_id)
        inputs = f.get("input", ()) if f else ()
        results = f.get("result", ()) if f else ()
        params = _loads(reason_params)
        rec = object.__new__(EditRecord)
        # Every field, as EditRecord(...) would set them: its generated __init__ sets each
        # of the 23 through object.__setattr__ (frozen), ~5 us a row, a page at a time.
        rec.__dict__.update(
            id=edit_id,
            request=request,
            status=statuses.get(status) or EditStatus(status),
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
            input_hashes=tuple([sha for sha, _ in inputs]),
            input_files=tuple([file_path(s, x) for s, x in inputs if x]),
            result_files=tuple([file_path(s, x or "bin") for s, x in results]),
            deleted=deleted_at is not None,
            seed_sent=seed_sent,
            reason=reason or "",
            reason_params={str(k): str(v) for k, v in params.items()} if params else {},
            billed_unsaved=int(billed_unsaved or 0),
            error_data=_loads(error_data),
        )
        out.append(rec)
    return out


def request_with_stored_inputs(rec: EditRecord) -> EditRequest:
    """The edit's request with its inputs pointing at the library's copies when the user's
    original files are gone (moved, deleted, or another computer)."""
    by_hash = {p.stem: p for p in rec.input_files}
    inputs = []
    for pos, src in enumerate(rec.request.inputs):
        sha = rec.input_hashes[pos] if pos < len(rec.input_hashes) else None
        stored = by_hash.get(sha) if sha else None
        if src.startswith(("http://", "https://")) or stored is None or Path(src).is_file():
            inputs.append(src)
        else:
            inputs.append(str(stored))
    return rec.request.with_changes(inputs=tuple(inputs))
