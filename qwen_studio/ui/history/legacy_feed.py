"""Bridges from today's edit paths to `HistoryModel.apply_progress`, until the edit service
(core/editing/service.py, qt/edit_signals.py) replaces them: then the window connects
`EditServiceSignals.progressChanged` to apply_progress and this module is deleted.

  * ControllerFeed: the window's EditController (job ids; the edit id comes a moment later).
  * BatchFeed: the batch queue (BatchUi calls track_edits / push_edits / forget_edits).

Both only translate into EditProgress: the model has one way in.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from qwen_studio.core.editing.progress import EditProgress, EditResult, Stage
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.library import EditRecord
from qwen_studio.core.request import EditRequest
from qwen_studio.qt.pool_calls import PoolCalls
from qwen_studio.ui.history.model import HistoryModel

if TYPE_CHECKING:
    # Types only: concurrent.futures loads after the first paint (app.main).
    from concurrent.futures import Executor

_OFFSET = time.time() - time.monotonic()


def _mono(wall: float | None) -> float | None:
    return None if wall is None else wall - _OFFSET


def _label(request: EditRequest) -> str:
    return ", ".join(Path(i).name for i in request.inputs) or request.prompt[:40]


class ControllerFeed(QObject):
    """EditController's job signals -> EditProgress (keyed by the edit id once known)."""

    def __init__(self, model: HistoryModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._requests: dict[int, EditRequest] = {}
        self._edits: dict[int, int] = {}  # job id -> edit id
        self._last: dict[int, EditProgress] = {}  # job id -> the last progress sent

    def edit_of(self, job: int) -> int | None:
        return self._edits.get(job)

    def started(self, job: int, request: EditRequest) -> None:
        self._requests[job] = request

    def edit_id(self, job: int, edit_id: int) -> None:
        request = self._requests.get(job)
        if request is None:
            return
        self._edits[job] = edit_id
        self._send(job, EditProgress(edit_id, request, _label(request)))

    def progress(self, job: int, stage: str, _detail: str = "") -> None:
        p = self._last.get(job)
        if p is None or stage == "queued":
            return
        try:
            st = Stage(stage)
        except ValueError:
            st = Stage.SENDING
        started = p.started_at if p.started_at is not None else time.monotonic()
        self._send(job, _replace(p, status=EditStatus.RUNNING, stage=st, started_at=started))

    def finished(self, job: int, paths: list[Path], usage: dict[str, Any],
                 timings: dict[str, float], edit_id: int | None = None) -> None:
        if edit_id is not None and job not in self._edits:
            self.edit_id(job, edit_id)
        result = EditResult(tuple(paths), usage=dict(usage), timings=dict(timings))
        self._finish(job, EditStatus.DONE, result=result)

    def failed(self, job: int, error: QwenStudioError) -> None:
        self._finish(job, EditStatus.FAILED, error=error)

    def cancelled(self, job: int) -> None:
        self._finish(job, EditStatus.CANCELLED)

    def _finish(self, job: int, status: EditStatus, **fields: Any) -> None:
        p = self._last.pop(job, None)
        self._requests.pop(job, None)
        if p is None:
            return
        self._send(job, _replace(p, status=status, stage=Stage.FINISHED,
                                 finished_at=time.monotonic(), **fields), keep=False)

    def _send(self, job: int, p: EditProgress, keep: bool = True) -> None:
        if keep:
            self._last[job] = p
        self.model.apply_progress(p)


class BatchFeed(QObject):
    """The batch queue's history calls -> EditProgress."""

    def __init__(self, model: HistoryModel, pool: Executor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._calls = PoolCalls(pool, self)
        self._last: dict[int, EditProgress] = {}
        self._pending: dict[int, dict[str, Any]] = {}  # pushed before the record was read
        self._tracked: set[int] = set()  # forget_edits takes ids out, even mid-read

    def track_edits(self, edit_ids: list[int]) -> None:
        ids = [int(i) for i in edit_ids if int(i) not in self._last]
        lib = self.model.library
        if not ids or lib is None:
            return
        self._tracked.update(ids)

        def done(records: list[EditRecord]) -> None:
            for rec in records:
                if rec.id not in self._tracked:
                    continue  # removed from the batch while its record was being read
                status = EditStatus(str(getattr(rec.status, "value", rec.status)))
                p = EditProgress(rec.id, rec.request, _label(rec.request), status=status,
                                 batch_id=rec.batch_id)
                self._last[rec.id] = p
                self.model.apply_progress(p)
                pending = self._pending.pop(rec.id, None)
                if pending:
                    self.push_edits({rec.id: pending})

        self._calls.submit(lambda: lib.query(ids=ids, limit=len(ids)), done)

    def push_edits(self, changes: dict[int, dict[str, Any]]) -> None:
        for edit_id, fields in changes.items():
            p = self._last.get(edit_id)
            if p is None:
                self._pending.setdefault(edit_id, {}).update(fields)
                continue
            status = EditStatus(str(fields.get("status", p.status)))
            update: dict[str, Any] = {"status": status}
            if "started" in fields:
                update["started_at"] = _mono(fields["started"])
            if "finished" in fields:
                update["finished_at"] = _mono(fields["finished"])
            if status is EditStatus.RUNNING:
                update["stage"] = Stage.SENDING
            elif status is not EditStatus.QUEUED:
                update["stage"] = Stage.FINISHED
            if status is EditStatus.DONE:
                update["result"] = EditResult(tuple(Path(x) for x in fields.get(
                    "result_paths", p.result.paths if p.result else ())))
            if status is EditStatus.FAILED and fields.get("note"):
                update["error"] = QwenStudioError(str(fields["note"]))
            p = _replace(p, **update)
            self._last[edit_id] = p
            self.model.apply_progress(p)

    def forget_edits(self, edit_ids: list[int]) -> None:
        ids = {int(i) for i in edit_ids}
        for i in ids:
            self._last.pop(i, None)
            self._pending.pop(i, None)
            self._tracked.discard(i)
        self.model.remove([e for i in ids if (e := self.model.entry_for_edit(i)) is not None])


def _replace(p: EditProgress, **changes: Any) -> EditProgress:
    from dataclasses import replace

    return replace(p, **changes)
