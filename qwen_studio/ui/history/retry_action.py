"""Retry download on a history row: an edit that was charged for but whose result was not
downloaded (its links are kept, core/paid_results.py) downloads it again, with nothing sent
or charged again.

In the session the edit's failure notice has a Retry; after a restart the history row is
where the edit is, so the row offers it too. The window does the retry (HistoryGlue.retry:
the edit service loads the edit from the library when it does not hold it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui.history.entries import HistoryEntry

if TYPE_CHECKING:
    from qwen_studio.ui.history.panel import HistoryPanel

translate = QCoreApplication.translate


def waits_for_download(entry: HistoryEntry | None) -> bool:
    """A single edit (a batch retries in its queue) that failed paid and not downloaded."""
    return (entry is not None and entry.batch_id is None
            and entry.status is EditStatus.FAILED and entry.reason == "paid_not_downloaded")


class RetryDownloadAction(QObject):
    """The action, added to the history list and its context menu; enabled on such a row."""

    retryRequested = Signal(int)  # the edit id

    def __init__(self, panel: HistoryPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        tip = translate("HistoryPanel", "Download the result this edit was charged for; "
                        "nothing is sent or charged again")
        self.action = QAction(translate("HistoryPanel", "Retry &download"), self)
        self.action.setObjectName("historyRetryDownloadAction")
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)
        self.action.triggered.connect(lambda _c=False: self.retry_current())
        panel.add_list_action(self.action)
        panel.selectionChangedEntries.connect(lambda _sel: self.update())
        panel.model.entryRefreshed.connect(lambda _e: self.update())  # failed, or done now
        self.update()

    def update(self) -> None:
        self.action.setEnabled(waits_for_download(self.panel.current_entry()))

    def retry_current(self) -> None:
        entry = self.panel.current_entry()
        if waits_for_download(entry) and entry is not None:
            self.action.setEnabled(False)  # once: the row says when it runs
            self.retryRequested.emit(entry.edit_id)
