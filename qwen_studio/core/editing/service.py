"""EditService: the one path every edit takes, from the window and from `qwen-studio batch`.

queue (EditQueue, AIMD) -> prepare -> already done? (sink) -> send, download (EditRunner)
-> save (sink) -> DONE; one edit's way through is EditFlow (edit_flow.py). Each edit is
recorded (EditRecorder) before it is queued, so its id is the library's edit id from the
start; every status change is written to the library in order on one database thread,
off the edit's path (LibraryWrites). Listeners get a frozen EditProgress for every
change, on the event loop's thread (the GUI thread under qasync).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING

from qwen_studio.core.editing.batches import (
    RESUMED_STATUSES,
    BatchSummary,
    awaiting_download,
    input_sources,
    label_of,
    resumed_by_its_command,
    skipped_for_budget,
    summarize,
)
from qwen_studio.core.editing.budget import BudgetGate
from qwen_studio.core.editing.edit_flow import ClientProvider, EditFlow, NotConnected
from qwen_studio.core.editing.library_writes import LibraryWrites
from qwen_studio.core.editing.prepare_ahead import AHEAD
from qwen_studio.core.editing.progress import EditProgress, EditResult, QueueStats
from qwen_studio.core.editing.queue import EditQueue
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import NoteError, QwenStudioError, Reason
from qwen_studio.core.library import EditRecord
from qwen_studio.core.request import EditRequest

if TYPE_CHECKING:
    from qwen_studio.core.editing.hooks import EditHook
    from qwen_studio.core.editing.sinks import ResultSink

__all__ = ["ClientProvider", "EditService", "NotConnected"]

log = logging.getLogger(__name__)

Listener = Callable[[EditProgress], None]
_RECORD_CHUNK = 25  # edits recorded per database round trip; the first run meanwhile
_FOLDER_BATCHES_SEEN = 50  # looked past for the window's own interrupted batches


class EditService:
    def __init__(self, client: ClientProvider, recorder: EditRecorder, sink: ResultSink,
                 executor: Executor | None = None, concurrency: int = 4, *,
                 hooks: Sequence[EditHook] = ()) -> None:
        self.client = client
        self.hooks = list(hooks)  # budget, region, … (hooks.py); run in this order
        self.recorder = recorder
        self.sink = sink
        self.executor = executor
        # One thread for every library write: they land in the order they happened.
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qs-edit-db")
        self._writes = LibraryWrites(recorder, self._db)
        self._listeners: list[Listener] = []
        self._last: dict[int, EditStatus] = {}
        self._sources: dict[int, tuple[str, ...]] = {}  # what a resumed edit sends
        self._budgets: dict[str, BudgetGate] = {}  # batch id -> its spend limit
        self._stopped: dict[str, Reason] = {}  # batch id -> why nothing more is sent
        self._unrecorded_ids = itertools.count(-1, -1)  # edits the library could not take
        self._closed = False
        self._flow = EditFlow(client, recorder, sink, executor, self._db, self._writes,
                              hooks=self.hooks, sources=self._sources, budgets=self._budgets,
                              stop_batch=self.stop_batch)
        self._queue = EditQueue(self._flow.run, concurrency=concurrency)
        self._queue.subscribe(self._on_change)

    # -- observing -----------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def snapshot(self, edit_id: int) -> EditProgress | None:
        return self._queue.edits.get(edit_id)

    def edits(self, batch_id: str | None = None) -> list[EditProgress]:
        """Every edit this service holds (of one batch), in queue order."""
        return self._queue.ordered(batch_id)

    def unfinished_singles(self) -> list[EditProgress]:
        """Single (not batch) edits not finished yet, in queue order."""
        return self._queue.unfinished_singles()

    def stats(self, batch_id: str | None = None) -> QueueStats:
        return self._queue.stats(batch_id)

    def paused(self, batch_id: str | None = None) -> bool:
        return self._queue.paused(batch_id)

    @property
    def concurrency(self) -> int:
        return self._queue.concurrency

    # -- submitting ----------------------------------------------------------------------
    async def submit(self, requests: Sequence[EditRequest], *,
                     labels: Sequence[str] | None = None, batch_id: str | None = None,
                     parent_id: int | None = None, paused: bool = False,
                     budget: BudgetGate | None = None,
                     masks: Sequence[bytes] = ()) -> list[int]:
        """Record each edit (QUEUED, inputs stored), then queue it; returns the edit ids.
        `masks`: the mask PNGs the requests' regions name (by sha256), stored first
        (content-addressed), so the edit, a re-run and a recall find them.
        `paused` (a batch only) holds the batch until resume(batch_id), e.g. until Run.
        `budget` (a batch only): no request is sent that could take the batch's spend
        over it; what does not fit ends SKIPPED with the reason."""
        if labels is not None and len(labels) != len(requests):
            raise ValueError("one label per request")
        if budget is not None:
            if batch_id is None:
                raise ValueError("a budget belongs to a batch: give its batch_id")
            self.set_budget(batch_id, budget)
        if paused and batch_id is not None:
            self._queue.pause(batch_id)
        loop = asyncio.get_running_loop()
        if masks:
            await loop.run_in_executor(self._db, self._store_masks, list(masks))
        ids: list[int] = []
        for start, end in _chunks(len(requests), self._queue.concurrency + AHEAD):
            chunk = list(requests[start:end])
            created = await loop.run_in_executor(self._db, partial(
                self._create, chunk, batch_id, parent_id))
            if self._closed:
                break
            for k, (request, (edit_id, failed)) in enumerate(zip(chunk, created, strict=True)):
                i = start + k
                label = labels[i] if labels is not None else _label(request)
                if failed is not None:  # listed with why; the other files go on
                    self._last[edit_id] = EditStatus.FAILED
                    self._queue.add(EditProgress(edit_id, request, label, batch_id=batch_id,
                                                 status=EditStatus.FAILED, error=failed))
                    ids.append(edit_id)
                    continue
                self._queue.add(EditProgress(edit_id, request, label, batch_id=batch_id))
                if batch_id in self._stopped:  # stopped while this chunk was recorded
                    self._queue.cancel(edit_id, note=self._stopped[batch_id])
                ids.append(edit_id)
            self._queue.start()  # the first chunk runs while the next is recorded
        return ids

    def _store_masks(self, masks: list[bytes]) -> None:
        for data in masks:
            self.recorder.store_mask(data)

    def _create(self, requests: list[EditRequest], batch_id: str | None,
                parent_id: int | None) -> list[tuple[int, NoteError | None]]:
        """Each request recorded: (its id, None), or (its id, why it failed already) when
        the library could not keep a copy of an input (disk full, permission)."""
        out: list[tuple[int, NoteError | None]] = []
        for r in requests:
            try:
                out.append((self.recorder.create(r, batch_id=batch_id, parent_id=parent_id),
                            None))
            except NoteError as exc:
                out.append((self._create_failed(r, batch_id, parent_id, exc), exc))
        return out

    def _create_failed(self, request: EditRequest, batch_id: str | None,
                       parent_id: int | None, why: NoteError) -> int:
        """An edit that failed before it was queued, in the history with why (its inputs
        named, not stored); a process-local id if the library cannot take even that."""
        try:
            edit_id = self.recorder.create(request, batch_id=batch_id, parent_id=parent_id,
                                           store_inputs=False)
            self.recorder.set_status(edit_id, EditStatus.FAILED, why.user_message, why.reason)
        except Exception as exc:  # the database is on the full disk too
            log.warning("an edit could not be recorded: %s: %s", type(exc).__name__, exc)
            edit_id = next(self._unrecorded_ids)
        return edit_id

    def update_request(self, edit_id: int, request: EditRequest) -> bool:
        """Change a queued edit before it runs (a batch's prompt edited before Run)."""
        if not self._queue.update_request(edit_id, request):
            return False
        self._writes.write(self.recorder.update_request, edit_id, request)
        return True

    def remove(self, edit_id: int) -> bool:
        """Take an edit that is not running out of the queue and out of the history."""
        if not self._queue.remove(edit_id):
            return False
        self._last.pop(edit_id, None)
        self._flow.ended(edit_id)
        self._writes.write(self.recorder.remove, edit_id)
        return True

    # -- control -------------------------------------------------------------------------
    def cancel(self, edit_id: int) -> None:
        self._queue.cancel(edit_id)

    def cancel_batch(self, batch_id: str | None) -> None:
        self._queue.cancel_batch(batch_id)

    def cancel_all(self) -> None:
        self._queue.cancel_all()

    def pause(self, batch_id: str | None = None) -> None:
        """Start no new edits (of the batch; of any kind without one); running ones finish."""
        self._queue.pause(batch_id, everything=batch_id is None)

    def resume(self, batch_id: str | None = None) -> None:
        if batch_id is not None:
            self._stopped.pop(batch_id, None)
        self._queue.resume(batch_id, everything=batch_id is None)
        self._queue.start()

    def stop_batch(self, batch_id: str | None, note: Reason) -> None:
        """Send nothing more of the batch (of single edits without one): it is paused and
        its queued edits end CANCELLED with `note`; running ones finish. The service does
        this itself when the sink's output stops taking results (OutputUnavailableError)."""
        if batch_id is not None:
            if batch_id in self._stopped:
                return
            self._stopped[batch_id] = note
            self._queue.pause(batch_id)
        for p in self._queue.ordered():
            if p.batch_id == batch_id and p.status is EditStatus.QUEUED:
                self._queue.cancel(p.edit_id, note=note)

    def stopped(self, batch_id: str) -> Reason | None:
        """Why the batch was stopped (stop_batch), or None."""
        return self._stopped.get(batch_id)

    def retry(self, edit_id: int) -> bool:
        done = self._queue.retry(edit_id)
        if done:
            self._queue.start()
        return done

    async def retry_stored(self, edit_id: int) -> bool:
        """Retry an edit held here, or one an earlier session left failed with its paid
        result kept (awaiting_download, e.g. a single window edit before a restart): that
        one is loaded from the library and downloads the kept links; nothing is sent."""
        if edit_id in self._queue.edits:
            return self.retry(edit_id)
        loop = asyncio.get_running_loop()
        record = await loop.run_in_executor(self._db, self.recorder.record, edit_id)
        if record is None or not awaiting_download(record):
            return False
        sources = await loop.run_in_executor(self.executor, input_sources, record)
        if edit_id in self._queue.edits:  # a second Retry while this one read the library
            return False
        self._sources[edit_id] = sources
        self._flow.download_only.add(edit_id)  # never sent: its kept links or nothing
        self._last[edit_id] = EditStatus.FAILED  # queued again: the library is told so
        self._queue.add(EditProgress(edit_id, record.request, label_of(record),
                                     batch_id=record.batch_id))
        self._queue.start()
        return True

    def retry_failed(self, batch_id: str | None = None) -> int:
        n = self._queue.retry_failed(batch_id)
        if n:
            self._queue.start()
        return n

    def set_concurrency(self, n: int) -> None:
        self._queue.set_concurrency(n)

    def set_budget(self, batch_id: str, budget: BudgetGate | None) -> None:
        """Limit what the batch's edits not yet sent may spend (None: no limit). Edits in
        flight keep the reservation they hold in the gate they were sent under."""
        if budget is None:
            self._budgets.pop(batch_id, None)
        else:
            self._budgets[batch_id] = budget

    def budget(self, batch_id: str) -> BudgetGate | None:
        return self._budgets.get(batch_id)

    async def wait_idle(self, batch_id: str | None = None) -> None:
        await self._queue.wait_idle(batch_id)
        await self.flush()

    async def flush(self) -> None:
        """Until every library write so far has landed (and the sink's claims are gone)."""
        await self._writes.flush()
        await self.sink.flush()

    async def close(self) -> None:
        """Stop. Edits in flight end INTERRUPTED and queued ones stay QUEUED: a batch can
        be resumed. Waits for the library writes, so the library may be closed next."""
        if self._closed:
            return
        self._closed = True
        await self._queue.close()
        self._flow.close()
        await self.flush()
        await asyncio.get_running_loop().run_in_executor(None, self._db.shutdown)

    # -- resuming ------------------------------------------------------------------------
    async def interrupted_batches(self, look_back: int = 5) -> list[BatchSummary]:
        """Recent batches with edits left to run, newest first. Call at start-up, before
        this session queues anything of its own."""

        def find() -> list[BatchSummary]:
            found = []
            # `qwen-studio batch`'s own batches are resumed by running it again.
            ids = [b for b in self.recorder.recent_batch_ids(look_back + _FOLDER_BATCHES_SEEN)
                   if not resumed_by_its_command(b)]
            for batch_id in ids[:look_back]:
                summary = summarize(batch_id, self.recorder.batch_records(batch_id))
                if summary.pending:
                    found.append(summary)
            return found

        return await asyncio.get_running_loop().run_in_executor(self._db, find)

    async def resume_batch(self, batch_id: str, *, budget: BudgetGate | None = None
                           ) -> list[int]:
        """Load the batch from the library and run what is left. Done edits are listed, not
        run; failed and cancelled ones wait for a retry, except a paid result waiting to be
        downloaded, which is downloaded (nothing is sent again). With a `budget` (build it with
        BudgetGate.for_batch, so what the batch cost so far counts), the edits skipped for
        the budget before are run again too."""
        loop = asyncio.get_running_loop()
        records = await loop.run_in_executor(self._db, self.recorder.batch_records, batch_id)
        sources = await loop.run_in_executor(
            self.executor, lambda: {r.id: input_sources(r) for r in records})
        if budget is not None:
            self.set_budget(batch_id, budget)

        def resumed(r: EditRecord) -> bool:
            return (r.status in RESUMED_STATUSES or awaiting_download(r)
                    or (budget is not None and skipped_for_budget(r)))

        def requeue() -> None:
            for r in records:
                if resumed(r) and r.status is not EditStatus.QUEUED:
                    self.recorder.set_status(r.id, EditStatus.QUEUED)

        await loop.run_in_executor(self._db, requeue)
        for r in records:
            self._sources[r.id] = sources[r.id]
            pending = resumed(r)
            status = EditStatus.QUEUED if pending else r.status
            self._last[r.id] = status
            self._queue.add(EditProgress(
                r.id, r.request, label_of(r), status=status, batch_id=batch_id,
                error=(r.failure or (NoteError(r.note) if r.note is not None
                                     else QwenStudioError(r.error)))
                if status is EditStatus.FAILED else None,
                result=EditResult(tuple(r.result_files), r.revised_prompt, dict(r.usage),
                                  dict(r.timings), r.seed) if status is EditStatus.DONE
                else None))
        self._queue.start()
        return [r.id for r in records]

    # -- internals -----------------------------------------------------------------------
    def _on_change(self, progress: EditProgress) -> None:
        edit_id, status = progress.edit_id, progress.status
        before = self._last.get(edit_id)
        self._last[edit_id] = status
        if before is not None and before is not status:
            self._writes.status_changed(progress, self.sink.records_result)
        if progress.finished:
            self._flow.ended(edit_id)
        if progress.finished and before is not status:
            for hook in self.hooks:
                try:
                    hook.finished(progress)
                except Exception:  # a hook's bug must not stop the edits
                    log.exception("edit hook failed")
        for listener in list(self._listeners):
            try:
                listener(progress)
            except Exception:  # a listener's bug must not stop the edits
                log.exception("edit listener failed")


def _chunks(n: int, first: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each chunk: the first fills the slots and those prepared ahead, so
    the first edits go before the rest are recorded (each input copied: ~2-3 ms)."""
    start, size = 0, max(1, min(first, _RECORD_CHUNK))
    while start < n:
        yield start, min(n, start + size)
        start, size = start + size, _RECORD_CHUNK


def _label(request: EditRequest) -> str:
    from pathlib import Path

    return ", ".join(Path(s).name for s in request.inputs) or request.prompt[:40]
