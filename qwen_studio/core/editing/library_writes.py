"""LibraryWrites: the edits' library bookkeeping, in order on one thread, off their path.

Every status change an edit goes through is written to the library (EditRecorder) on the
service's one database thread, so the writes land in the order they happened; no edit
waits for them (an output folder's copy of a result goes aside: write_aside). A failed
write is logged: bookkeeping must not break the queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import Reason

log = logging.getLogger(__name__)


class LibraryWrites:
    def __init__(self, recorder: EditRecorder, db: Executor) -> None:
        self.recorder = recorder
        self.db = db
        self._pending: set[asyncio.Future[Any]] = set()
        # Writes asked for in this pass of the event loop, sent to the database thread as
        # one job at the end of the pass: a batch's edits change status in bursts, and each
        # trip to a thread costs the loop a wake-up (a context switch on a busy machine).
        self._gathered: list[Callable[[], None]] | None = None

    def write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """A library write on the database thread, in order, never awaited by an edit."""
        def run() -> None:
            try:
                fn(*args, **kwargs)
            except Exception as exc:  # bookkeeping must not break the queue
                log.warning("library write failed: %s: %s", type(exc).__name__, exc)

        if self._gathered is not None:
            self._gathered.append(run)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop: closing
            return
        self._gathered = [run]
        done: asyncio.Future[None] = loop.create_future()
        self._pending.add(done)
        done.add_done_callback(self._pending.discard)
        loop.call_soon(self._send, done)

    def write_aside(self, executor: Executor | None, fn: Callable[..., Any], *args: Any,
                    **kwargs: Any) -> None:
        """A write that need not wait its turn behind the others, in `executor` (side by
        side with other such writes), never awaited by an edit; flush() waits for it. Only
        for complete(): DONE is final, so a status write landing after it cannot undo it."""
        def run() -> None:
            try:
                fn(*args, **kwargs)
            except Exception as exc:  # bookkeeping must not break the queue
                log.warning("library write failed: %s: %s", type(exc).__name__, exc)

        try:
            job = asyncio.get_running_loop().run_in_executor(executor, run)
        except RuntimeError:  # no loop, or the pool is shut down (closing): in order then
            self.write(fn, *args, **kwargs)
            return
        self._pending.add(job)
        job.add_done_callback(self._pending.discard)

    def _send(self, done: asyncio.Future[None]) -> None:
        gathered, self._gathered = self._gathered or [], None

        def run_all() -> None:
            for run in gathered:
                run()

        try:
            job = asyncio.get_running_loop().run_in_executor(self.db, run_all)
        except RuntimeError:  # the database thread is shut down (closing)
            done.set_result(None)
            return
        job.add_done_callback(lambda _job: done.done() or done.set_result(None))

    async def flush(self) -> None:
        """Until every write so far has landed."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    def status_changed(self, p: EditProgress, records_result: bool) -> None:
        """Write the edit's new status (`records_result`: the sink marks DONE itself)."""
        recorder, status = self.recorder, p.status
        if status is EditStatus.FAILED:
            error = p.error.user_message if p.error is not None else ""
            reason = getattr(p.error, "reason", None)
            self.write(recorder.set_status, p.edit_id, status, error,
                       reason if isinstance(reason, Reason) else None, p.error)
        elif status is EditStatus.SKIPPED:
            # With paths from a sink that records results: the library has it DONE.
            if not (p.result and p.result.paths and records_result):
                # Why, in the history (and, by its code, how a resume finds the budget's
                # skips).
                self.write(recorder.set_status, p.edit_id, status,
                           str(p.note) if p.note is not None else "", p.note)
        elif status is EditStatus.CANCELLED and p.note is not None:  # why (stop_batch)
            self.write(recorder.set_status, p.edit_id, status, str(p.note), p.note)
        elif status is not EditStatus.DONE:  # running, queued again (retry), cancelled, ...
            self.write(recorder.set_status, p.edit_id, status)
        # DONE: the sink (or EditFlow, for a sink that does not record) wrote it.
