"""A batch in the library: its id, what is left of it after a quit or a crash, and which
files a resumed edit sends.

Every edit of a batch is a library edit with the batch's batch_id, so the queue survives a
quit or a crash: DONE edits have their results on disk and never run again; QUEUED and
INTERRUPTED ones (and RUNNING ones of a session that died while the library was open
elsewhere) are what a resume runs, with the FAILED ones whose paid result is waiting to be
downloaded (awaiting_download: nothing is sent again for them).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qwen_studio.core.editing.recorder import is_url
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import BUDGET_REASONS
from qwen_studio.core.library import EditRecord

# What a resume offers to run. RUNNING is run too, but not offered: it may be another
# process's batch that is running right now (Library marks a dead session's edits
# INTERRUPTED when it is next opened).

PENDING_STATUSES = frozenset({EditStatus.QUEUED, EditStatus.INTERRUPTED})
RESUMED_STATUSES = PENDING_STATUSES | {EditStatus.RUNNING}


@dataclass(frozen=True)
class BatchSummary:
    batch_id: str
    total: int
    done: int
    failed: int
    pending: int
    prompt: str
    created_at: float
    over_budget: int = 0  # not sent for the budget: resume_batch(budget=...) runs them


# `qwen-studio batch` writes to an output folder; running the same command again is how
# such a batch resumes (its results go to that folder, with the ones already there
# skipped). The window must not offer it: resuming it there would send again, and pay
# again for, edits a rerun of the command has already made.
FOLDER_BATCH_PREFIX = "folder-"


def new_batch_id(*, folder: bool = False) -> str:
    """Sortable and readable in a file name: batch-20250101-120000-3fa2 (folder-batch-...
    for `qwen-studio batch`)."""
    prefix = FOLDER_BATCH_PREFIX if folder else ""
    return prefix + time.strftime("batch-%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def resumed_by_its_command(batch_id: str) -> bool:
    return batch_id.startswith(FOLDER_BATCH_PREFIX)


def summarize(batch_id: str, records: Sequence[EditRecord]) -> BatchSummary:
    return BatchSummary(
        batch_id=batch_id,
        total=len(records),
        done=sum(r.status is EditStatus.DONE for r in records),
        failed=sum(r.status is EditStatus.FAILED and not awaiting_download(r)
                   for r in records),
        pending=sum(r.status in PENDING_STATUSES or awaiting_download(r) for r in records),
        prompt=records[0].request.prompt if records else "",
        created_at=min((r.created_at for r in records), default=0.0),
        over_budget=sum(skipped_for_budget(r) for r in records),
    )


def skipped_for_budget(record: EditRecord) -> bool:
    """Not sent because of its batch's budget (a larger budget can run it)."""
    return (record.status is EditStatus.SKIPPED and not record.result_files
            and record.reason in BUDGET_REASONS)


def awaiting_download(record: EditRecord) -> bool:
    """Billed, not downloaded, its links kept (core/paid_results.py): a resume downloads
    it, which costs nothing more."""
    return record.status is EditStatus.FAILED and record.reason == "paid_not_downloaded"


def label_of(record: EditRecord) -> str:
    return ", ".join(Path(s).name for s in record.request.inputs) or f"edit {record.id}"


def input_sources(record: EditRecord) -> tuple[str, ...]:
    """The inputs to send: the original files if still there, else the library's copies."""
    copies = list(record.input_files)
    out = []
    for src in record.request.inputs:
        if is_url(src) or Path(src).is_file():
            out.append(src)
            if copies and not is_url(src):
                copies.pop(0)
        elif copies:
            out.append(str(copies.pop(0)))
        else:
            out.append(src)  # gone everywhere: the edit fails naming the file
    return tuple(out)
