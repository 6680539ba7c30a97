"""The window's batch: which batch the queue panel shows, and what Run, Pause, Retry do to it.

The edits themselves run in the window's EditService like every other edit (recorded
QUEUED when added, results stored by the library, resumable after a quit or a crash); this
class only keeps the panel's view of one batch: its edit ids in order, the prompts the user
gave single photos, whether it runs. Changes arrive from EditServiceSignals and leave as
one signal burst per ~100 ms, so 500 edits changing at once cost a few repaints.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from qwen_studio.core.editing.progress import EditProgress, QueueStats
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.endpoint import ClientSettings
from qwen_studio.core.request import EditRequest
from qwen_studio.qt.edit_signals import EditServiceSignals
from qwen_studio.ui.progress_text import over_budget

if TYPE_CHECKING:
    import asyncio

    from qwen_studio.core.editing.budget import BudgetGate
    from qwen_studio.core.editing.service import EditService

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 4
_FLUSH_MS = 100


@dataclass(frozen=True)
class BatchReport:
    batch_id: str
    total: int
    done: int
    failed: int
    cancelled: int
    failures: list[tuple[str, EditProgress]] = field(default_factory=list)  # (label, edit)
    over_budget: int = 0  # not sent for the budget ("skipped (over budget)"); not in `done`


class BatchController(QObject):
    jobsAdded = Signal(list)  # edit ids, in queue order
    jobsChanged = Signal(list)  # edit ids whose row changed
    jobsRemoved = Signal(list)
    reset = Signal()  # a new batch replaced the old one
    statsChanged = Signal(object)  # QueueStats of this batch
    batchFinished = Signal(object)  # BatchReport
    resumeAvailable = Signal(object)  # batches.BatchSummary
    activeChanged = Signal(bool)  # running (not finished, not merely staged)
    pausedChanged = Signal(bool)

    def __init__(self, service: Callable[[], EditService], signals: EditServiceSignals,
                 settings: Callable[[ClientSettings], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._set_settings = settings
        self._concurrency = DEFAULT_CONCURRENCY
        self.batch_id: str | None = None
        self._ids: list[int] = []
        self._known: set[int] = set()
        self._custom_prompt: set[int] = set()  # edit ids whose prompt the user edited
        self._over_budget: set[int] = set()  # skipped (over budget) (Run skipped sends them)
        self._active = False
        self._paused = False
        self._closing = False
        self._tasks: set[asyncio.Future[Any]] = set()
        self._added: list[int] = []
        self._dirty: set[int] = set()
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(_FLUSH_MS)
        self._flush.timeout.connect(self._emit_pending)
        signals.progressChanged.connect(self._on_progress)

    @property
    def service(self) -> EditService:
        return self._service()

    @property
    def client_settings(self) -> ClientSettings:
        raise AttributeError("write-only: the window's client settings")

    @client_settings.setter
    def client_settings(self, settings: ClientSettings) -> None:
        """Tests and benchmarks use a short backoff: the window's client for new edits."""
        self._set_settings(settings)

    # -- state ---------------------------------------------------------------------------
    def job(self, edit_id: int) -> EditProgress | None:
        return self.service.snapshot(edit_id) if edit_id in self._known else None

    def jobs(self) -> list[EditProgress]:
        if not self._ids:
            return []
        service = self.service
        return [p for i in self._ids if (p := service.snapshot(i)) is not None]

    @property
    def active(self) -> bool:
        return self._active

    @property
    def paused(self) -> bool:
        return self._paused

    def queued_count(self) -> int:
        return sum(p.status is EditStatus.QUEUED for p in self.jobs())

    def wants_run(self) -> bool:
        """Run starts the batch: it holds edits that wait for a Run (not already running)."""
        return not self._active and self.queued_count() > 0

    @property
    def concurrency(self) -> int:
        return self._concurrency

    def set_concurrency(self, value: int) -> None:
        self._concurrency = max(1, min(16, int(value)))
        if self._ids:
            self.service.set_concurrency(self._concurrency)
        self._touch()

    def stats(self) -> QueueStats | None:
        return self.service.stats(self.batch_id) if self.batch_id else None

    def over_budget_count(self) -> int:
        """Edits of this batch its budget did not send (a larger budget can)."""
        return len(self._over_budget)

    # -- adding --------------------------------------------------------------------------
    def _new_batch(self, batch_id: str | None = None) -> None:
        from qwen_studio.core.editing.batches import new_batch_id

        self.batch_id = batch_id or new_batch_id()
        self._ids, self._known = [], set()
        self._custom_prompt.clear()
        self._over_budget.clear()
        self._added.clear()
        self._dirty.clear()
        self._paused = False
        self.reset.emit()

    async def add_images(self, paths: list[Path], base: EditRequest) -> int:
        """Queue one edit per image with `base`'s prompt and parameters. Adds to the batch
        while it has unfinished edits; otherwise starts a new batch. Returns how many."""
        if self.batch_id is None or not any(not p.finished for p in self.jobs()):
            self._new_batch()
        assert self.batch_id is not None
        batch_id = self.batch_id
        requests = [base.with_changes(inputs=(str(p),)) for p in paths]
        service = self.service
        # Staged until Run (a running batch takes them at once).
        ids = await service.submit(requests, labels=[p.name for p in paths], batch_id=batch_id,
                                   paused=not self._active)
        if self.batch_id != batch_id:
            return 0  # a new batch replaced this one meanwhile
        for edit_id in ids:
            self._adopt(edit_id)
        self._check_finished()
        return len(ids)

    def _adopt(self, edit_id: int) -> None:
        if edit_id not in self._known:
            self._known.add(edit_id)
            self._ids.append(edit_id)
            self._added.append(edit_id)
            self._touch()

    # -- running -------------------------------------------------------------------------
    def start(self, base: EditRequest | None = None, budget: BudgetGate | None = None) -> None:
        """Apply the current prompt and parameters to every waiting edit whose prompt was
        not edited by hand, then run; with a `budget`, no request is sent that could take
        the batch's spend over it (the CLI's BudgetGate)."""
        if self.batch_id is None:
            return
        service = self.service
        service.set_budget(self.batch_id, budget)
        if base is not None:
            for p in self.jobs():
                if p.status is not EditStatus.QUEUED:
                    continue
                req = p.request
                new = base.with_changes(
                    inputs=req.inputs,
                    prompt=req.prompt if p.edit_id in self._custom_prompt else base.prompt)
                if new != req:
                    service.update_request(p.edit_id, new)
        service.set_concurrency(self._concurrency)
        self._set_active(True)
        self._paused = False
        service.resume(self.batch_id)
        self._touch()

    def pause(self) -> None:
        if self.batch_id is not None:
            self.service.pause(self.batch_id)
            self._paused = True
            self.pausedChanged.emit(True)
            self._touch()

    def resume(self) -> None:
        if self.batch_id is not None:
            self.service.resume(self.batch_id)
            self._paused = False
            self.pausedChanged.emit(False)
            self._touch()

    def cancel(self, edit_id: int) -> None:
        if edit_id in self._known:
            self.service.cancel(edit_id)

    def cancel_all(self) -> None:
        if self.batch_id is not None:
            self.service.cancel_batch(self.batch_id)

    def retry(self, edit_id: int) -> None:
        if edit_id in self._known and self.service.retry(edit_id):
            self._restart()

    def retry_failed(self) -> int:
        if self.batch_id is None:
            return 0
        n = self.service.retry_failed(self.batch_id)
        if n:
            self._restart()
        return n

    def _restart(self) -> None:
        self._set_active(True)
        if not self._paused and self.batch_id is not None:
            self.service.resume(self.batch_id)

    def remove(self, edit_id: int) -> bool:
        """Take an edit that is not running out of the batch (and out of the history)."""
        if edit_id not in self._known or not self.service.remove(edit_id):
            return False
        self._known.discard(edit_id)
        self._ids.remove(edit_id)
        self._dirty.discard(edit_id)
        self.jobsRemoved.emit([edit_id])
        self._touch()
        self._check_finished()
        return True

    def set_prompt(self, edit_id: int, prompt: str) -> bool:
        """Edit one waiting photo's prompt; it keeps it when Run applies the batch prompt."""
        p = self.job(edit_id)
        if p is None or not self.service.update_request(
                edit_id, p.request.with_changes(prompt=prompt.strip())):
            return False
        self._custom_prompt.add(edit_id)
        return True

    async def run_skipped(self, budget: BudgetGate) -> None:
        """Send what the budget skipped, under a new (larger) budget: what the batch has
        cost so far counts (BudgetGate.for_batch), as when the CLI runs again."""
        if self.batch_id is None:
            return
        self.service.set_concurrency(self._concurrency)
        self._paused = False
        ids = await self.service.resume_batch(self.batch_id, budget=budget)
        # Active only now: while the batch is listed again its done edits report in, and
        # the batch must not look finished before its skipped ones are queued.
        self._set_active(True)
        for edit_id in ids:
            self._adopt(edit_id)
        self._check_finished()

    # -- events --------------------------------------------------------------------------
    def _on_progress(self, p: EditProgress) -> None:
        # An edit not yet handed back by submit() joins the rows (in queue order) then.
        if p.edit_id not in self._known or self._closing:
            return
        if over_budget(p):
            self._over_budget.add(p.edit_id)
        else:
            self._over_budget.discard(p.edit_id)
        self._dirty.add(p.edit_id)
        self._touch()
        if p.finished:
            self._check_finished()

    def _check_finished(self) -> None:
        if not self._active or self.batch_id is None:
            return
        s = self.service.stats(self.batch_id)
        if s.active:  # queued, with the service or saving
            return
        self._set_active(False)
        failures = [(p.label, p) for p in self.jobs() if p.status is EditStatus.FAILED]
        self._emit_pending()
        over = len(self._over_budget)
        self.batchFinished.emit(BatchReport(self.batch_id, s.total, s.done + s.skipped - over,
                                            s.failed, s.cancelled, failures, over))

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
        if self.batch_id is not None:
            self.statsChanged.emit(self.stats())

    # -- resume --------------------------------------------------------------------------
    async def check_resume(self) -> None:
        try:
            found = await self.service.interrupted_batches()
        except Exception as exc:
            log.warning("could not look for interrupted batches: %s", exc)
            return
        if found and not self._closing:
            self.resumeAvailable.emit(found[0])

    async def resume_batch(self, batch_id: str, budget: BudgetGate | None = None) -> None:
        """Load the batch from the library and run what is left. Done edits are listed, not
        run; failed ones wait for Retry; resumed edits keep the prompt they were given. With
        a `budget` (BudgetGate.for_batch), what is left is sent under it."""
        self._new_batch(batch_id)
        self.service.set_concurrency(self._concurrency)
        self._set_active(True)
        ids = await self.service.resume_batch(batch_id, budget=budget)
        for edit_id in ids:
            self._adopt(edit_id)
            self._custom_prompt.add(edit_id)
        self._check_finished()

    # -- plumbing ------------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        import asyncio

        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def shutdown(self) -> None:
        """Stop following the service (the window closes it: what did not finish stays
        resumable in the library)."""
        import asyncio

        self._closing = True
        self._flush.stop()
        for t in list(self._tasks):
            t.cancel()
        if self._tasks:
            with contextlib.suppress(Exception):
                await asyncio.gather(*self._tasks, return_exceptions=True)
