"""The batch queue strip at the bottom of the window: one table row per job.

`BatchModel` is a QAbstractTableModel over the controller's jobs (no widget per row);
thumbnails are decoded in the thread pool only when the view asks for a row, and only a
bounded number are kept. `BatchUi` wires the panel and the controller into MainWindow.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QImage, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core.editing.progress import EditProgress, QueueStats, Stage
from qwen_studio.core.editing.queue import RETRYABLE
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import INPUT_COUNT_PROBLEMS, QwenStudioError
from qwen_studio.core.request import EditRequest
from qwen_studio.ui import image_loading as il
from qwen_studio.ui import theme
from qwen_studio.ui.batch_controller import BatchController, BatchReport
from qwen_studio.ui.error_text import (
    error_hint,
    error_message,
    input_reason,
    request_problems,
    status_note,
)
from qwen_studio.ui.marks import QT_TRANSLATE_NOOP
from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel
from qwen_studio.ui.progress_text import retry_text, stage_word
from qwen_studio.ui.theme.status import status_look

if TYPE_CHECKING:
    from qwen_studio.core.editing.batches import BatchSummary
    from qwen_studio.ui.history.model import HistoryModel

log = logging.getLogger(__name__)
translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")

_ROOT = QModelIndex()
THUMB_PX = 44  # row thumbnails; decoded at 2x for high-DPI screens
THUMB_CACHE = 240  # at most this many thumbnails in memory (~10 KB each)
JobIdRole = Qt.ItemDataRole.UserRole + 1
AUTO_BATCH = 8  # dropping this many photos (or any folder) is a batch without asking
STATS_MS = 100  # progress bar, counts, ETA and window title change at most this often
BATCH_OFFER_KEY = "batch:offer"

# Statuses look as everywhere else (glyph, word, colour: ui/theme/status.py).
COLUMNS = (
    QT_TRANSLATE_NOOP("BatchModel", "Input"), QT_TRANSLATE_NOOP("BatchModel", "Status"),
    QT_TRANSLATE_NOOP("BatchModel", "Tries"), QT_TRANSLATE_NOOP("BatchModel", "Time"),
    QT_TRANSLATE_NOOP("BatchModel", "Result"), QT_TRANSLATE_NOOP("BatchModel", "Prompt"),
)
C_INPUT, C_STATUS, C_TRIES, C_TIME, C_RESULT, C_PROMPT = range(6)

# The panel's own surfaces (what theme.tokens has no name for), per theme.
LOOK: dict[str, dict[str, str]] = {
    "dark": {"panel": "#232323", "panel_rule": "#1a1a1a", "alt_row": "#242424",
             "header_rule": "#1f1f1f", "summary": "#cfcfcf", "hint": "#7d7d7d",
             "badge_text": "#1c1c1c"},
    "light": {"panel": "#e6e6e6", "panel_rule": "#c4c4c4", "alt_row": "#f3f3f3",
              "header_rule": "#d0d0d0", "summary": "#333333", "hint": "#6b6b6b",
              "badge_text": "#ffffff"},
}
_icons: dict[tuple[str, EditStatus], QIcon] = {}


def _scheme(scheme: str | None) -> str:
    return scheme if scheme in ("dark", "light") else theme.current_scheme()


def panel_stylesheet(scheme: str | None = None) -> str:
    """The batch panel's style sheet for a theme (its tokens, plus LOOK)."""
    scheme = _scheme(scheme)
    t, k = theme.tokens(scheme), LOOK[scheme]
    return (
        f"#batchPanel {{ background: {k['panel']}; border-top: 1px solid {k['panel_rule']}; }}"
        f"#batchResumeBanner {{ background: {t['info_bg']}; border: 1px solid {t['accent']};"
        " border-radius: 5px; }"
        f"#batchSummary {{ color: {k['summary']}; padding: 2px 0; }}"
        f"#batchProgressLabel {{ color: {t['muted']}; }}"
        f"QTableView#batchQueue {{ alternate-background-color: {k['alt_row']}; }}"
        f"QTableView#batchQueue::item:selected {{ background: {t['row_selected']};"
        f" color: {t['row_selected_text']}; }}"
        f"QHeaderView::section {{ background: {t['alt']}; color: {t['muted']}; border: none;"
        f" border-right: 1px solid {k['header_rule']}; padding: 3px 6px; }}"
    )


