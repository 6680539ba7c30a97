"""What the edit queue hands each edit's function (EditContext), and what the function
may raise besides a QwenStudioError: SkipEdit (the work is done already) and, for a bug,
UnexpectedError. Stages and retries go back to the queue as data through the context.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from qwen_studio.core.editing.progress import EditProgress, EditResult, Stage
from qwen_studio.core.endpoint import RetryInfo
from qwen_studio.core.errors import QwenStudioError, RateLimitError, Reason

if TYPE_CHECKING:
    from qwen_studio.core.editing.queue import EditQueue


class SkipEdit(Exception):
    """Raised by the edit function when the work is already done (resume)."""

    def __init__(self, note: Reason, result: EditResult | None = None) -> None:
        super().__init__(str(note))
        self.note = note
        self.result = result


class UnexpectedError(QwenStudioError):
    """A bug in one edit: it fails that edit, never the queue."""


class EditContext:
    """Handed to the edit function: report stages and retries back to the queue."""

    def __init__(self, queue: EditQueue, edit_id: int) -> None:
        self._queue = queue
        self.edit_id = edit_id

    @property
    def progress(self) -> EditProgress:
        return self._queue.edits[self.edit_id]

    def stage(self, stage: Stage, *, max_attempts: int | None = None) -> None:
        changes: dict[str, object] = {"stage": stage, "retry": None}
        if max_attempts is not None:
            changes["max_attempts"] = max_attempts
        self._queue._update(self.edit_id, **changes)

    def upcoming(self, n: int) -> list[EditProgress]:
        """The next `n` queued edits of this edit's batch, in queue order (to prepare
        their inputs ahead); none while the batch is paused."""
        return self._queue.upcoming(self.progress.batch_id, n)

    def release_slot(self, *, bounded: bool = False) -> None:
        """The edit is done with the service (its results are downloaded): its slot goes
        to the next queued edit while this one saves. It still runs (and counts as
        running) until it ends; idempotent. `bounded`: not while `limit` edits save."""
        self._queue._release_slot(self.edit_id, bounded=bounded)

    def on_retry(self, info: RetryInfo) -> None:
        if isinstance(info.error, RateLimitError):
            self._queue._aimd.cut()
        self._queue._update(self.edit_id, stage=Stage.RETRYING, retry=info,
                            attempt=info.attempt + 1, max_attempts=info.max_attempts)


EditFunction = Callable[[EditContext], Awaitable[EditResult]]
