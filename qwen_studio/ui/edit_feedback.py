"""EditFeedback: what the window says about edits, derived from the edit service's data.

The notices (a retry under way, a final failure with its next step), the status bar's
progress line, the in-flight count, the Cancel button and the canvas's busy line all come
from EditProgress and QueueStats (ui/progress_text words them): one source of truth, so
after a final failure nothing says "retrying" or "editing", and during a batch the status
bar says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QHBoxLayout, QLabel, QStatusBar, QToolButton

from qwen_studio.core.editing.progress import EditProgress, QueueStats, Stage
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import (
    AuthError,
    ConfigError,
    InputImageError,
    ModerationError,
    QwenStudioError,
)
from qwen_studio.qt.edit_session import EditSession
from qwen_studio.ui.error_text import banner_message
from qwen_studio.ui.icons import icon
from qwen_studio.ui.marks import QT_TRANSLATE_NOOP
from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel, Notices
from qwen_studio.ui.progress_text import batch_text, busy_text, final_hint, retry_text

# The window's words keep the window's translation context (the zh_CN catalogue has them).
translate = QCoreApplication.translate


@dataclass(frozen=True)
class FailureActions:
    """The next steps a failed edit's notice offers (besides Retry)."""

    open_settings: Callable[[], object]
    rephrase: Callable[[], object]
    browse: Callable[[], object]


