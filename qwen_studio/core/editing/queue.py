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
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from qwen_studio.core.editing.progress import EditProgress, EditResult, QueueStats, Stage
from qwen_studio.core.editing.status import FINISHED_STATUSES, EditStatus
from qwen_studio.core.endpoint import RetryInfo
from qwen_studio.core.errors import EditCancelled, QwenStudioError, RateLimitError, Reason
from qwen_studio.core.request import EditRequest

MAX_CONCURRENCY = 16
# What retry() and retry_failed() run again.
RETRYABLE = frozenset({EditStatus.FAILED, EditStatus.CANCELLED, EditStatus.INTERRUPTED})


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

    def on_retry(self, info: RetryInfo) -> None:
        if isinstance(info.error, RateLimitError):
            self._queue._aimd.cut()
        self._queue._update(self.edit_id, stage=Stage.RETRYING, retry=info,
                            attempt=info.attempt + 1, max_attempts=info.max_attempts)


EditFunction = Callable[[EditContext], Awaitable[EditResult]]
Listener = Callable[[EditProgress], None]


@dataclass
class _Aimd:
    ceiling: int
    limit: float = field(init=False)
    streak: int = 0
    last_cut: float = 0.0

    def __post_init__(self) -> None:
        self.limit = float(self.ceiling)

    def cut(self) -> None:
        # Several in-flight requests hit the same 429 burst: cut once per burst, not per answer.
        now = time.monotonic()
        if now - self.last_cut > 1.0:
            self.limit = max(1.0, self.limit / 2)
            self.last_cut = now
        self.streak = 0

    def success(self) -> None:
        self.streak += 1
        if self.streak >= max(1, int(self.limit)):
            self.limit = min(float(self.ceiling), self.limit + 1)
            self.streak = 0


class EditQueue:
    """Runs `edit_function(context)` for each queued edit; at most `limit` at once.

    Use from one asyncio loop (the qasync loop in the GUI). Listeners are called on that
    loop with a new frozen EditProgress for every change.
    """

    def __init__(self, edit_function: EditFunction, *, concurrency: int = 4) -> None:
        self._fn = edit_function
        self._aimd = _Aimd(max(1, min(MAX_CONCURRENCY, concurrency)))
        self.edits: dict[int, EditProgress] = {}  # insertion order = queue order
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._paused_all = False
        self._paused: set[str | None] = set()  # batches that start nothing new
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._runner: asyncio.Task[None] | None = None
        self._listeners: list[Listener] = []
        self._started: dict[str | None, float] = {}  # batch -> first launch this session
        self._earlier: set[int] = set()  # finished in an earlier session (resume)
        self._closing = False

    # -- observation ----------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _publish(self, progress: EditProgress) -> None:
        self.edits[progress.edit_id] = progress
        for listener in list(self._listeners):
            listener(progress)

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

    def stats(self, batch_id: str | None = None) -> QueueStats:
        counts = dict.fromkeys(("queued", "running", "done", "failed", "cancelled",
                                "skipped"), 0)
        total = done_now = 0
        for p in self.edits.values():
            if batch_id is not None and p.batch_id != batch_id:
                continue
            total += 1
            key = "failed" if p.status is EditStatus.INTERRUPTED else p.status.value
            counts[key] += 1
            if p.status is EditStatus.DONE and p.edit_id not in self._earlier:
                done_now += 1
        throughput, eta = 0.0, None
        # Edits finished in an earlier session say nothing about this session's speed.
        started = self._started.get(batch_id) if batch_id is not None else (
            min(self._started.values(), default=None))
        if started is not None and done_now:
            minutes = (time.monotonic() - started) / 60
            throughput = done_now / minutes if minutes > 0 else 0.0
            remaining = counts["queued"] + counts["running"]
            eta = remaining / throughput * 60 if throughput else None
        return QueueStats(total=total, limit=self.current_limit, throughput_per_min=throughput,
                          eta_s=eta, **counts)

    # -- control --------------------------------------------------------------------------
    def set_concurrency(self, value: int) -> None:
        self._aimd.ceiling = max(1, min(MAX_CONCURRENCY, value))
        self._aimd.limit = min(self._aimd.limit, self._aimd.ceiling) or 1
        self._wake.set()

    def add(self, progress: EditProgress) -> None:
        """Queue an edit (status QUEUED), or list one that finished in an earlier session
        (resume): listed and counted, not run; a failed or cancelled one can be retried."""
        if progress.finished:
            now = time.monotonic()
            progress = dataclasses.replace(progress, stage=Stage.FINISHED, started_at=now,
                                           finished_at=now)
            self._earlier.add(progress.edit_id)
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
        del self.edits[edit_id]
        self._earlier.discard(edit_id)
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
        self._earlier.discard(edit_id)
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
        for p in self.edits.values():
            if batch_id is not None and p.batch_id != batch_id:
                continue
            if p.status is EditStatus.RUNNING:
                return True
            if p.status is EditStatus.QUEUED and not self.paused(p.batch_id):
                return True
        return False

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
        first = None
        for p in self.edits.values():
            if p.status is EditStatus.QUEUED and p.batch_id not in self._paused:
                if p.batch_id is None:
                    return p
                first = first or p
        return first

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            while len(self._tasks) < self.current_limit:
                p = self._next()
                if p is None:
                    break
                self._launch(p)
            self._idle.set()  # every waiter re-checks its own batch
            await self._wake.wait()

    def _launch(self, p: EditProgress) -> None:
        now = time.monotonic()
        self._started.setdefault(p.batch_id, now)
        self._publish(dataclasses.replace(
            p, status=EditStatus.RUNNING, stage=Stage.PREPARING, attempt=1, retry=None,
            started_at=now, finished_at=None))
        self._tasks[p.edit_id] = asyncio.ensure_future(self._execute(p.edit_id))

    async def _execute(self, edit_id: int) -> None:
        try:
            result = await self._fn(EditContext(self, edit_id))
        except SkipEdit as skip:
            self._finish(edit_id, EditStatus.SKIPPED, note=skip.note, result=skip.result)
        except (asyncio.CancelledError, EditCancelled):
            self._finish(edit_id, EditStatus.INTERRUPTED if self._closing
                         else EditStatus.CANCELLED)
        except QwenStudioError as exc:
            if isinstance(exc, RateLimitError):
                self._aimd.cut()
            self._finish(edit_id, EditStatus.FAILED, error=exc)
        except Exception as exc:  # one edit's bug must not stop the queue
            err = UnexpectedError(f"unexpected error ({type(exc).__name__}: {exc})")
            self._finish(edit_id, EditStatus.FAILED, error=err)
        else:
            self._aimd.success()
            self._finish(edit_id, EditStatus.DONE, result=result)
        finally:
            self._tasks.pop(edit_id, None)
            self._wake.set()
