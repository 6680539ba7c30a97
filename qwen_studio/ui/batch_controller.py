"""The window's batch queue: JobQueue (core) ↔ Library (batch_store) ↔ Qt signals.

Every job is a library edit of the batch, created QUEUED when added; status changes are
written in order on one database thread, results go through Library.complete_edit (on disk
before the job counts as done). Queue events are coalesced into one signal burst per
~100 ms, so 500 jobs changing at once cost the GUI thread a few repaints, not 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from qwen_studio.core.endpoint import ClientSettings
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.jobs import FINISHED, Job, JobContext, JobQueue, JobState, SkipJob
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.error_text import error_message

if TYPE_CHECKING:
    from qwen_studio.core.engine import EditEvent, EditRunner
    from qwen_studio.core.library import EditStatus

# The engine (Pillow), the HTTP client and the batch store are imported where they are used:
# at module level they cost the window ~25 ms before its first paint. Once loaded (the
# edit controller warms them in the pool) a local import is a dictionary lookup.

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 4
_FLUSH_MS = 100
_ADD_CHUNK = 25  # jobs recorded per database round trip while adding
# What the first job imports: the engine (Pillow, the client, the styles), httpx's async
# backend (loaded by the first request) and Pillow's format plugins (by the first open).
# Imported in the pool while the photos are being added, they cost the GUI thread nothing;
# imported by the first job they stall it ~50-140 ms (PySide's import hook reads sources).
_WARM_MODULES = ("qwen_studio.core.engine", "anyio._backends._asyncio")


def _warm_imports() -> None:
    import importlib

    for name in _WARM_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    with contextlib.suppress(Exception):
        from PIL import Image

        Image.preinit()


@dataclass(frozen=True)
class BatchReport:
    batch_id: str
    total: int
    done: int
    failed: int
    cancelled: int
    failures: list[tuple[str, str]] = field(default_factory=list)  # (label, reason)


Connection = Callable[[], tuple[Any, Any, str]]  # () -> (httpx client, Endpoint, profile)


class BatchController(QObject):
    jobsAdded = Signal(list)  # job ids, in queue order
    jobsChanged = Signal(list)  # job ids whose row changed
    jobsRemoved = Signal(list)
    reset = Signal()  # a new batch replaced the old one
    statsChanged = Signal(object)  # QueueStats
    batchFinished = Signal(object)  # BatchReport
    resumeAvailable = Signal(object)  # batch_store.BatchSummary
    activeChanged = Signal(bool)  # running (not finished, not merely staged)
    pausedChanged = Signal(bool)

    def __init__(self, library: Any, pool: Executor, connection: Connection,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.pool = pool
        self.connection = connection
        # Tests and benchmarks use a short backoff; the app keeps the client's defaults.
        self.client_settings = ClientSettings()
        self._concurrency = DEFAULT_CONCURRENCY
        # One thread for every status write: they land in the order they happened. Not
        # niced like the pool: each job's start waits for it (_begin), and it uses little CPU.
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qs-batch-db")
        self._warmed = False
        self.queue: JobQueue | None = None
        self.batch_id: str | None = None
        self._custom_prompt: set[int] = set()  # job ids whose prompt the user edited
        self._sources: dict[int, tuple[str, ...]] = {}  # job id -> inputs to send
        self._last: dict[int, JobState] = {}
        self._active = False
        self._closing = False
        self._runner: EditRunner | None = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._added: list[int] = []
        self._dirty: set[int] = set()
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(_FLUSH_MS)
        self._flush.timeout.connect(self._emit_pending)

    # -- state ---------------------------------------------------------------------------------
    def job(self, job_id: int) -> Job | None:
        return self.queue.jobs.get(job_id) if self.queue else None

    def jobs(self) -> list[Job]:
        return self.queue.ordered() if self.queue else []

    @property
    def active(self) -> bool:
        return self._active

    @property
    def paused(self) -> bool:
        return bool(self.queue and self.queue.paused)

    def queued_count(self) -> int:
        return sum(j.state is JobState.QUEUED for j in self.jobs())

    def wants_run(self) -> bool:
        """Run starts the batch: it holds jobs that wait for a Run (not already running)."""
        return not self._active and self.queued_count() > 0

    @property
    def concurrency(self) -> int:
        return self._concurrency

    def set_concurrency(self, value: int) -> None:
        self._concurrency = max(1, min(16, int(value)))
        if self.queue is not None:
            self.queue.set_concurrency(self._concurrency)
        self._touch()

    def stats(self) -> Any:
        return self.queue.stats() if self.queue else None

    # -- adding --------------------------------------------------------------------------------
    def _new_batch(self, batch_id: str | None = None) -> None:
        from qwen_studio.core import batch_store

        if self.queue is not None:
            old = self.queue
            self.spawn(old.close())
        self.queue = JobQueue(self._run_job, concurrency=self._concurrency)
        self.queue.subscribe(self._on_job)
        self.batch_id = batch_id or batch_store.new_batch_id()
        self._custom_prompt.clear()
        self._sources.clear()
        self._last.clear()
        self._added.clear()
        self._dirty.clear()
        self._runner = None
        self.reset.emit()

    async def add_images(self, paths: list[Path], base: EditRequest, profile_name: str = "") -> int:
        """Queue one job per image with `base`'s prompt and parameters. Adds to the batch
        while it has unfinished jobs; otherwise starts a new batch. Returns how many."""
        from qwen_studio.core import batch_store

        if self.queue is None or not any(
            j.state not in FINISHED for j in self.queue.jobs.values()
        ):
            self._new_batch()
        assert self.queue is not None and self.batch_id is not None
        queue, batch_id = self.queue, self.batch_id
        loop = asyncio.get_running_loop()
        self._warm()
        added = 0
        for start in range(0, len(paths), _ADD_CHUNK):
            chunk = paths[start : start + _ADD_CHUNK]
            requests = [base.with_changes(inputs=(str(p),)) for p in chunk]

            def record(reqs: list[EditRequest] = requests) -> list[Any]:
                out: list[Any] = []
                for r in reqs:
                    try:
                        out.append(batch_store.add_job(self.library, r, batch_id, profile_name))
                    except QwenStudioError as exc:
                        out.append(exc)
                return out

            results = await loop.run_in_executor(self._db, record)
            if self.queue is not queue:
                return added  # a new batch replaced this one meanwhile
            for path, req, res in zip(chunk, requests, results, strict=True):
                if isinstance(res, QwenStudioError):
                    job = queue.add_finished(req, path.name, state=JobState.FAILED,
                                             detail=error_message(res))
                    continue
                edit_id, _stored = res
                job = queue.add(req, path.name, key=edit_id)
                self._sources[job.id] = req.inputs
                added += 1
        if self._active:
            queue.start()  # added to a running batch: they run too
        return added

    def _warm(self) -> None:
        """A batch is coming (photos added, or a resume offered): import what it runs."""
        if not self._warmed:
            self._warmed = True
            with contextlib.suppress(RuntimeError):  # pool shut down at exit
                self.pool.submit(_warm_imports)

    # -- running -------------------------------------------------------------------------------
    def start(self, base: EditRequest | None = None) -> None:
        """Apply the current prompt and parameters to every waiting job whose prompt was not
        edited by hand, then run. The database follows on its own thread."""
        from qwen_studio.core.client import ImageClient
        from qwen_studio.core.engine import EditRunner

        if self.queue is None:
            return
        http, endpoint, _profile = self.connection()
        if endpoint is None:
            raise QwenStudioError(self.tr("No service is connected."),
                                  hint="Set up your API in Settings or try the demo.")
        self._runner = EditRunner(ImageClient(http, endpoint, self.client_settings), self.pool)
        if base is not None:
            updates = []
            for job in self.queue.ordered():
                if job.state is not JobState.QUEUED:
                    continue
                req = job.request
                new = base.with_changes(
                    inputs=req.inputs,
                    prompt=req.prompt if job.id in self._custom_prompt else base.prompt,
                )
                if new != req:
                    self.queue.update_request(job.id, new)
                    updates.append((job.key, new))
            if updates:
                self._db_write(self._update_requests, updates)
        self.queue.set_concurrency(self._concurrency)
        self._set_active(True)
        self.queue.resume()
        self.queue.start()
        self._touch()

    def _update_requests(self, updates: list[tuple[int, EditRequest]]) -> None:
        from qwen_studio.core import batch_store

        for edit_id, req in updates:
            batch_store.update_queued_request(self.library, edit_id, req)

    def pause(self) -> None:
        if self.queue is not None:
            self.queue.pause()
            self.pausedChanged.emit(True)
            self._touch()

    def resume(self) -> None:
        if self.queue is not None:
            self.queue.resume()
            self.pausedChanged.emit(False)
            self._touch()

    def cancel(self, job_id: int) -> None:
        if self.queue is not None:
            self.queue.cancel(job_id)

    def cancel_all(self) -> None:
        if self.queue is not None:
            self.queue.cancel_all()

    def retry(self, job_id: int) -> None:
        if self.queue is None:
            return
        self.queue.retry(job_id)
        self._restart_if_needed()

    def retry_failed(self) -> int:
        if self.queue is None:
            return 0
        n = self.queue.retry_failed()
        if n:
            self._restart_if_needed()
        return n

    def _restart_if_needed(self) -> None:
        if self._runner is not None and self.queued_count():
            self._set_active(True)
            assert self.queue is not None
            self.queue.start()

    def remove(self, job_id: int) -> bool:
        """Take a job that is not running out of the batch (and out of the history)."""
        job = self.job(job_id)
        if job is None or self.queue is None or not self.queue.remove(job_id):
            return False
        if job.key is not None:
            self._db_write(self.library.delete, job.key)
        self._dirty.discard(job_id)
        self.jobsRemoved.emit([job_id])
        self._touch()
        self._check_finished()
        return True

    def set_prompt(self, job_id: int, prompt: str) -> bool:
        """Edit one waiting job's prompt; it keeps it when Run applies the batch prompt."""
        from qwen_studio.core import batch_store

        job = self.job(job_id)
        if job is None or self.queue is None:
            return False
        new = job.request.with_changes(prompt=prompt.strip())
        if not self.queue.update_request(job_id, new):
            return False
        self._custom_prompt.add(job_id)
        if job.key is not None:
            self._db_write(batch_store.update_queued_request, self.library, job.key, new)
        return True

    async def _run_job(self, ctx: JobContext) -> list[Path]:
        job = ctx.job
        edit_id = job.key
        runner = self._runner
        assert runner is not None and edit_id is not None
        loop = asyncio.get_running_loop()
        already = await loop.run_in_executor(self._db, self._begin, edit_id)
        if already is not None:
            job.result = already
            raise SkipJob("already done")
        request = job.request.with_changes(inputs=self._sources.get(job.id, job.request.inputs))

        def on_event(event: EditEvent) -> None:
            if event.retry is not None:
                ctx.on_retry(event.retry)
            else:
                ctx.progress(event.stage)

        outcome = await runner.run(request, on_event=on_event)
        images, result, timings = list(outcome.images), outcome.result, dict(outcome.timings)
        del outcome  # the prepared data URIs go now, not when the job is collected
        ctx.progress("saving")
        # In the shared pool, not the status thread: saves (hash, write, fsync) run side by
        # side. A status write racing it cannot undo DONE (set_status refuses).
        save = loop.run_in_executor(self.pool, partial(
            self.library.complete_edit, edit_id, images, revised_prompt=result.revised_prompt,
            usage=dict(result.usage), timings=timings))
        del images
        try:
            paths = await asyncio.shield(save)
        except asyncio.CancelledError:
            # Cancelled while saving: the result is being written anyway, so it counts.
            paths = await save
        return [Path(p) for p in paths]

    def _begin(self, edit_id: int) -> list[Path] | None:
        """Database thread: a job already DONE (saved before a crash) is not sent again."""
        from qwen_studio.core.library import EditStatus

        rec = self.library.get(edit_id)
        if rec is not None and rec.status is EditStatus.DONE:
            return list(rec.result_files)
        self.library.set_status(edit_id, EditStatus.RUNNING)
        return None

    # -- events --------------------------------------------------------------------------------
    def _on_job(self, job: Job) -> None:
        if self.queue is None or self.queue.jobs.get(job.id) is not job:
            return  # an old batch's queue closing down
        before = self._last.get(job.id)
        self._last[job.id] = job.state
        if before is None:
            self._added.append(job.id)
        else:
            self._dirty.add(job.id)
        if job.key is not None and before is not None and before is not job.state:
            self._record_transition(job, before)
        self._touch()
        if job.state in FINISHED and before is not job.state:
            self._check_finished()

    def _record_transition(self, job: Job, before: JobState) -> None:
        from qwen_studio.core.library import EditStatus

        if self._closing:
            return  # quitting: leave the jobs for a resume, not cancelled
        state = job.state
        if state is JobState.FAILED:
            self._db_write(self._set_status, job.key, EditStatus.FAILED, job.detail)
        elif state is JobState.CANCELLED:
            self._db_write(self._set_status, job.key, EditStatus.CANCELLED, "")
        elif state is JobState.QUEUED and before in (JobState.FAILED, JobState.CANCELLED):
            self._db_write(self._set_status, job.key, EditStatus.QUEUED, "")

    def _set_status(self, edit_id: int, status: EditStatus, error: str) -> None:
        try:
            self.library.set_status(edit_id, status, error=error)
        except (ValueError, KeyError) as exc:  # already done (saved while cancelling)
            log.info("batch edit %s: %s", edit_id, exc)

    def _db_write(self, fn: Callable[..., Any], *args: Any) -> None:
        def run() -> None:
            try:
                fn(*args)
            except Exception as exc:  # bookkeeping must not break the queue
                log.warning("batch database write failed: %s: %s", type(exc).__name__, exc)

        with contextlib.suppress(RuntimeError):  # executor shut down at exit
            self._db.submit(run)

    def _check_finished(self) -> None:
        if not self._active or self.queue is None:
            return
        if any(j.state in (JobState.QUEUED, JobState.RUNNING) for j in self.queue.jobs.values()):
            return
        self._set_active(False)
        s = self.queue.stats()
        failures = [(j.label, j.detail) for j in self.queue.ordered()
                    if j.state is JobState.FAILED]
        self._emit_pending()
        self.batchFinished.emit(BatchReport(self.batch_id or "", s.total, s.done + s.skipped,
                                            s.failed, s.cancelled, failures))

    def _set_active(self, value: bool) -> None:
        if value != self._active:
            self._active = value
            self.activeChanged.emit(value)

    def _touch(self) -> None:
        if not self._flush.isActive():
            self._flush.start()

    def _emit_pending(self) -> None:
        self._flush.stop()
        if self._added:
            added, self._added = self._added, []
            self.jobsAdded.emit(added)
        if self._dirty:
            dirty, self._dirty = sorted(self._dirty), set()
            self.jobsChanged.emit(dirty)
        if self.queue is not None:
            self.statsChanged.emit(self.queue.stats())

    # -- resume --------------------------------------------------------------------------------
    async def check_resume(self) -> None:
        from qwen_studio.core import batch_store

        loop = asyncio.get_running_loop()
        try:
            found = await loop.run_in_executor(
                self._db, batch_store.interrupted_batches, self.library)
        except Exception as exc:
            log.warning("could not look for interrupted batches: %s", exc)
            return
        if found and not self._closing:
            self._warm()
            self.resumeAvailable.emit(found[0])

    async def resume_batch(self, batch_id: str) -> None:
        """Load the batch from the library and run what is left. Done jobs are listed, not
        run; failed ones wait for Retry."""
        from qwen_studio.core import batch_store
        from qwen_studio.core.library import EditStatus

        loop = asyncio.get_running_loop()
        records = await loop.run_in_executor(self._db, batch_store.batch_records,
                                             self.library, batch_id)
        pending = [r for r in records if r.status in batch_store.PENDING_STATUSES
                   or r.status is EditStatus.RUNNING]
        sources = await loop.run_in_executor(
            self.pool, lambda: {r.id: batch_store.input_sources(r) for r in pending})
        if pending:
            await loop.run_in_executor(self._db, lambda: [
                batch_store.requeue(self.library, r.id) for r in pending
                if r.status is not EditStatus.QUEUED])
        self._new_batch(batch_id)
        assert self.queue is not None
        finished = {EditStatus.DONE: JobState.DONE, EditStatus.FAILED: JobState.FAILED,
                    EditStatus.CANCELLED: JobState.CANCELLED}
        for r in records:
            label = Path(r.request.inputs[0]).name if r.request.inputs else f"edit {r.id}"
            if r.id in sources:
                job = self.queue.add(r.request, label, key=r.id)
                self._sources[job.id] = sources[r.id]
            else:
                state = finished.get(r.status, JobState.CANCELLED)
                job = self.queue.add_finished(r.request, label, key=r.id, state=state,
                                              detail=r.error or str(r.status),
                                              result=list(r.result_files))
                if state is not JobState.DONE:
                    self._sources[job.id] = batch_store.input_sources(r)
            self._custom_prompt.add(job.id)  # resumed jobs keep the prompt they were given
        self.start()

    # -- plumbing ------------------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def shutdown(self) -> None:
        """Stop without cancelling in the library: what did not finish stays resumable."""
        from qwen_studio.core.library import EditStatus

        self._closing = True
        self._flush.stop()
        running = [j.key for j in self.jobs() if j.state is JobState.RUNNING and j.key]
        if self.queue is not None:
            await self.queue.close()
        for t in list(self._tasks):
            t.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        loop = asyncio.get_running_loop()

        def requeue_running() -> None:
            for edit_id in running:
                self._set_status(edit_id, EditStatus.QUEUED, "")

        with contextlib.suppress(RuntimeError):
            await loop.run_in_executor(self._db, requeue_running)
        self._db.shutdown(wait=True)
