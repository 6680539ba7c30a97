"""A queue of edits run with bounded, adaptive concurrency. Qt-free; the CLI and GUI share it.

Concurrency follows AIMD, like TCP: every rate-limit answer halves the number of edits in
flight (never below one), and each run of successes adds one back, up to the user's limit.
So a batch settles at the highest rate the account allows without hammering the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from qwen_studio.core.client import RetryInfo
from qwen_studio.core.errors import EditCancelled, QwenStudioError, RateLimitError
from qwen_studio.core.request import EditRequest


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # already done in an earlier run


FINISHED = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED, JobState.SKIPPED})


@dataclass
class Job:
    id: int
    request: EditRequest
    label: str
    state: JobState = JobState.QUEUED
    attempts: int = 0
    detail: str = ""  # latest progress or error text, for display
    error: QwenStudioError | None = None
    started_at: float | None = None
    finished_at: float | None = None
    result: Any = None  # whatever the job function returned (paths, edit id, …)
    key: Any = None  # caller's own id (e.g. the library edit id)

    @property
    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.monotonic()) - self.started_at


class SkipJob(Exception):
    """Raised by a job function when the work is already done (resume)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class QueueStats:
    total: int = 0
    done: int = 0
    failed: int = 0
    cancelled: int = 0
    skipped: int = 0
    running: int = 0
    queued: int = 0
    limit: int = 0
    throughput_per_min: float = 0.0
    eta_s: float | None = None

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.cancelled + self.skipped


@dataclass
class JobContext:
    """Handed to the job function: report progress and rate limits back to the queue."""

    job: Job
    queue: JobQueue

    def progress(self, detail: str) -> None:
        self.job.detail = detail
        self.queue._notify(self.job)

    def on_retry(self, info: RetryInfo) -> None:
        self.job.attempts = info.attempt + 1
        self.job.detail = (
            f"{info.error.user_message} — retrying in {info.delay:.0f} s "
            f"(attempt {info.attempt + 1} of {info.max_attempts})"
        )
        if isinstance(info.error, RateLimitError):
            self.queue._rate_limited()
        self.queue._notify(self.job)


JobFunction = Callable[[JobContext], Awaitable[Any]]
Listener = Callable[[Job], None]


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


