"""One status vocabulary for an edit, from the queue to the history list.

The values are stored in the library (`edits.status`), printed by `history --json` and
matched by the UI's one status look; never rename one.
"""

from __future__ import annotations

from enum import StrEnum


class EditStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # not sent: already done (resume), or over the batch's budget
    INTERRUPTED = "interrupted"  # the process ended while it ran; a resume runs it again


FINISHED_STATUSES = frozenset(
    {EditStatus.DONE, EditStatus.FAILED, EditStatus.CANCELLED, EditStatus.SKIPPED,
     EditStatus.INTERRUPTED}
)
ACTIVE_STATUSES = frozenset({EditStatus.QUEUED, EditStatus.RUNNING})
# What the "failed" filter shows: edits that did not produce a result and were not stopped
# on purpose.
FAILED_STATUSES = frozenset({EditStatus.FAILED, EditStatus.INTERRUPTED})
