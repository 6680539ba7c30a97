"""The batch queue's resume offer: a batch the last session left unfinished, with Resume
and Not now (non-modal; the batch stays in the history either way).

Its words keep the panel's translation context ("BatchPanel").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QToolButton, QWidget

from qwen_studio.ui.icon_label import IconLabel
from qwen_studio.ui.icons import icon

if TYPE_CHECKING:
    from qwen_studio.core.editing.batches import BatchSummary

translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")


class ResumeOffer(QFrame):
    resumeRequested = Signal(str)  # the offered batch's id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchResumeBanner")
        self.setAccessibleName(translate("BatchPanel", "Interrupted batch"))
        self._batch_id = ""
        self.label = IconLabel()  # the info icon before its first line
        self.label.setObjectName("batchResumeText")
        self.label.setWordWrap(True)
        self.button = QPushButton(translate("BatchPanel", "Resume"))
        self.button.setObjectName("batchResumeButton")
        self.button.setAccessibleDescription(
            translate("BatchPanel", "Send the photos the interrupted batch has not finished"))
        self.button.setAccessibleName(translate("BatchPanel", "Resume the interrupted batch"))
        self.dismiss = QToolButton()
        self.dismiss.setIcon(icon("close"))
        self.dismiss.setAutoRaise(True)
        self.dismiss.setObjectName("batchResumeDismiss")
        not_now = translate("BatchPanel", "Not now (the batch stays in the history)")
        self.dismiss.setAccessibleDescription(not_now)
        self.dismiss.setAccessibleName(translate("BatchPanel", "Dismiss the resume offer"))
        self.dismiss.setToolTip(not_now)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        row.addWidget(self.dismiss)
        self.button.clicked.connect(lambda: self.resumeRequested.emit(self._batch_id))
        self.dismiss.clicked.connect(self.hide)
        self.hide()

    def offer(self, summary: BatchSummary) -> None:
        self._batch_id = summary.batch_id
        prompt = (translate("BatchPanel", " (“{prompt}”)").format(prompt=summary.prompt[:40])
                  if summary.prompt else "")
        self.label.set_note(
            translate("BatchPanel",
                      "A batch of {total}{prompt} was interrupted: {done} done, {pending} left.")
            .format(total=summary.total, prompt=prompt, done=summary.done,
                    pending=summary.pending), "info", "info_fg")
        self.setAccessibleDescription(self.label.text())
        self.show()