class JobQueue:
    """Runs `job_function(context)` for each job; at most `limit` at once.

    Must be used from one asyncio loop (the qasync loop in the GUI). Listeners are called on
    that loop for every change, so the GUI can forward them as Qt signals.
    """

    def __init__(self, job_function: JobFunction, *, concurrency: int = 4) -> None:
        self._fn = job_function
        self._aimd = _Aimd(max(1, min(16, concurrency)))
        self._ids = itertools.count(1)
        self.jobs: dict[int, Job] = {}
        self._order: list[int] = []
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._paused = False
        self._wake = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._listeners: list[Listener] = []
        self._started_at: float | None = None
        self._earlier: set[int] = set()  # finished in an earlier session (resume)

    # -- observation ----------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _notify(self, job: Job) -> None:
        for listener in list(self._listeners):
            listener(job)

    @property
    def concurrency(self) -> int:
        return self._aimd.ceiling

    @property
    def current_limit(self) -> int:
        return int(self._aimd.limit)

    @property
    def paused(self) -> bool:
        return self._paused

    def ordered(self) -> list[Job]:
        return [self.jobs[i] for i in self._order]

    def stats(self) -> QueueStats:
        s = QueueStats(total=len(self.jobs), limit=self.current_limit)
        for job in self.jobs.values():
            match job.state:
                case JobState.DONE:
                    s.done += 1
                case JobState.FAILED:
                    s.failed += 1
                case JobState.CANCELLED:
                    s.cancelled += 1
                case JobState.SKIPPED:
                    s.skipped += 1
                case JobState.RUNNING:
                    s.running += 1
                case JobState.QUEUED:
                    s.queued += 1
        # Jobs finished in an earlier session say nothing about this session's speed.
        done_now = s.done - sum(
            1 for i in self._earlier if i in self.jobs and self.jobs[i].state is JobState.DONE
        )
        if self._started_at is not None and done_now:
            minutes = (time.monotonic() - self._started_at) / 60
            s.throughput_per_min = done_now / minutes if minutes > 0 else 0.0
            remaining = s.queued + s.running
            s.eta_s = remaining / s.throughput_per_min * 60 if s.throughput_per_min else None
        return s

    # -- control --------------------------------------------------------------------------
    def set_concurrency(self, value: int) -> None:
        self._aimd.ceiling = max(1, min(16, value))
        self._aimd.limit = min(self._aimd.limit, self._aimd.ceiling) or 1
        self._wake.set()

    def add(self, request: EditRequest, label: str, key: Any = None) -> Job:
        job = Job(next(self._ids), request, label, key=key)
        self.jobs[job.id] = job
        self._order.append(job.id)
        self._notify(job)
        self._wake.set()
        return job

    def add_finished(
        self,
        request: EditRequest,
        label: str,
        *,
        key: Any = None,
        state: JobState = JobState.DONE,
        detail: str = "",
        result: Any = None,
    ) -> Job:
        """A job that finished in an earlier session (resume): listed and counted, not run.
        A failed or cancelled one can still be retried."""
        if state not in FINISHED:
            raise ValueError(f"{state} is not a finished state")
        job = Job(next(self._ids), request, label, state=state, detail=detail, key=key,
                  result=result)
        job.started_at = job.finished_at = time.monotonic()
        self.jobs[job.id] = job
        self._order.append(job.id)
        self._earlier.add(job.id)
        self._notify(job)
        return job

    def add_many(self, items: Iterable[tuple[EditRequest, str]]) -> list[Job]:
        return [self.add(req, label) for req, label in items]

    def update_request(self, job_id: int, request: EditRequest) -> bool:
        """Edit a job before it runs; refused once it has started."""
        job = self.jobs.get(job_id)
        if job is None or job.state is not JobState.QUEUED:
            return False
        job.request = request
        self._notify(job)
        return True

    def remove(self, job_id: int) -> bool:
        job = self.jobs.get(job_id)
        if job is None or job.state is JobState.RUNNING:
            return False
        del self.jobs[job_id]
        self._order.remove(job_id)
        return True

    def start(self) -> None:
        if self._runner is None or self._runner.done():
            self._runner = asyncio.ensure_future(self._run())
        self._wake.set()

    def pause(self) -> None:
        """Start no new jobs; running ones finish (cancel them to stop at once)."""
        self._paused = True

    def resume(self) -> None:
        self._paused = False
        self._wake.set()

    def cancel(self, job_id: int) -> None:
        job = self.jobs.get(job_id)
        if job is None or job.state in FINISHED:
            return
        task = self._tasks.get(job_id)
        if task is not None:
            task.cancel()  # the job's task marks it cancelled when the request is aborted
        else:
            self._finish(job, JobState.CANCELLED, "cancelled")

    def cancel_all(self) -> None:
        for job_id in list(self._order):
            self.cancel(job_id)

    def retry(self, job_id: int) -> None:
        job = self.jobs.get(job_id)
        if job is not None and job.state in (JobState.FAILED, JobState.CANCELLED):
            self._earlier.discard(job_id)
            job.state, job.error, job.detail = JobState.QUEUED, None, ""
            job.started_at = job.finished_at = None
            self._notify(job)
            self._wake.set()

    def retry_failed(self) -> int:
        failed = [j.id for j in self.jobs.values() if j.state is JobState.FAILED]
        for job_id in failed:
            self.retry(job_id)
        return len(failed)

    async def wait_idle(self) -> None:
        """Until nothing is queued or running."""
        while True:
            await self._idle.wait()
            if not self._has_work():
                return
            self._idle.clear()

    async def close(self) -> None:
        self.cancel_all()
        if self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner

    # -- internals ------------------------------------------------------------------------
    def _has_work(self) -> bool:
        return any(j.state in (JobState.QUEUED, JobState.RUNNING) for j in self.jobs.values())

    def _rate_limited(self) -> None:
        self._aimd.cut()

    def _finish(self, job: Job, state: JobState, detail: str) -> None:
        job.state, job.detail = state, detail
        job.finished_at = time.monotonic()
        self._notify(job)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            if not self._paused:
                while len(self._tasks) < self.current_limit:
                    job = next(
                        (self.jobs[i] for i in self._order
                         if i in self.jobs and self.jobs[i].state is JobState.QUEUED),
                        None,
                    )
                    if job is None:
                        break
                    self._launch(job)
            if not self._tasks and (self._paused or not self._has_work()):
                self._idle.set()
            await self._wake.wait()

    def _launch(self, job: Job) -> None:
        if self._started_at is None:
            self._started_at = time.monotonic()
        self._idle.clear()
        job.state, job.detail = JobState.RUNNING, "starting"
        job.started_at, job.finished_at = time.monotonic(), None
        job.attempts = max(job.attempts, 1)
        self._notify(job)
        self._tasks[job.id] = asyncio.ensure_future(self._execute(job))

    async def _execute(self, job: Job) -> None:
        try:
            job.result = await self._fn(JobContext(job, self))
        except SkipJob as skip:
            self._finish(job, JobState.SKIPPED, skip.reason)
        except (asyncio.CancelledError, EditCancelled):
            self._finish(job, JobState.CANCELLED, "cancelled")
        except QwenStudioError as exc:
            job.error = exc
            if isinstance(exc, RateLimitError):
                self._aimd.cut()
            self._finish(job, JobState.FAILED, exc.user_message)
        except Exception as exc:  # one job's bug must not stop the queue
            job.error = QwenStudioError(f"unexpected error ({type(exc).__name__}: {exc})")
            self._finish(job, JobState.FAILED, job.error.user_message)
        else:
            self._aimd.success()
            self._finish(job, JobState.DONE, "done")
        finally:
            self._tasks.pop(job.id, None)
            self._wake.set()
