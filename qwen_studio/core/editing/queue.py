"""Edits run with bounded, adaptive concurrency; their state is published as EditProgress.

Concurrency follows AIMD, like TCP: every rate-limit answer halves the number of edits in
flight (never below one), and each run of successes adds one back, up to the user's limit.
So a batch settles at the highest rate the account allows without hammering the service.

The queue knows nothing of the library or of words: the edit function reports stages and
retries as data through its `EditContext`, and returns an `EditResult` (or raises
`SkipEdit`, `EditCancelled`, a QwenStudioError). Ids are the caller's (the recorder's).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import heapq
import logging
import time
from collections.abc import Callable

from qwen_studio.core.editing.edit_context import (
    EditContext,
    EditFunction,
    SkipEdit,
    UnexpectedError,
)
from qwen_studio.core.editing.progress import EditProgress, QueueStats, Stage
from qwen_studio.core.editing.progress_outbox import Listener, ProgressOutbox
from qwen_studio.core.editing.queue_figures import Aimd, QueueFigures
from qwen_studio.core.editing.status import FINISHED_STATUSES, EditStatus
from qwen_studio.core.errors import EditCancelled, QwenStudioError, RateLimitError, Reason
from qwen_studio.core.request import EditRequest

# The context and the function's exceptions live in edit_context.py; named here too, where
# the edit function's callers have always imported them.
__all__ = ["MAX_CONCURRENCY", "RETRYABLE", "EditContext", "EditFunction", "EditQueue",
           "Listener", "SkipEdit", "UnexpectedError"]

log = logging.getLogger(__name__)

MAX_CONCURRENCY = 16
# What retry() and retry_failed() run again.
RETRYABLE = frozenset({EditStatus.FAILED, EditStatus.CANCELLED, EditStatus.INTERRUPTED})


class EditQueue:
    """Runs `edit_function(context)` for each queued edit; at most `limit` at once.

    Use from one asyncio loop (the qasync loop in the GUI). Listeners are called on that
    loop with a new frozen EditProgress for every change.
    """

    def __init__(self, edit_function: EditFunction, *, concurrency: int = 4) -> None:
        self._fn = edit_function
        self._aimd = Aimd(max(1, min(MAX_CONCURRENCY, concurrency)))
        self.edits: dict[int, EditProgress] = {}  # insertion order = queue order
        self._tasks: dict[int, asyncio.Task[None]] = {}
        # The edits holding one of the `limit` slots: a slot covers an edit's use of the
        # service; an edit that only saves now gave its slot back (EditContext.release_slot).
        self._slots: set[int] = set()
        self._paused_all = False
        self._paused: set[str | None] = set()  # batches that start nothing new
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._runner: asyncio.Task[None] | None = None
        self._outbox = ProgressOutbox(log)  # the listeners, and changes on their way
        self._figures = QueueFigures()  # counts per batch and status, kept as they change
        self._ready: dict[str | None, list[tuple[int, int]]] = {}  # batch -> heap of queued
        self._position: dict[int, int] = {}  # edit id -> its place in the queue
        self._closing = False

    # -- observation ----------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self._outbox.subscribe(listener)

    def _publish(self, progress: EditProgress) -> None:
        before = self.edits.get(progress.edit_id)
        self._figures.count(before, -1)
        self._figures.count(progress, 1)
        if progress.status is EditStatus.QUEUED and (
                before is None or before.status is not EditStatus.QUEUED):
            # Queue order is the order edits were first added (a retried edit keeps its
            # place); _next() takes the oldest without walking every edit held.
            position = self._position.setdefault(progress.edit_id, len(self._position))
            heapq.heappush(self._ready.setdefault(progress.batch_id, []),
                           (position, progress.edit_id))
        self.edits[progress.edit_id] = progress
        self._outbox.publish(progress)

    def _update(self, edit_id: int, **changes: object) -> None:
        progress = self.edits.get(edit_id)
        if progress is not None and not progress.finished:
            self._publish(dataclasses.replace(progress, **changes))  # type: ignore[arg-type]

    @property
    def concurrency(self) -> int:
        return self._aimd.ceiling

    @property
    def current_limit(self) -> int:
        return int(self._aimd.limit)

    def paused(self, batch_id: str | None = None) -> bool:
        return self._paused_all or batch_id in self._paused

    def ordered(self, batch_id: str | None = None) -> list[EditProgress]:
        return [p for p in self.edits.values() if batch_id is None or p.batch_id == batch_id]

    def unfinished_singles(self) -> list[EditProgress]:
        """Single edits (no batch) queued or running, in queue order. Asked on every
        refresh of the window's status: it looks at the edits only when there are some."""
        if not self._figures.live(None):
            return []
        return [p for p in self.edits.values() if p.batch_id is None and not p.finished]

    def stats(self, batch_id: str | None = None) -> QueueStats:
        return self._figures.stats(batch_id, self.current_limit)

    # -- control --------------------------------------------------------------------------
    def set_concurrency(self, value: int) -> None:
        aimd = self._aimd
        was_at_ceiling = aimd.limit >= aimd.ceiling
        aimd.ceiling = max(1, min(MAX_CONCURRENCY, value))
        # Raised while no rate limit holds the limit down: the user's number applies now,
        # not after an additive climb of one per run of successes.
        aimd.limit = float(aimd.ceiling) if was_at_ceiling else min(aimd.limit, aimd.ceiling)
        self._wake.set()

    def add(self, progress: EditProgress) -> None:
        """Queue an edit (status QUEUED), or list one that finished in an earlier session
        (resume): listed and counted, not run; a failed or cancelled one can be retried."""
        if progress.finished:
            now = time.monotonic()
            progress = dataclasses.replace(progress, stage=Stage.FINISHED, started_at=now,
                                           finished_at=now)
            self._figures.forget_earlier(self.edits.get(progress.edit_id))  # a second resume
            self._figures.listed_earlier(progress)
        self._publish(progress)
        if not progress.finished:
            self._wake.set()

    def update_request(self, edit_id: int, request: EditRequest) -> bool:
        """Edit a queued edit before it runs; refused once it has started."""
        p = self.edits.get(edit_id)
        if p is None or p.status is not EditStatus.QUEUED:
            return False
        self._publish(dataclasses.replace(p, request=request))
        return True

    def remove(self, edit_id: int) -> bool:
        p = self.edits.get(edit_id)
        if p is None or p.status is EditStatus.RUNNING:
            return False
        self._figures.forget_earlier(p)
        self._figures.count(p, -1)
        del self.edits[edit_id]
        return True

    def start(self) -> None:
        if self._runner is None or self._runner.done():
            self._runner = asyncio.ensure_future(self._run())
        self._wake.set()

    def pause(self, batch_id: str | None = None, *, everything: bool = False) -> None:
        """Start no new edits (of one batch, or at all); running ones finish."""
        if everything:
            self._paused_all = True
        else:
            self._paused.add(batch_id)

    def resume(self, batch_id: str | None = None, *, everything: bool = False) -> None:
        if everything:
            self._paused_all = False
        else:
            self._paused.discard(batch_id)
        self._wake.set()

    def cancel(self, edit_id: int, *, note: Reason | None = None) -> None:
        """Cancel an edit; `note` says why (a queued edit's, e.g. the output stopped)."""
        p = self.edits.get(edit_id)
        if p is None or p.finished:
            return
        task = self._tasks.get(edit_id)
        if task is not None:
            task.cancel()  # the edit's task marks it cancelled once the request is aborted
        else:
            self._finish(edit_id, EditStatus.CANCELLED, note=note)

    def cancel_batch(self, batch_id: str | None) -> None:
        for p in self.ordered():
            if p.batch_id == batch_id:
                self.cancel(p.edit_id)

    def cancel_all(self) -> None:
        for edit_id in list(self.edits):
            self.cancel(edit_id)

    def retry(self, edit_id: int) -> bool:
        p = self.edits.get(edit_id)
        if p is None or p.status not in RETRYABLE:
            return False
        self._figures.forget_earlier(p)
        self._publish(dataclasses.replace(
            p, status=EditStatus.QUEUED, stage=Stage.QUEUED, error=None, note=None, retry=None,
            attempt=0, started_at=None, finished_at=None, result=None))
        self._wake.set()
        return True

    def retry_failed(self, batch_id: str | None = None) -> int:
        failed = [p.edit_id for p in self.ordered(batch_id)
                  if p.status in (EditStatus.FAILED, EditStatus.INTERRUPTED)]
        for edit_id in failed:
            self.retry(edit_id)
        return len(failed)

    async def wait_idle(self, batch_id: str | None = None) -> None:
        """Until nothing (of the batch) is queued or running, paused batches aside."""
        while self._has_work(batch_id):
            self._idle.clear()
            await self._idle.wait()

    async def close(self) -> None:
        """Stop: in-flight edits end INTERRUPTED; queued ones stay queued (a resume runs
        them again)."""
        self._closing = True
        self._paused_all = True
        for task in list(self._tasks.values()):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner

    # -- internals ------------------------------------------------------------------------
    def _has_work(self, batch_id: str | None = None) -> bool:
        return self._figures.has_work(batch_id, self.paused)

    def _finish(self, edit_id: int, status: EditStatus, **changes: object) -> None:
        p = self.edits.get(edit_id)
        if p is None:
            return
        assert status in FINISHED_STATUSES
        self._publish(dataclasses.replace(  # type: ignore[arg-type]
            p, status=status, stage=Stage.FINISHED, retry=None,
            finished_at=time.monotonic(), **changes))

    def _next(self) -> EditProgress | None:
        """The oldest queued edit; a single edit (no batch) goes before any batch's, so an
        edit from the window does not wait behind a queued folder."""
        if self._paused_all:
            return None
        first: tuple[int, int] | None = None
        for batch, heap in self._ready.items():
            if batch in self._paused:
                continue
            while heap and not self._waiting(heap[0][1], batch):
                heapq.heappop(heap)  # ran, cancelled or removed since it was queued
            if not heap:
                continue
            if batch is None:
                return self.edits[heap[0][1]]
            if first is None or heap[0] < first:
                first = heap[0]
        return self.edits[first[1]] if first is not None else None

    def upcoming(self, batch_id: str | None, n: int) -> list[EditProgress]:
        heap = self._ready.get(batch_id)
        if not heap or self.paused(batch_id):
            return []
        out: list[EditProgress] = []
        # The heap may still hold edits that ran or were cancelled (_next drops them).
        for _, edit_id in heapq.nsmallest(n + 8, heap):
            if self._waiting(edit_id, batch_id):
                out.append(self.edits[edit_id])
                if len(out) == n:
                    break
        return out

    def _waiting(self, edit_id: int, batch_id: str | None) -> bool:
        p = self.edits.get(edit_id)
        return p is not None and p.status is EditStatus.QUEUED and p.batch_id == batch_id

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            self._fill()
            self._idle.set()  # every waiter re-checks its own batch
            await self._wake.wait()

    def _fill(self) -> None:
        """Start queued edits while there are free slots."""
        while len(self._slots) < self.current_limit:
            p = self._next()
            if p is None:
                break
            self._launch(p)

    def _launch(self, p: EditProgress) -> None:
        now = time.monotonic()
        self._figures.started.setdefault(p.batch_id, now)
        running = dataclasses.replace(
            p, status=EditStatus.RUNNING, stage=Stage.PREPARING, attempt=1, retry=None,
            started_at=now, finished_at=None)
        self._publish(running)
        if self.edits.get(p.edit_id) is not running:
            return  # a listener cancelled (or removed) it as it started: nothing is sent
        task = asyncio.ensure_future(self._execute(p.edit_id))
        self._tasks[p.edit_id] = task
        self._slots.add(p.edit_id)
        task.add_done_callback(functools.partial(self._reap, p.edit_id))

    def _release_slot(self, edit_id: int, *, bounded: bool = False) -> None:
        # `bounded`: kept while `limit` edits save beyond those in slots already (results
        # paid for and not yet on disk stay bounded however slow the disk is).
        if bounded and len(self._tasks) - len(self._slots) >= self.current_limit:
            return
        if edit_id in self._slots:
            self._slots.discard(edit_id)
            if not self._closing:
                with self._outbox.held():
                    self._fill()

    def _reap(self, edit_id: int, task: asyncio.Task[None]) -> None:
        # A task cancelled before its first step never runs _execute's body (no except, no
        # finally): without this its edit stayed RUNNING for good, holding a slot.
        if self._tasks.get(edit_id) is not task:
            return
        del self._tasks[edit_id]
        self._slots.discard(edit_id)
        p = self.edits.get(edit_id)
        if p is not None and p.status is EditStatus.RUNNING:
            self._finish(edit_id, EditStatus.INTERRUPTED if self._closing
                         else EditStatus.CANCELLED)
        self._wake.set()

    async def _execute(self, edit_id: int) -> None:
        end: tuple[EditStatus, dict[str, object]] | None = None
        try:
            result = await self._fn(EditContext(self, edit_id))
        except SkipEdit as skip:
            end = EditStatus.SKIPPED, {"note": skip.note, "result": skip.result}
        except (asyncio.CancelledError, EditCancelled):
            end = (EditStatus.INTERRUPTED if self._closing else EditStatus.CANCELLED), {}
        except QwenStudioError as exc:
            if isinstance(exc, RateLimitError):
                self._aimd.cut()
            end = EditStatus.FAILED, {"error": exc}
        except Exception as exc:  # one edit's bug must not stop the queue
            err = UnexpectedError(f"unexpected error ({type(exc).__name__}: {exc})")
            end = EditStatus.FAILED, {"error": err}
        else:
            self._aimd.success()
            end = EditStatus.DONE, {"result": result}
        finally:
            self._tasks.pop(edit_id, None)
            self._slots.discard(edit_id)
            # The next edit takes the slot before this one's end is reported: a listener
            # never sees nothing running while queued work waits for the loop's next pass
            # (the window's in-flight count flashed "Idle" between two edits).
            with self._outbox.held():
                if end is not None:
                    self._finish(edit_id, end[0], **end[1])
                if not self._closing:
                    self._fill()
            self._wake.set()
