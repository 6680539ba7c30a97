"""A batch's jobs in the library: create them QUEUED, find interrupted batches, resume them.

Qt-free and synchronous (call from a worker thread). Every job of a batch is a library edit
with the batch's batch_id, so the queue survives a quit or a crash: DONE edits have their
results on disk and never run again; QUEUED and INTERRUPTED ones are what a resume runs.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qwen_studio.core.library import EditRecord, EditStatus
from qwen_studio.core.request import EditRequest

# What a resume runs again. RUNNING is here for edits of a session that died while the
# library was open elsewhere (Library marks them INTERRUPTED only on the next open).
PENDING_STATUSES = frozenset({EditStatus.QUEUED, EditStatus.INTERRUPTED})
_PAGE = 500


@dataclass(frozen=True)
class BatchSummary:
    batch_id: str
    total: int
    done: int
    failed: int
    pending: int
    prompt: str
    created_at: float


def new_batch_id() -> str:
    """Sortable and readable in a file name: batch-20250101-120000-3fa2."""
    return time.strftime("batch-%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def _is_url(s: str) -> bool:
    return s.startswith(("http://", "https://"))


def add_job(
    library: Any, request: EditRequest, batch_id: str, profile_name: str = ""
) -> tuple[int, tuple[Path, ...]]:
    """Store the inputs and record a QUEUED edit. Returns (edit id, stored input copies)."""
    hashes: list[str] = []
    stored: list[Path] = []
    for src in request.inputs:
        if _is_url(src):
            hashes.append(hashlib.sha256(src.encode()).hexdigest())
        else:
            sha, copy = library.store_input(Path(src))
            hashes.append(sha)
            stored.append(copy)
    edit_id = library.create_edit(
        request,
        input_hashes=tuple(hashes),
        profile_name=profile_name,
        batch_id=batch_id,
        status=EditStatus.QUEUED,
    )
    return int(edit_id), tuple(stored)


def update_queued_request(library: Any, edit_id: int, request: EditRequest) -> bool:
    """Change the request of an edit that has not run yet; False once it has started."""
    return bool(library.update_queued_request(edit_id, request))


def batch_records(library: Any, batch_id: str) -> list[EditRecord]:
    """Every live edit of the batch, oldest first (the order they were queued)."""
    out: list[EditRecord] = []
    offset = 0
    while True:
        page = library.query(batch_id=batch_id, offset=offset, limit=_PAGE)
        out += page
        if len(page) < _PAGE:
            break
        offset += _PAGE
    out.sort(key=lambda r: r.id)
    return out


def summarize(batch_id: str, records: Sequence[EditRecord]) -> BatchSummary:
    done = sum(r.status is EditStatus.DONE for r in records)
    failed = sum(r.status is EditStatus.FAILED for r in records)
    pending = sum(r.status in PENDING_STATUSES for r in records)
    return BatchSummary(
        batch_id=batch_id,
        total=len(records),
        done=done,
        failed=failed,
        pending=pending,
        prompt=records[0].request.prompt if records else "",
        created_at=min((r.created_at for r in records), default=0.0),
    )


def interrupted_batches(library: Any, look_back: int = 5) -> list[BatchSummary]:
    """Recent batches with jobs left to run, newest first. Call at start-up, before this
    session queues anything of its own."""
    found = []
    for batch_id in library.batch_ids()[:look_back]:
        summary = summarize(batch_id, batch_records(library, batch_id))
        if summary.pending:
            found.append(summary)
    return found


def requeue(library: Any, edit_id: int) -> None:
    """An interrupted (or stale running) edit goes back to QUEUED before it runs again."""
    library.set_status(edit_id, EditStatus.QUEUED)


def input_sources(record: EditRecord) -> tuple[str, ...]:
    """The inputs to send: the original files if still there, else the library's copies."""
    copies = list(record.input_files)
    out = []
    for src in record.request.inputs:
        if _is_url(src) or Path(src).is_file():
            out.append(src)
            if copies and not _is_url(src):
                copies.pop(0)
        elif copies:
            out.append(str(copies.pop(0)))
        else:
            out.append(src)  # gone everywhere: the job fails naming the file
    return tuple(out)
