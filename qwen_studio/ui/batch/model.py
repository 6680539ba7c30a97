"""BatchModel: the queue as a QAbstractTableModel over the controller's edits (no widget per
row). Thumbnails are decoded in the thread pool only when the view asks for a row, and only a
bounded number are kept."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap

from qwen_studio.core.editing.progress import EditProgress, Stage
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui import theme
from qwen_studio.ui.batch.look import LOOK, status_icon
from qwen_studio.ui.batch_controller import BatchController
from qwen_studio.ui.error_text import (
    error_message,
    status_note,
)
from qwen_studio.ui.marks import QT_TRANSLATE_NOOP
from qwen_studio.ui.progress_text import over_budget, retry_text, skipped_budget_word, stage_word
from qwen_studio.ui.theme.status import status_look

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)
translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")

_ROOT = QModelIndex()
THUMB_PX = 44  # row thumbnails; decoded at 2x for high-DPI screens
THUMB_CACHE = 240  # at most this many thumbnails in memory (~10 KB each)
JobIdRole = Qt.ItemDataRole.UserRole + 1

# Statuses look as everywhere else (glyph, word, colour: ui/theme/status.py).
COLUMNS = (
    QT_TRANSLATE_NOOP("BatchModel", "Input"), QT_TRANSLATE_NOOP("BatchModel", "Status"),
    QT_TRANSLATE_NOOP("BatchModel", "Tries"), QT_TRANSLATE_NOOP("BatchModel", "Time"),
    QT_TRANSLATE_NOOP("BatchModel", "Result"), QT_TRANSLATE_NOOP("BatchModel", "Prompt"),
)
C_INPUT, C_STATUS, C_TRIES, C_TIME, C_RESULT, C_PROMPT = range(6)



def _elapsed(job: EditProgress) -> str:
    if job.started_at is None or job.status is EditStatus.SKIPPED:
        return ""
    s = int(job.elapsed(time.monotonic()))
    if s < 60:
        return translate("Duration", "{s} s").format(s=s)
    return translate("Duration", "{m} min {s} s").format(m=s // 60, s=f"{s % 60:02d}")


def _results(job: EditProgress) -> tuple[Path, ...]:
    return job.result.paths if job.result is not None else ()


def _job_result_path(job: EditProgress) -> Path | None:
    if job.status in (EditStatus.DONE, EditStatus.SKIPPED) and _results(job):
        return _results(job)[0]
    return None


def job_detail(job: EditProgress) -> str:
    """Why it failed, why it was skipped, or what a running edit is doing (translated)."""
    if job.error is not None:
        return error_message(job.error)
    if job.note:
        return status_note(job.note)
    if job.retry is not None:
        return retry_text(job)
    return ""


class BatchModel(QAbstractTableModel):
    """Rows mirror the batch's edit order; cells read each edit's latest EditProgress."""

    thumbnailNeeded = Signal(object, object)  # key (job id, "in"/"out"), Path

    def __init__(self, controller: BatchController, parent: Any = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._ids: list[int] = []
        self._row: dict[int, int] = {}
        self._thumbs: OrderedDict[tuple[int, str], QIcon] = OrderedDict()
        self._asked: set[tuple[int, str]] = set()
        self.scheme = theme.current_scheme()  # colours of this theme (the panel follows it)
        controller.reset.connect(self._reset)
        controller.jobsAdded.connect(self._added)
        controller.jobsChanged.connect(self._changed)
        controller.jobsRemoved.connect(self._removed)
        # Running rows' elapsed seconds move on their own.
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        controller.activeChanged.connect(
            lambda on: self._ticker.start() if on else self._ticker.stop())

    # -- Qt model API --------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section])
        return None

    def job_at(self, row: int) -> EditProgress | None:
        if 0 <= row < len(self._ids):
            return self.controller.job(self._ids[row])
        return None

    def row_of(self, job_id: int) -> int:
        return self._row.get(job_id, -1)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        f = super().flags(index)
        job = self.job_at(index.row())
        if index.column() == C_PROMPT and job is not None and job.status is EditStatus.QUEUED:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        job = self.job_at(index.row()) if index.isValid() else None
        if job is None:
            return None
        col = index.column()
        R = Qt.ItemDataRole
        if role == JobIdRole:
            return job.edit_id
        if role == R.AccessibleTextRole:
            return self._accessible(job)
        if col == C_INPUT:
            if role == R.DisplayRole:
                return job.label
            if role == R.DecorationRole:
                src = job.request.inputs[0] if job.request.inputs else ""
                return self._thumb((job.edit_id, "in"), Path(src)) if src else None
            if role == R.ToolTipRole:
                return "\n".join(job.request.inputs)
        elif col == C_STATUS:
            word = status_look(job.status).text()
            if role == R.DisplayRole:
                if job.status is EditStatus.RUNNING and job.stage is not Stage.PREPARING:
                    return f"{word} · {stage_word(job.stage)}"
                if over_budget(job):  # the reason in full is the tooltip
                    return skipped_budget_word()
                if job.status is EditStatus.SKIPPED and (why := job_detail(job)):
                    return f"{word} · {why}"  # done in an earlier run, over the budget
                return word
            if role == R.DecorationRole:
                return status_icon(job.status, self.scheme, _reason(job))
            if role == R.ForegroundRole:  # a budget skip reads as "needs you", not done
                return status_look(job.status, _reason(job)).colour(self.scheme)
            if role == R.ToolTipRole:
                return job_detail(job) or word
        elif col == C_TRIES:
            if role == R.DisplayRole:
                # Not sent for the budget: no try, whatever the queue counted.
                return str(job.attempt) if job.attempt and not over_budget(job) else "–"
            if role == R.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
        elif col == C_TIME:
            if role == R.DisplayRole:
                return _elapsed(job)
            if role == R.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        elif col == C_RESULT:
            path = _job_result_path(job)
            if role == R.DecorationRole and path is not None:
                return self._thumb((job.edit_id, "out"), path)
            if role == R.DisplayRole:
                if job.status is EditStatus.FAILED:
                    return job_detail(job)
                if path is not None and len(_results(job)) > 1:
                    return f"{len(_results(job))} results"
                return ""
            if role == R.ToolTipRole:
                if job.status is EditStatus.FAILED:
                    return job_detail(job)
                return "\n".join(str(p) for p in _results(job))
            if role == R.ForegroundRole and job.status is EditStatus.FAILED:
                return QColor(theme.tokens(self.scheme)["error_fg"])
        elif col == C_PROMPT:
            if role in (R.DisplayRole, R.EditRole):
                return job.request.prompt if role == R.EditRole else (
                    job.request.prompt or translate("BatchModel", "(the batch prompt)"))
            if role == R.ToolTipRole:
                return (translate("BatchModel", "Double-click to give this photo its own "
                                  "prompt")
                        if job.status is EditStatus.QUEUED else job.request.prompt)
            if role == R.ForegroundRole and not job.request.prompt:
                return QColor(LOOK[self.scheme]["hint"])
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        job = self.job_at(index.row())
        if job is None or index.column() != C_PROMPT or role != Qt.ItemDataRole.EditRole:
            return False
        if not self.controller.set_prompt(job.edit_id, str(value)):
            return False
        self.dataChanged.emit(index, index)
        return True

    def _accessible(self, job: EditProgress) -> str:
        parts = [job.label, status_look(job.status).text().lower()]
        if job.attempt:
            parts.append(f"{job.attempt} attempt{'s' if job.attempt != 1 else ''}")
        if t := _elapsed(job):
            parts.append(t)
        if job.status is EditStatus.FAILED and job.error is not None:
            parts.append(job_detail(job))
        return ", ".join(parts)

    # -- thumbnails ----------------------------------------------------------------------------
    def _thumb(self, key: tuple[int, str], path: Path) -> QIcon | None:
        image = self._thumbs.get(key)
        if image is not None:
            self._thumbs.move_to_end(key)
            return image
        if key not in self._asked:
            self._asked.add(key)
            self.thumbnailNeeded.emit(key, path)
        return None

    def set_thumbnail(self, key: tuple[int, str], image: QImage | None) -> None:
        self._asked.discard(key) if image is not None else None
        if image is None:
            return  # unreadable: keep it asked, so it is not decoded again and again
        job_id, kind = key
        row = self._row.get(job_id)
        if row is None:
            return
        # An icon scales into the view's icon size keeping the aspect (a bare QImage would
        # be drawn at its decoded size, which is 2x for high-DPI screens).
        self._thumbs[key] = QIcon(QPixmap.fromImage(image))
        while len(self._thumbs) > THUMB_CACHE:
            self._thumbs.popitem(last=False)  # evicted rows decode again if scrolled back
        col = C_INPUT if kind == "in" else C_RESULT
        idx = self.index(row, col)
        self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])

    def thumbnail_count(self) -> int:
        return len(self._thumbs)

    def set_scheme(self, scheme: str) -> None:
        """The theme changed: every row's colours and badges are repainted in it."""
        if scheme == self.scheme:
            return
        self.scheme = scheme
        if self._ids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._ids) - 1, len(COLUMNS) - 1),
                                  [Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.DecorationRole])

    # -- controller events ---------------------------------------------------------------------
    def _reset(self) -> None:
        self.beginResetModel()
        self._ids, self._row = [], {}
        self._thumbs.clear()
        self._asked.clear()
        self.endResetModel()

    def _added(self, ids: list[int]) -> None:
        ids = [i for i in ids if i not in self._row and self.controller.job(i) is not None]
        if not ids:
            return
        first = len(self._ids)
        self.beginInsertRows(_ROOT, first, first + len(ids) - 1)
        for i in ids:
            self._row[i] = len(self._ids)
            self._ids.append(i)
        self.endInsertRows()

    def _changed(self, ids: list[int]) -> None:
        rows = sorted(self._row[i] for i in ids if i in self._row)
        if not rows:
            return
        # One signal per contiguous run of rows, not one per job.
        start = prev = rows[0]
        for r in [*rows[1:], None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            self.dataChanged.emit(self.index(start, 0), self.index(prev, len(COLUMNS) - 1))
            if r is not None:
                start = prev = r

    def _removed(self, ids: list[int]) -> None:
        for i in ids:
            row = self._row.get(i)
            if row is None:
                continue
            self.beginRemoveRows(_ROOT, row, row)
            del self._ids[row]
            self._row = {j: n for n, j in enumerate(self._ids)}
            for kind in ("in", "out"):
                self._thumbs.pop((i, kind), None)
            self.endRemoveRows()

    def _tick(self) -> None:
        running = [self._row[j.edit_id] for j in self.controller.jobs()
                   if j.status is EditStatus.RUNNING and j.edit_id in self._row]
        if running:
            self.dataChanged.emit(self.index(min(running), C_TIME),
                                  self.index(max(running), C_TIME))


def _reason(job: EditProgress) -> str:
    """Its reason code (why it was skipped), which picks its status look."""
    return str(getattr(job.note, "code", "") or "")