def status_icon(state: EditStatus, scheme: str | None = None) -> QIcon:
    """A small round badge with the status glyph, painted once per state and theme."""
    scheme = _scheme(scheme)
    icon = _icons.get((scheme, state))
    if icon is None:
        look = status_look(state)
        pm = QPixmap(32, 32)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(look.colour(scheme))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(2, 2, 28, 28)
        f = QFont()
        f.setPixelSize(20)
        f.setBold(True)
        p.setFont(f)
        p.setPen(QColor(LOOK[scheme]["badge_text"]))
        p.drawText(QRect(0, 0, 32, 32), Qt.AlignmentFlag.AlignCenter, look.glyph)
        p.end()
        icon = _icons[(scheme, state)] = QIcon(pm)
    return icon


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


def _detail(job: EditProgress) -> str:
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
                if job.status is EditStatus.SKIPPED and (why := _detail(job)):
                    return f"{word} · {why}"  # done in an earlier run, over the budget
                return word
            if role == R.DecorationRole:
                return status_icon(job.status, self.scheme)
            if role == R.ForegroundRole:
                return status_look(job.status).colour(self.scheme)
            if role == R.ToolTipRole:
                return _detail(job) or word
        elif col == C_TRIES:
            if role == R.DisplayRole:
                return str(job.attempt) if job.attempt else "–"
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
                    return _detail(job)
                if path is not None and len(_results(job)) > 1:
                    return f"{len(_results(job))} results"
                return ""
            if role == R.ToolTipRole:
                if job.status is EditStatus.FAILED:
                    return _detail(job)
                return "\n".join(str(p) for p in _results(job))
            if role == R.ForegroundRole and job.status is EditStatus.FAILED:
                return QColor(theme.tokens(self.scheme)["error_fg"])
        elif col == C_PROMPT:
            if role in (R.DisplayRole, R.EditRole):
                return job.request.prompt if role == R.EditRole else (
                    job.request.prompt or "(the batch prompt)")
            if role == R.ToolTipRole:
                return ("Double-click to give this photo its own prompt"
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
            parts.append(_detail(job))
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


class BatchPanel(QFrame):
    """Header (progress, concurrency, pause, retry, cancel, export), the table, a summary."""

    exportRequested = Signal()
    hideRequested = Signal()
    resumeRequested = Signal(str)
    statsShown = Signal(object)  # QueueStats just shown (throttled): the title follows it

    def __init__(self, controller: BatchController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchPanel")
        self.setAccessibleName(self.tr("Batch queue"))
        self.setAccessibleDescription(self.tr("Every photo of the batch with its status and "
                                              "result"))
        self.controller = controller
        self.model = BatchModel(controller, self)
        self._resume_id = ""

        # -- resume offer (non-modal) -------------------------------------------------------
        self.resume_banner = QFrame()
        self.resume_banner.setObjectName("batchResumeBanner")
        self.resume_banner.setAccessibleName(self.tr("Interrupted batch"))
        self.resume_label = QLabel()
        self.resume_label.setObjectName("batchResumeText")
        self.resume_label.setWordWrap(True)
        self.resume_button = QPushButton(self.tr("Resume"))
        self.resume_button.setObjectName("batchResumeButton")
        self.resume_button.setAccessibleDescription(
            self.tr("Send the photos the interrupted batch has not finished"))
        self.resume_button.setAccessibleName(self.tr("Resume the interrupted batch"))
        self.resume_dismiss = QToolButton()
        self.resume_dismiss.setText("✕")
        self.resume_dismiss.setObjectName("batchResumeDismiss")
        self.resume_dismiss.setAccessibleDescription(
            self.tr("Not now (the batch stays in the history)"))
        self.resume_dismiss.setAccessibleName(self.tr("Dismiss the resume offer"))
        self.resume_dismiss.setToolTip(self.tr("Not now (the batch stays in the history)"))
        rb = QHBoxLayout(self.resume_banner)
        rb.setContentsMargins(10, 6, 6, 6)
        rb.addWidget(QLabel("ℹ"))
        rb.addWidget(self.resume_label, 1)
        rb.addWidget(self.resume_button)
        rb.addWidget(self.resume_dismiss)
        self.resume_banner.hide()

        # -- header ---------------------------------------------------------------------------
        title = QLabel(self.tr("Batch"))
        title.setObjectName("sectionTitle")
        self.progress = QProgressBar()
        self.progress.setObjectName("batchProgress")
        self.progress.setAccessibleName(self.tr("Batch progress"))
        self.progress.setTextVisible(True)
        self.progress.setFormat("%v / %m")
        self.progress.setFixedWidth(180)
        self.progress_label = QLabel(self.tr("No batch yet"))
        self.progress_label.setObjectName("batchProgressLabel")
        self.progress_label.setAccessibleName(self.tr("Batch progress details"))
        self.concurrency_spin = QSpinBox()
        self.concurrency_spin.setObjectName("concurrencySpin")
        self.concurrency_spin.setRange(1, 16)
        self.concurrency_spin.setValue(controller.concurrency)
        self.concurrency_spin.setAccessibleName(self.tr("Edits at once"))
        self.concurrency_spin.setAccessibleDescription(
            self.tr("How many photos are sent at the same time (1–16). When the service says "
            "'too many requests' the batch slows down by itself and speeds up again."))
        self.concurrency_spin.setToolTip(self.concurrency_spin.accessibleDescription())
        conc_label = QLabel(self.tr("At once"))
        conc_label.setBuddy(self.concurrency_spin)

        def button(text: str, name: str, tip: str) -> QPushButton:
            b = QPushButton(text)
            b.setObjectName(name)
            b.setAccessibleName(text.replace("…", ""))
            b.setAccessibleDescription(tip)
            b.setToolTip(tip)
            return b

        self.pause_button = button(self.tr("Pause"), "batchPauseButton",
                                   self.tr("Start no new photos; those in flight finish"))
        self.retry_failed_button = button(self.tr("Retry failed"), "batchRetryFailedButton",
                                          self.tr("Queue every failed photo again"))
        self.cancel_all_button = button(self.tr("Cancel all"), "batchCancelAllButton",
                                        self.tr("Stop the batch now, aborting photos in flight"))
        self.export_button = button(self.tr("Export gallery…"), "batchExportButton",
                                    self.tr("Write the batch's results as a gallery folder"))
        self.hide_button = QToolButton()
        self.hide_button.setObjectName("batchHideButton")
        self.hide_button.setAccessibleDescription(
            self.tr("File ▸ Show batch queue brings it back (Ctrl+B)"))
        self.hide_button.setText("▾")
        self.hide_button.setToolTip(self.tr("Hide the batch queue (File ▸ Show batch queue brings "
                                            "it back)"))
        self.hide_button.setAccessibleName(self.tr("Hide the batch queue"))

        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(title)
        head.addSpacing(8)
        head.addWidget(self.progress)
        head.addWidget(self.progress_label, 1)
        head.addWidget(conc_label)
        head.addWidget(self.concurrency_spin)
        head.addSpacing(8)
        for b in (self.pause_button, self.retry_failed_button, self.cancel_all_button,
                  self.export_button):
            head.addWidget(b)
        head.addWidget(self.hide_button)

        # -- table ----------------------------------------------------------------------------
        self.view = QTableView()
        self.view.setObjectName("batchQueue")
        self.view.setAccessibleName(self.tr("Batch jobs"))
        self.view.setAccessibleDescription(
            self.tr("One row per photo. Right-click or use the keys: Delete removes or cancels, "
            "R retries, F2 edits a waiting photo's prompt."))
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        vh = self.view.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(THUMB_PX + 8)
        hh = self.view.horizontalHeader()
        hh.setHighlightSections(False)
        for col, width in ((C_INPUT, 220), (C_STATUS, 170), (C_TRIES, 50), (C_TIME, 80),
                           (C_RESULT, 240)):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            # Never narrower than the header's own words (“尝试次数” is wider than “Tries”).
            # (+12: the style sheet pads sections by 6 px a side, unknown before polish).
            self.view.setColumnWidth(col, max(width, hh.sectionSizeHint(col) + 12))
        hh.setSectionResizeMode(C_PROMPT, QHeaderView.ResizeMode.Stretch)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.cancel_action = self._view_action(self.tr("Cancel"), "Delete", self.cancel_selected,
                                               "batchCancelAction")
        self.retry_action = self._view_action(self.tr("Retry"), "R", self.retry_selected,
                                              "batchRetryAction")
        self.remove_action = self._view_action(self.tr("Remove from batch"), "Shift+Delete",
                                               self.remove_selected, "batchRemoveAction")
        self.edit_prompt_action = self._view_action(self.tr("Edit prompt…"), "F2", self.edit_prompt,
                                                    "batchEditPromptAction")

        self.summary = QLabel()
        self.summary.setObjectName("batchSummary")
        self.summary.setAccessibleName(self.tr("Batch summary"))
        self.summary.setAccessibleDescription(self.tr("How the finished batch went"))
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.hide()

        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(6)
        lay.addWidget(self.resume_banner)
        lay.addLayout(head)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.summary)
        self._look = ""
        self._apply_look()

        # -- wiring ---------------------------------------------------------------------------
        self.concurrency_spin.valueChanged.connect(controller.set_concurrency)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.retry_failed_button.clicked.connect(self._retry_failed)
        self.cancel_all_button.clicked.connect(controller.cancel_all)
        self.export_button.clicked.connect(self.exportRequested)
        self.hide_button.clicked.connect(self.hideRequested)
        self.resume_button.clicked.connect(lambda: self.resumeRequested.emit(self._resume_id))
        self.resume_dismiss.clicked.connect(self.resume_banner.hide)
        # Counts, ETA and the bar: at most every STATS_MS, the newest figures winning.
        self._stats: QueueStats | None = None
        self._stats_at = 0.0
        self._stats_timer = QTimer(self)
        self._stats_timer.setSingleShot(True)
        self._stats_timer.timeout.connect(self._apply_stats)
        controller.statsChanged.connect(self.show_stats)
        controller.pausedChanged.connect(self._on_paused)
        controller.batchFinished.connect(self.show_report)
        controller.activeChanged.connect(self._on_active)
        controller.reset.connect(self.summary.hide)
        sel = self.view.selectionModel()
        sel.selectionChanged.connect(lambda *_: self._update_actions())
        controller.jobsChanged.connect(lambda *_: self._update_actions())
        self._update_actions()
        self.show_stats(None)

    # -- theme ---------------------------------------------------------------------------------
    def _apply_look(self) -> None:
        """Style sheet and row colours of the running theme (once per theme change)."""
        scheme = theme.current_scheme()
        if scheme == self._look:
            return
        self._look = scheme
        self.setStyleSheet(panel_stylesheet(scheme))
        self.model.set_scheme(scheme)

    def changeEvent(self, event: QEvent) -> None:
        # theme.apply_theme records the scheme, then sets the app palette and style sheet:
        # every widget gets PaletteChange / StyleChange (ours too, when we restyle: the
        # scheme check stops that from looping).
        if (event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange)
                and hasattr(self, "_look")):  # not while __init__ builds the panel
            self._apply_look()
        super().changeEvent(event)

    def _view_action(self, text: str, key: str, slot: Any, name: str) -> QAction:
        act = QAction(text, self.view)
        act.setObjectName(name)
        act.setShortcut(QKeySequence(key))
        act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        act.triggered.connect(lambda _c=False: slot())
        self.view.addAction(act)
        return act

    # -- selection actions ---------------------------------------------------------------------
    def selected_jobs(self) -> list[EditProgress]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        return [j for r in rows if (j := self.model.job_at(r)) is not None]

    def cancel_selected(self) -> None:
        for job in self.selected_jobs():
            self.controller.cancel(job.edit_id)

    def retry_selected(self) -> None:
        for job in self.selected_jobs():
            self.controller.retry(job.edit_id)

    def remove_selected(self) -> None:
        for job in self.selected_jobs():
            self.controller.remove(job.edit_id)

    def edit_prompt(self) -> None:
        jobs = self.selected_jobs()
        if jobs:
            row = self.model.row_of(jobs[0].edit_id)
            self.view.edit(self.model.index(row, C_PROMPT))

    def _retry_failed(self) -> None:
        self.summary.hide()
        self.controller.retry_failed()

    def toggle_pause(self) -> None:
        if self.controller.paused:
            self.controller.resume()
        else:
            self.controller.pause()

    def _update_actions(self) -> None:
        jobs = self.selected_jobs()
        self.cancel_action.setEnabled(any(not j.finished for j in jobs))
        self.retry_action.setEnabled(any(j.status in RETRYABLE for j in jobs))
        self.remove_action.setEnabled(any(j.status is not EditStatus.RUNNING for j in jobs))
        self.edit_prompt_action.setEnabled(any(j.status is EditStatus.QUEUED for j in jobs))

    def _on_paused(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.setAccessibleName("Resume" if paused else "Pause")
        self.show_stats(self.controller.stats(), now=True)

    def _on_active(self, active: bool) -> None:
        if active:
            self.summary.hide()
        self.show_stats(self.controller.stats(), now=True)

    # -- display -------------------------------------------------------------------------------
    def show_stats(self, s: QueueStats | None, *, now: bool = False) -> None:
        """Show these figures: at once if the last ones are STATS_MS old (or `now`), else
        when they are; newer figures arriving meanwhile replace them."""
        self._stats = s
        if now:
            self._apply_stats()
            return
        if self._stats_timer.isActive():
            return
        wait = self._stats_at + STATS_MS / 1000 - time.monotonic()
        if wait <= 0:
            self._apply_stats()
        else:
            self._stats_timer.start(int(wait * 1000) + 1)

    def _apply_stats(self) -> None:
        self._stats_timer.stop()
        self._stats_at = time.monotonic()
        s = self._stats
        self._show_stats(s)
        self.statsShown.emit(s)

    def _show_stats(self, s: QueueStats | None) -> None:
        c = self.controller
        active = c.active
        self.pause_button.setEnabled(active)
        self.cancel_all_button.setEnabled(bool(s and (s.queued or s.running)))
        self.retry_failed_button.setEnabled(bool(s and s.failed))
        self.export_button.setEnabled(bool(s and (s.done or s.skipped)))
        if s is None or not s.total:
            self._set_progress(0, 1)
            self._set_label(self.tr("No batch yet"))
            return
        self._set_progress(s.finished, s.total)
        parts = [self.tr("{n} done").format(n=s.done + s.skipped)]
        if s.failed:
            parts.append(self.tr("{n} failed").format(n=s.failed))
        if s.cancelled:
            parts.append(self.tr("{n} cancelled").format(n=s.cancelled))
        parts[-1] += self.tr(" of {n}").format(n=s.total)
        if active:
            if c.paused:
                parts.append(self.tr("⏸ paused") + (
                    self.tr(", {n} finishing").format(n=s.running) if s.running else ""))
            else:
                parts.append(self.tr("{n} running").format(n=s.running))
                if s.limit < c.concurrency and s.running:
                    parts.append(self.tr("slowed to {n} at once (service is busy)")
                                 .format(n=s.limit))
            if s.throughput_per_min:
                parts.append(self.tr("{n}/min").format(n=f"{s.throughput_per_min:.1f}"))
            if s.eta_s is not None and (s.queued or s.running):
                parts.append(self.tr("about {time} left").format(time=_duration(s.eta_s)))
        elif s.queued:
            parts.append(self.tr("press Run to start"))
        self._set_label(" · ".join(parts))

    def _set_progress(self, value: int, total: int) -> None:
        bar = self.progress
        if bar.maximum() != total or bar.minimum() != 0:
            bar.setRange(0, total)
        if bar.value() != value:
            # QProgressBar.setValue repaints synchronously (~1-1.5 ms, and it paints every
            # other pending region of the window with it): with updates off it only stores
            # the value, and turning them on again asks for an ordinary, coalesced repaint.
            bar.setUpdatesEnabled(False)
            bar.setValue(value)
            bar.setUpdatesEnabled(True)

    def _set_label(self, text: str) -> None:
        if self.progress_label.text() != text:
            self.progress_label.setText(text)
            self.progress.setAccessibleDescription(text)

    def show_report(self, report: BatchReport) -> None:
        text = f"<b>Batch finished:</b> {report.done} done"
        if report.failed:
            text += f", {report.failed} failed"
        if report.cancelled:
            text += f", {report.cancelled} cancelled"
        text += f" of {report.total}."
        if report.failures:
            reasons: dict[str, list[str]] = {}
            for label, edit in report.failures:
                reasons.setdefault(_detail(edit) or "unknown error", []).append(label)
            lines = [f"{len(v)} × {_html(k)} ({_html(', '.join(v[:3]))}"
                     f"{'…' if len(v) > 3 else ''})" for k, v in list(reasons.items())[:4]]
            text += "<br>Failed: " + "; ".join(lines) + ". Retry failed sends them again."
        if report.done:
            text += " Export gallery… writes the results as a folder with an index page."
        self.summary.setText(text)
        self.summary.setAccessibleName(self.summary.text())
        self.summary.show()

    def offer_resume(self, summary: BatchSummary) -> None:
        self._resume_id = summary.batch_id
        prompt = f" (“{summary.prompt[:40]}”)" if summary.prompt else ""
        self.resume_label.setText(
            f"A batch of {summary.total}{prompt} was interrupted: {summary.done} done, "
            f"{summary.pending} left.")
        self.resume_banner.setAccessibleDescription(self.resume_label.text())
        self.resume_banner.show()


def _duration(s: float) -> str:
    s = int(s)
    if s < 60:
        return translate("Duration", "{s} s").format(s=s)
    if s < 3600:
        return translate("Duration", "{m} min").format(m=s // 60)
    return translate("Duration", "{h} h {m} min").format(h=s // 3600, m=f"{s % 3600 // 60:02d}")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class BatchUi:
    """Puts the batch queue into a MainWindow: a bottom panel in a vertical splitter, the
    File ▸ Batch… action, the drop decision, Run, the title and the resume offer."""

    def __init__(self, window: Any) -> None:
        self.window = window

        self.controller = BatchController(lambda: window.edits, window.edit_signals,
                                          window.set_client_settings, window)
        self.panel = BatchPanel(self.controller)
        self.panel.hide()
        central = window.takeCentralWidget()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("batchSplitter")
        self.splitter.addWidget(central)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setCollapsible(0, False)
        window.setCentralWidget(self.splitter)

        self.batch_action = QAction(translate("BatchUi", "&Batch… (a folder, one prompt)"), window)
        self.batch_action.setObjectName("batchAction")
        self.batch_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.batch_action.setStatusTip(translate(
            "BatchUi", "Choose a folder: every photo in it gets the same edit"))
        self.batch_action.triggered.connect(lambda _c=False: self.choose_folder())
        self.show_action = QAction(translate("BatchUi", "Show batch &queue"), window)
        self.show_action.setObjectName("showBatchAction")
        self.show_action.setCheckable(True)
        self.show_action.setShortcut(QKeySequence("Ctrl+B"))
        self.show_action.toggled.connect(self.set_visible)
        window.addAction(self.batch_action)
        window.addAction(self.show_action)
        menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
        if menus:
            file_menu = menus[0]
            before = getattr(window, "paste_action", None)
            if before is not None and before in file_menu.actions():
                file_menu.insertAction(before, self.batch_action)
                file_menu.insertAction(before, self.show_action)
            else:
                file_menu.addAction(self.batch_action)
                file_menu.addAction(self.show_action)

        self.panel.hideRequested.connect(lambda: self.set_visible(False))
        self.panel.exportRequested.connect(self.export_gallery)
        self.panel.resumeRequested.connect(self.resume)
        self.panel.model.thumbnailNeeded.connect(self._load_thumbnail)
        c = self.controller
        # The history list follows every edit through the window's EditServiceSignals; an
        # edit taken out of the batch before it ran is gone from the history too.
        self._history: HistoryModel = window.history_model
        c.jobsRemoved.connect(self._remove_from_history)
        self.panel.statsShown.connect(self._update_title)
        c.activeChanged.connect(lambda _a: self._update_run_button())
        c.jobsAdded.connect(lambda _ids: self._update_run_button())
        c.jobsRemoved.connect(lambda _ids: self._update_run_button())
        c.reset.connect(self._update_run_button)
        c.batchFinished.connect(self._on_finished)
        c.resumeAvailable.connect(self._offer_resume)
        self._run_text = window.run_button.text()
        self._offered: list[Path] = []
        window.banner.actionTriggered.connect(self._on_banner_action)
        with contextlib.suppress(RuntimeError):  # no event loop: a bare unit-test window
            c.spawn(c.check_resume())

    # -- history -------------------------------------------------------------------------------
    def _remove_from_history(self, ids: list[int]) -> None:
        h = self._history
        h.remove([e for i in ids if (e := h.entry_for_edit(i)) is not None])

    def _on_banner_action(self, key: str) -> None:
        if key == BATCH_OFFER_KEY and self._offered:
            images, self._offered = self._offered, []
            self.window.clear_inputs()
            self.window.spawn(self.add(images, [], why="choice"))

    # -- visibility ----------------------------------------------------------------------------
    def set_visible(self, visible: bool) -> None:
        self.panel.setVisible(visible)
        if self.show_action.isChecked() != visible:
            self.show_action.setChecked(visible)
        if visible:
            total = self.splitter.height()
            if self.splitter.sizes()[1] < 120:
                self.splitter.setSizes([max(300, total - 260), 260])

    # -- adding --------------------------------------------------------------------------------
    def base_request(self) -> EditRequest:
        request, _problems = self.window.build_request()
        if request is None:  # e.g. a size that does not parse: Run will say so
            ep = self.window.endpoint
            request = EditRequest(inputs=(), prompt=self.window.prompt_panel.prompt().strip(),
                                  model=self.window.params.model(),
                                  style=ep.style if ep else "bailian")
        return request.with_changes(inputs=())

    async def offer(self, paths: list[Path], images: list[Path],
                    skipped: list[tuple[Path, str]], limit: int) -> bool:
        """A drop: a folder, or more photos than the model takes as inputs, is a batch."""
        loop = asyncio.get_running_loop()
        has_dir = await loop.run_in_executor(
            self.window.pool, lambda: any(Path(p).is_dir() for p in paths))
        if not images or not (has_dir or len(images) > limit):
            return False
        if has_dir or len(images) >= AUTO_BATCH:
            await self.add(images, skipped, why="folder" if has_dir else "many")
            return True
        # A few too many for one edit: the window keeps the first ones as inputs; the
        # banner offers the other reading of the drop.
        self._offered = list(images)
        self.window.banner.show_message(
            "info", translate("BatchUi", "{n} photos dropped; one edit takes at most {limit}.")
            .format(n=len(images), limit=limit),
            translate("BatchUi", "To give each photo the same edit instead, make them a batch."),
            translate("BatchUi", "Make a batch of {n}").format(n=len(images)), BATCH_OFFER_KEY)
        return False

    async def add(self, images: list[Path], skipped: list[tuple[Path, str]], why: str) -> None:
        w = self.window
        n = await self.controller.add_images(images, self.base_request())
        self.set_visible(True)
        # why: "folder", "many" (photos at once) or "choice" (File ▸ Batch…).
        reason = {
            "folder": translate("BatchUi", "A folder makes a batch"),
            "many": translate("BatchUi", "{k} photos at once make a batch").format(k=len(images)),
        }.get(why, translate("BatchUi", "Your choice makes a batch"))
        if n == 1:
            text = translate("BatchUi", "{reason}: 1 photo added to the queue below. The prompt "
                             "and parameters apply to it; press Run to start.")
        else:
            text = translate("BatchUi", "{reason}: {n} photos added to the queue below. The "
                             "prompt and parameters apply to each; press Run to start.")
        text = text.format(reason=reason, n=n)
        if self.controller.active:
            text = (translate("BatchUi", "1 photo added to the running batch.") if n == 1 else
                    translate("BatchUi", "{n} photos added to the running batch.").format(n=n))
        if skipped:
            text += " " + translate("BatchUi", "Skipped {k}:").format(k=len(skipped)) + " " + (
                "; ".join(f"{p.name} ({input_reason(r)})" for p, r in skipped[:3])
                + ("…" if len(skipped) > 3 else ""))
        w.drop_zone.set_message(text, "info")
        w.statusBar().showMessage(text, 8000)
        self._update_run_button()

    def choose_folder(self) -> None:
        w = self.window
        start = w.qsettings.value("paths/lastOpenDir", "") or ""
        folder = QFileDialog.getExistingDirectory(
            w, translate("BatchUi", "Batch: choose a folder of photos"), str(start))
        if folder:
            w.qsettings.setValue("paths/lastOpenDir", folder)
            w.spawn(self.add_folder(Path(folder)))

    async def add_folder(self, folder: Path) -> None:
        from qwen_studio.core.pipeline import find_images

        loop = asyncio.get_running_loop()
        images, skipped = await loop.run_in_executor(self.window.pool, find_images, [folder])
        if not images:
            self.window.drop_zone.set_message(f"no photos found in {folder.name}", "warning")
            return
        await self.add(images, skipped, why="folder")

    # -- running -------------------------------------------------------------------------------
    def wants_run(self) -> bool:
        return self.controller.wants_run()

    def run(self) -> bool:
        """Run pressed while the batch waits: check the prompt and parameters, then start."""
        w = self.window
        request, problems = w.build_request()
        # The batch brings its own input photos: problems about the inputs do not apply.
        problems = [p for p in problems if getattr(p, "code", "") not in INPUT_COUNT_PROBLEMS]
        if request is None or problems:
            w.banner.show_message(
                "warning", translate("BatchUi", "Can't start the batch yet: {problems}.").format(
                    problems=request_problems(problems)),
                translate("BatchUi",
                          "Describe the change in the Prompt box; it applies to every photo."))
            w.prompt_panel.prompt_edit.setFocus()
            return False
        if w.banner.kind == "warning":
            w.banner.dismiss()
        try:
            self.controller.start(self.base_request())
        except QwenStudioError as exc:
            w.notices.show(Notice(NoticeKind.BATCH, NoticeLevel.WARNING, error_message(exc),
                                  error_hint(exc), translate("BatchUi", "Open settings"),
                                  w.open_settings))
            return False
        w.save_settings_soon()
        self.set_visible(True)
        return True

    def _update_run_button(self) -> None:
        b = self.window.run_button
        n = self.controller.queued_count() if self.controller.wants_run() else 0
        b.setText(translate("BatchUi", "Run batch ({n})").format(n=n) + "   Ctrl+↵" if n
                  else self._run_text)
        b.setAccessibleDescription(
            translate("BatchUi", "Start the batch of {n} photos (Ctrl+Enter)").format(n=n) if n
            else translate("BatchUi", "Start the edit (Ctrl+Enter)"))

    def _update_title(self, s: QueueStats | None) -> None:
        if s is None or not s.total or not self.controller.active:
            self.window.setWindowTitle(translate("BatchUi", "Qwen Studio"))
            return
        title = f"Qwen Studio — {s.done + s.skipped}/{s.total}"
        if s.failed:
            title += " " + translate("BatchUi", "({n} failed)").format(n=s.failed)
        if self.controller.paused:
            title += " " + translate("BatchUi", "paused")
        if self.window.windowTitle() != title:
            self.window.setWindowTitle(title)

    def _on_finished(self, report: BatchReport) -> None:
        self.window.setWindowTitle(translate("BatchUi", "Qwen Studio"))
        msg = translate("BatchUi", "Batch finished: {done} done, {failed} failed of {total}")
        msg = msg.format(done=report.done, failed=report.failed, total=report.total)
        self.window.statusBar().showMessage(msg, 15000)
        self._update_run_button()

    # -- thumbnails ----------------------------------------------------------------------------
    def _load_thumbnail(self, key: tuple[int, str], path: Path) -> None:
        async def load() -> None:
            loop = asyncio.get_running_loop()
            try:
                image = await loop.run_in_executor(self.window.pool, il.decode_image, path,
                                                   THUMB_PX * 2)
            except (QwenStudioError, OSError):
                image = None
            self.panel.model.set_thumbnail(key, image)

        self.controller.spawn(load())

    # -- resume / export -----------------------------------------------------------------------
    def _offer_resume(self, summary: BatchSummary) -> None:
        self.panel.offer_resume(summary)
        self.set_visible(True)

    def resume(self, batch_id: str) -> None:
        if not batch_id:
            return
        if self.window.endpoint is None:
            self.window.notices.show(Notice(
                NoticeKind.BATCH, NoticeLevel.WARNING,
                translate("BatchUi", "Connect to a service to resume the batch."),
                translate("BatchUi", "Set up your API key in Settings, then press Resume again."),
                translate("BatchUi", "Open settings"), self.window.open_settings))
            return
        self.panel.resume_banner.hide()
        self.window.spawn(self.controller.resume_batch(batch_id))

    def export_gallery(self) -> None:
        batch_id = self.controller.batch_id
        if not batch_id:
            return
        w = self.window
        start = w.qsettings.value("paths/lastExportDir", "") or ""
        folder = QFileDialog.getExistingDirectory(
            w, translate("BatchUi", "Export the batch as a gallery into…"),
                                                  str(start))
        if folder:
            w.qsettings.setValue("paths/lastExportDir", folder)
            w.spawn(self.export_to(Path(folder) / f"qwen-{batch_id}"))

    async def export_to(self, target: Path) -> Path | None:
        from qwen_studio.core.gallery import export_gallery

        batch_id = self.controller.batch_id or ""
        loop = asyncio.get_running_loop()
        w = self.window

        recorder = w.edits.recorder

        def work() -> Path:
            records = recorder.batch_records(batch_id)
            prompt = records[0].request.prompt if records else ""
            return export_gallery(records, target, title=f"Qwen Studio batch — {prompt[:60]}")

        try:
            out = await loop.run_in_executor(w.pool, work)
        except QwenStudioError as exc:
            w.banner.show_message("error", translate("BatchUi", "Could not export the gallery: "
                                                     "{error}").format(error=error_message(exc)),
                                  error_hint(exc) or translate("BatchUi", "Choose another folder."))
            return None
        except OSError as exc:
            w.banner.show_message("error", translate("BatchUi", "Could not export the gallery: "
                                                     "{error}").format(error=exc.strerror or exc),
                                  translate("BatchUi", "Choose another folder."))
            return None
        done = translate("BatchUi", "Gallery exported to {path}").format(path=out)
        w.statusBar().showMessage(done, 10000)
        w.banner.show_message("info", done, translate(
            "BatchUi", "Open index.html in a browser to look through the batch."))
        return out

    async def shutdown(self) -> None:
        await self.controller.shutdown()
