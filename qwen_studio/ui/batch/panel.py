"""BatchPanel: the queue strip at the bottom of the window: header (progress, concurrency,
pause, retry, cancel, export), the table, a summary, the resume offer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core.editing.progress import EditProgress, QueueStats
from qwen_studio.core.editing.queue import RETRYABLE
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui import theme
from qwen_studio.ui.batch.budget_field import BudgetField
from qwen_studio.ui.batch.look import panel_stylesheet
from qwen_studio.ui.batch.model import (
    C_PROMPT,
    BatchModel,
)
from qwen_studio.ui.batch.queue_table import queue_table, row_action
from qwen_studio.ui.batch.resume_offer import ResumeOffer
from qwen_studio.ui.batch.texts import report_html, stats_line
from qwen_studio.ui.batch_controller import BatchController, BatchReport
from qwen_studio.ui.icons import icon

if TYPE_CHECKING:
    from qwen_studio.core.editing.batches import BatchSummary

log = logging.getLogger(__name__)
translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")

STATS_MS = 100  # progress bar, counts, ETA and window title change at most this often

class BatchPanel(QFrame):
    """Header (progress, concurrency, pause, retry, cancel, export), the table, a summary."""

    exportRequested = Signal()
    hideRequested = Signal()
    resumeRequested = Signal(str)
    jobShown = Signal(int)  # a row clicked or made current: show that edit (its id)
    statsShown = Signal(object)  # QueueStats just shown (throttled): the title follows it

    def __init__(self, controller: BatchController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchPanel")
        self.setAccessibleName(self.tr("Batch queue"))
        self.setAccessibleDescription(self.tr("Every photo of the batch with its status and "
                                              "result"))
        self.controller = controller
        self.model = BatchModel(controller, self)

        # -- resume offer (non-modal) -------------------------------------------------------
        self.resume_banner = ResumeOffer()
        self.resume_label = self.resume_banner.label
        self.resume_button = self.resume_banner.button
        self.resume_dismiss = self.resume_banner.dismiss

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
        # Its words must not set the window's least width (the header holds many controls):
        # it takes the room left and is cut short, whole in its tooltip.
        self.progress_label.setSizePolicy(QSizePolicy.Policy.Ignored,
                                          QSizePolicy.Policy.Preferred)
        self.progress_label.setMinimumWidth(120)
        self.concurrency_spin = theme.inset_spin_text(QSpinBox())
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
        self.hide_button.setIcon(icon("collapse"))
        self.hide_button.setAutoRaise(True)
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
        self.budget_field = BudgetField(controller)  # the batch's budget, Run skipped
        head.addWidget(self.budget_field)
        head.addSpacing(8)
        for b in (self.pause_button, self.retry_failed_button, self.cancel_all_button,
                  self.export_button):
            head.addWidget(b)
        head.addWidget(self.hide_button)

        # -- table ----------------------------------------------------------------------------
        self.view = queue_table(self.model)
        self.cancel_action = self._row_action(self.tr("Cancel"), "Delete", self.cancel_selected,
                                               "batchCancelAction")
        self.retry_action = self._row_action(self.tr("Retry"), "R", self.retry_selected,
                                              "batchRetryAction")
        self.remove_action = self._row_action(self.tr("Remove from batch"), "Shift+Delete",
                                               self.remove_selected, "batchRemoveAction")
        self.edit_prompt_action = self._row_action(self.tr("Edit prompt…"), "F2", self.edit_prompt,
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
        self.resume_banner.resumeRequested.connect(self.resumeRequested)
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
        sel.currentRowChanged.connect(lambda cur, _prev: self._show_job(cur.row()))
        self.view.activated.connect(lambda i: self._show_job(i.row()))
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

    def _row_action(self, text: str, key: str, slot: Callable[[], object],
                    name: str) -> QAction:
        return row_action(self.view, text, key, slot, name)

    # -- selection actions ---------------------------------------------------------------------
    def _show_job(self, row: int) -> None:
        job = self.model.job_at(row)
        if job is not None:
            self.jobShown.emit(job.edit_id)

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
        word = self.tr("Resume") if paused else self.tr("Pause")
        self.pause_button.setText(word)
        self.pause_button.setAccessibleName(word)
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
        self.cancel_all_button.setEnabled(bool(s and s.active))
        self.retry_failed_button.setEnabled(bool(s and s.failed))
        self.export_button.setEnabled(bool(s and (s.done or s.skipped)))
        if s is None or not s.total:
            self._set_progress(0, 1)
            self._set_label(self.tr("No batch yet"))
            return
        self._set_progress(s.finished, s.total)
        self._set_label(stats_line(s, active=active, paused=c.paused,
                                   concurrency=c.concurrency,
                                   over_budget=c.over_budget_count()))

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
            self.progress_label.setToolTip(text)
            self.progress.setAccessibleDescription(text)

    def show_report(self, report: BatchReport) -> None:
        self.summary.setText(report_html(report))
        self.summary.setAccessibleName(self.summary.text())
        self.summary.show()

    def offer_resume(self, summary: BatchSummary) -> None:
        self.resume_banner.offer(summary)