class EditFeedback(QObject):
    """Connect `on_progress`/`on_stats` to EditServiceSignals (after the history model's
    apply_progress, so a finished edit's row exists when `on_done` selects it)."""

    def __init__(self, session: EditSession, notices: Notices, *, status_bar: QStatusBar,
                 inflight_label: QLabel, cancel_button: QAbstractButton,
                 show_running: Callable[[float | None, int], None],
                 clear_busy: Callable[[], None], batch_id: Callable[[], str | None],
                 on_done: Callable[[EditProgress], None], actions: FailureActions,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._notices = notices
        self._bar = status_bar
        self._inflight = inflight_label
        # The themed "running" icon left of the words (a button paints the icon live, so a
        # theme switch recolours it); the label's indent leaves it room.
        self.inflight_icon = QToolButton(inflight_label)
        self.inflight_icon.setObjectName("inFlightIcon")
        self.inflight_icon.setIcon(icon("running"))
        self.inflight_icon.setIconSize(QSize(14, 14))
        self.inflight_icon.setAutoRaise(True)
        self.inflight_icon.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.inflight_icon.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        row = QHBoxLayout(inflight_label)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.inflight_icon)
        row.addStretch(1)
        self._cancel = cancel_button
        self._show_running = show_running
        self._clear_busy = clear_busy
        self._batch_id = batch_id
        self._on_done = on_done
        self._actions = actions
        self._retry_notice_edit: int | None = None  # the edit whose retry note is shown
        self._failure_notice_edit: int | None = None  # the edit whose failure is shown
        self._busy_line = ""  # the progress line the status bar shows ("" if none)
        # What the canvas's running placeholder shows: (start, others) or None.
        self._busy_canvas: tuple[float | None, int] | None = None
        # The (running, saving) counts the in-flight label says now: unchanged, not redrawn.
        self._inflight_counts: tuple[int, int] | None = None
        # Elapsed seconds tick while something runs.
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        self.set_inflight_text(0)

    # -- events --------------------------------------------------------------------------
    def on_progress(self, p: EditProgress) -> None:
        """One edit changed (coalesced by EditServiceSignals). A finished edit leaves
        nothing that says it runs."""
        if p.batch_id is None:
            if p.stage is Stage.RETRYING and p.retry is not None:
                self._retry_notice_edit = p.edit_id
                self._notices.show(Notice(
                    NoticeKind.EDIT_RETRYING, NoticeLevel.INFO, retry_text(p),
                    translate("MainWindow",
                              "Retrying automatically — nothing to do. Esc cancels.")))
            elif self._retry_notice_edit == p.edit_id:
                self._retry_notice_edit = None
                self._notices.clear(NoticeKind.EDIT_RETRYING)
            if p.status is EditStatus.DONE:
                self._on_done(p)
                self._report_done(p)
                self._clear_stale_failure(p.edit_id)
            elif p.status is EditStatus.FAILED:
                self._report_failure(p)
            elif p.status is EditStatus.CANCELLED:
                self._bar.showMessage(translate("MainWindow", "Edit cancelled"), 5000)
            self.refresh()
        # A batch's edits: statsChanged (once per burst) refreshes the figures; refreshing per
        # edit recounted a 200-photo batch thousands of times on the GUI thread.

    def on_stats(self, _stats: QueueStats) -> None:
        self.refresh()

    def _report_done(self, p: EditProgress) -> None:
        result = p.result
        usage = usage_text(result.usage if result else {})
        seconds = result.timings.get("total_s", 0) if result else 0
        self._bar.showMessage(translate("MainWindow", "Edit done in {s} s").format(
            s=f"{seconds:.0f}") + (f" · {usage}" if usage else ""), 8000)

    def _clear_stale_failure(self, done_edit: int) -> None:
        """An edit sent as late as (or later than) the one whose failure the banner shows
        has succeeded: the failure (a flagged prompt, a dropped connection) is over, and a
        banner left up would speak of the edit on screen, which worked. The failed edit's
        history row keeps its reason."""
        failed = self._failure_notice_edit
        if failed is not None and done_edit >= failed:
            self._failure_notice_edit = None
            self._notices.clear(NoticeKind.EDIT_FAILED)

    def _report_failure(self, p: EditProgress) -> None:
        error = p.error or QwenStudioError(translate("MainWindow", "The edit failed."))
        acts = self._actions
        action: Callable[[], object]
        if isinstance(error, AuthError | ConfigError):
            text, action = translate("MainWindow", "Open settings"), acts.open_settings
        elif isinstance(error, ModerationError):
            text, action = translate("MainWindow", "Rephrase"), acts.rephrase
        elif isinstance(error, InputImageError):
            text, action = translate("MainWindow", "Choose another image"), acts.browse
        else:
            edit_id, session = p.edit_id, self._session
            text = translate("MainWindow", "Retry")
            action = lambda: session.retry(edit_id)  # noqa: E731  the same edit, sent again

        # The last attempt failed: the hint never says it is still retrying.
        hint = final_hint(error, p.attempt)
        rid = getattr(error, "request_id", "")
        if rid:
            hint = translate("MainWindow", "{hint} (request id {rid})").format(
                hint=hint, rid=rid).strip()
        self._failure_notice_edit = p.edit_id
        self._notices.show(Notice(NoticeKind.EDIT_FAILED, NoticeLevel.ERROR,
                                  banner_message(error), hint, text, action))

    # -- what is shown -------------------------------------------------------------------
    def set_inflight_text(self, n: int, saving: int = 0) -> None:
        """`n` edits with the service (preparing, sending, downloading), `saving` more
        writing their results (QueueStats.running and .saving)."""
        if (n, saving) == self._inflight_counts:
            return
        self._inflight_counts = (n, saving)
        busy = n + saving
        words = [translate("MainWindow", "{n} running").format(n=n)] if n else []
        if saving:
            words.append(translate("MainWindow", "{n} saving").format(n=saving))
        self._inflight.setText(", ".join(words) if busy else translate("MainWindow", "Idle"))
        self.inflight_icon.setVisible(bool(busy))
        self._inflight.setIndent(20 if busy else 0)
        self._inflight.setAccessibleDescription(
            (translate("MainWindow", "{n} edits in flight").format(n=busy) if busy != 1
             else translate("MainWindow", "1 edit in flight")) if busy
            else translate("MainWindow", "No edits in flight"))

    def refresh(self) -> None:
        """The status bar, the in-flight count and the canvas's busy line, from the
        service's own figures."""
        session = self._session
        singles = session.singles_in_flight()
        stats = session.stats()
        # The queue starts an edit's successor before it reports the edit's end, so this
        # never reads 0 between two edits of a running queue.
        self.set_inflight_text(stats.running, stats.saving)
        self._cancel.setEnabled(bool(singles))
        batch_id = self._batch_id()
        batch = session.stats(batch_id) if batch_id else None
        busy = busy_text(singles)
        # One calm placeholder on the canvas (spinner + seconds of the newest running edit);
        # the words (stage, retries) are in the status bar and the history row.
        running = [p for p in singles if p.status is EditStatus.RUNNING]
        shown = ((running[-1].started_at if running else None, len(singles) - 1)
                 if singles else None)
        if shown != self._busy_canvas:  # each call repaints the canvas
            self._busy_canvas = shown
            if shown is None:
                self._clear_busy()
            else:
                self._show_running(*shown)
        batch_line = batch_text(batch) if batch and batch.active else ""
        lines = [t for t in (busy, batch_line) if t]
        line = "  ·  ".join(lines)
        bar = self._bar
        if line:
            if line != bar.currentMessage():
                bar.showMessage(line)
        elif self._busy_line and bar.currentMessage() == self._busy_line:
            bar.clearMessage()  # nothing runs any more; a newer message (done, …) stays
        self._busy_line = line
        if stats.active and not self._timer.isActive():
            self._timer.start()
        elif not stats.active:
            self._timer.stop()


def usage_text(usage: dict[str, Any]) -> str:
    parts = []
    for key, label in (("image_count", QT_TRANSLATE_NOOP("MainWindow", "{n} images")),
                       ("input_tokens", QT_TRANSLATE_NOOP("MainWindow", "{n} input tokens")),
                       ("output_tokens", QT_TRANSLATE_NOOP("MainWindow", "{n} output tokens")),
                       ("total_tokens", QT_TRANSLATE_NOOP("MainWindow", "{n} tokens"))):
        if key in usage:
            parts.append(translate("MainWindow", label).format(n=usage[key]))
    return ", ".join(parts)
