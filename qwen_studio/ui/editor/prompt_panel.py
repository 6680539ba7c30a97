"""Prompt and negative prompt with live character counts against the service limits."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core.request import NEGATIVE_PROMPT_LIMIT, PROMPT_LIMIT
from qwen_studio.ui import theme
from qwen_studio.ui.editor.drop_zone import mime_has_media


class PromptEdit(QPlainTextEdit):
    """Plain text only. Ctrl+Enter runs; a pasted image or file goes to the inputs instead."""

    runRequested = Signal()
    mediaPasted = Signal(QMimeData)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.runRequested.emit()
            return
        super().keyPressEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return mime_has_media(source) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        # A designer who copied a photo and pressed Ctrl+V while typing wants it as an input.
        if mime_has_media(source) and not (source.hasText() and not source.hasUrls()):
            self.mediaPasted.emit(source)
            return
        super().insertFromMimeData(source)


class _Counter(QWidget):
    """'123 / 800', or an icon plus 'Too long' when over: never colour alone."""

    def __init__(self, limit: int, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.limit = limit
        self._over = False
        self._icon = QLabel()
        self._icon.setFixedSize(14, 14)
        self._icon.hide()  # its pixmap is drawn the first time it shows (~3 ms saved at start)
        self.label = QLabel()
        self.label.setObjectName(f"{name}Count")
        self.label.setAccessibleName(
            self.tr("Prompt length") if name == "prompt" else self.tr("Negative prompt length"))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addStretch(1)
        lay.addWidget(self._icon)
        lay.addWidget(self.label)
        self.update_count(0)

    def update_count(self, n: int) -> None:
        over = n > self.limit
        if over and self._icon.pixmap().isNull():
            from PySide6.QtWidgets import QStyle  # 11 enums, ~5 ms: not before the first frame

            self._icon.setPixmap(self.style().standardIcon(
                QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(14, 14))
        self._icon.setVisible(over)
        if over:
            self.label.setText(self.tr("Too long: {n} / {limit} — remove {extra}").format(
                n=n, limit=self.limit, extra=n - self.limit))
        else:
            self.label.setText(f"{n} / {self.limit}")
        if over != self._over:
            self._over = over
            # The theme's style sheet colours the label by state ([countOver="true"]), so
            # it follows a live theme switch and no per-label style sheet is parsed.
            theme.set_state(self.label, "countOver", over)
        self.label.setAccessibleDescription(self.label.text())

    @property
    def over(self) -> bool:
        return self._over


class PromptPanel(QWidget):
    runRequested = Signal()
    mediaPasted = Signal(QMimeData)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prompt_edit = PromptEdit()
        self.prompt_edit.setObjectName("promptEdit")
        self.prompt_edit.setAccessibleName(self.tr("Prompt"))
        self.prompt_edit.setAccessibleDescription(
            self.tr("Describe the change to make, up to {n} characters. Ctrl+Enter runs.").format(
                n=PROMPT_LIMIT)
        )
        self.prompt_edit.setPlaceholderText(
            self.tr("What should change? e.g. “replace the background with a white studio "
                    "backdrop”")
        )
        self.prompt_edit.setTabChangesFocus(True)
        self.prompt_edit.setMinimumHeight(96)
        self.prompt_edit.setMaximumHeight(220)
        self.prompt_count = _Counter(PROMPT_LIMIT, "prompt")

        self.negative_edit = PromptEdit()
        self.negative_edit.setObjectName("negativePromptEdit")
        self.negative_edit.setAccessibleName(self.tr("Negative prompt"))
        self.negative_edit.setAccessibleDescription(
            self.tr("What to avoid, up to {n} characters (optional)").format(
                n=NEGATIVE_PROMPT_LIMIT)
        )
        self.negative_edit.setPlaceholderText(self.tr("Avoid… (optional)"))
        self.negative_edit.setTabChangesFocus(True)
        self.negative_edit.setFixedHeight(54)
        self.negative_count = _Counter(NEGATIVE_PROMPT_LIMIT, "negativePrompt")

        title = QLabel(self.tr("Prompt"))
        title.setObjectName("sectionTitle")
        title.setBuddy(self.prompt_edit)
        neg_title = QLabel(self.tr("Negative prompt"))
        neg_title.setObjectName("sectionTitle")
        neg_title.setBuddy(self.negative_edit)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(title)
        lay.addWidget(self.prompt_edit)
        lay.addWidget(self.prompt_count)
        lay.addSpacing(4)
        lay.addWidget(neg_title)
        lay.addWidget(self.negative_edit)
        lay.addWidget(self.negative_count)

        # Count what is sent: the request strips leading and trailing whitespace, so the
        # counter and the "too long" message agree on the number.
        self.prompt_edit.textChanged.connect(
            lambda: self.prompt_count.update_count(len(self.prompt_edit.toPlainText().strip()))
        )
        self.negative_edit.textChanged.connect(
            lambda: self.negative_count.update_count(
                len(self.negative_edit.toPlainText().strip()))
        )
        for edit in (self.prompt_edit, self.negative_edit):
            edit.runRequested.connect(self.runRequested)
            edit.mediaPasted.connect(self.mediaPasted)

    def prompt(self) -> str:
        return self.prompt_edit.toPlainText()

    def negative_prompt(self) -> str:
        return self.negative_edit.toPlainText()

    def set_prompt(self, text: str) -> None:
        self.prompt_edit.setPlainText(text)

    def set_negative_prompt(self, text: str) -> None:
        self.negative_edit.setPlainText(text)
