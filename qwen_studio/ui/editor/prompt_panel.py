"""Prompt and negative prompt with live character counts against the service limits.

The prompt box grows with its text (a few lines empty, up to MAX_PROMPT_LINES before it
scrolls); the negative prompt, used less often, starts collapsed behind a toggle, and its
box is built when first opened or given text (`negativeBuilt` tells who wires it)."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core.request import NEGATIVE_PROMPT_LIMIT, PROMPT_LIMIT
from qwen_studio.ui import theme
from qwen_studio.ui.editor.drop_zone import mime_has_media
from qwen_studio.ui.icons import icon

MIN_PROMPT_LINES = 3
MAX_PROMPT_LINES = 14
EMPTY_DOCUMENT_MARGIN = 4.0  # QTextDocument's default documentMargin (tests check it)


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


class GrowingPromptEdit(PromptEdit):
    """A prompt box as tall as its text: MIN_PROMPT_LINES to MAX_PROMPT_LINES, then it
    scrolls (a fixed height hid long prompts, or wasted room on short ones)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.textChanged.connect(self._fit_height)
        self._fit_height()

    def _lines(self) -> int:
        doc = self.document()
        lines, block = 0, doc.begin()
        while block.isValid():
            layout = block.layout()
            lines += max(1, layout.lineCount() if layout is not None else 1)
            block = block.next()
        return lines

    def _fit_height(self) -> None:
        if self.toPlainText():
            lines = min(max(self._lines(), MIN_PROMPT_LINES), MAX_PROMPT_LINES)
            margin = self.document().documentMargin()
        else:
            # Empty (every start): the fewest lines, and Qt's default margin, without
            # asking the document: its first use from Python builds PySide's QTextDocument
            # and QTextLayout types and their seven enums (~1.5 ms before the first frame).
            lines, margin = MIN_PROMPT_LINES, EMPTY_DOCUMENT_MARGIN
        m = self.contentsMargins()
        height = (lines * self.fontMetrics().lineSpacing()
                  + int(2 * margin) + m.top() + m.bottom() + 2)
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit_height()  # lines rewrap at the new width


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
            self._icon.setPixmap(icon("warning", "warning_fg").pixmap(14, 14))
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
    negativeBuilt = Signal(object)  # the negative prompt's PromptEdit, once built

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prompt_edit = GrowingPromptEdit()
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
        self.prompt_count = _Counter(PROMPT_LIMIT, "prompt")

        # The negative prompt's box (edit and count): built when first opened or given text
        # (_build_negative); most starts never show it.
        self._negative: tuple[PromptEdit, _Counter, QWidget] | None = None

        title = QLabel(self.tr("Prompt"))
        title.setObjectName("sectionTitle")
        title.setBuddy(self.prompt_edit)
        # The negative prompt's title is its expand/collapse toggle.
        self.negative_toggle = QToolButton()
        self.negative_toggle.setObjectName("negativeToggle")
        self.negative_toggle.setCheckable(True)
        self.negative_toggle.setAutoRaise(True)
        self.negative_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.negative_toggle.setAccessibleName(self.tr("Negative prompt"))
        self.negative_toggle.setAccessibleDescription(
            self.tr("Show or hide the negative prompt"))
        self.negative_toggle.toggled.connect(self.set_negative_expanded)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(title)
        lay.addWidget(self.prompt_edit)
        lay.addWidget(self.prompt_count)
        lay.addSpacing(4)
        lay.addWidget(self.negative_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self._layout = lay  # the negative box goes last, when built
        self.set_negative_expanded(False)

        # Count what is sent: the request strips leading and trailing whitespace, so the
        # counter and the "too long" message agree on the number.
        self.prompt_edit.textChanged.connect(
            lambda: self.prompt_count.update_count(len(self.prompt_edit.toPlainText().strip()))
        )
        self.prompt_edit.runRequested.connect(self.runRequested)
        self.prompt_edit.mediaPasted.connect(self.mediaPasted)

    def _build_negative(self) -> tuple[PromptEdit, _Counter, QWidget]:
        if self._negative is None:
            edit = PromptEdit()
            edit.setObjectName("negativePromptEdit")
            edit.setAccessibleName(self.tr("Negative prompt"))
            edit.setAccessibleDescription(
                self.tr("What to avoid, up to {n} characters (optional)").format(
                    n=NEGATIVE_PROMPT_LIMIT)
            )
            edit.setPlaceholderText(self.tr("Avoid… (optional)"))
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(54)
            count = _Counter(NEGATIVE_PROMPT_LIMIT, "negativePrompt")
            box = QWidget()
            box.hide()  # set_negative_expanded shows it
            neg_lay = QVBoxLayout(box)
            neg_lay.setContentsMargins(0, 0, 0, 0)
            neg_lay.setSpacing(4)
            neg_lay.addWidget(edit)
            neg_lay.addWidget(count)
            self._layout.addWidget(box)
            self._negative = (edit, count, box)
            edit.textChanged.connect(
                lambda: count.update_count(len(edit.toPlainText().strip())))
            edit.textChanged.connect(self._label_negative_toggle)
            edit.runRequested.connect(self.runRequested)
            edit.mediaPasted.connect(self.mediaPasted)
            self.negativeBuilt.emit(edit)
        return self._negative

    @property
    def negative_edit(self) -> PromptEdit:
        """The negative prompt's box (built now if it was not)."""
        return self._build_negative()[0]

    @property
    def negative_count(self) -> _Counter:
        return self._build_negative()[1]

    @property
    def negative_built(self) -> PromptEdit | None:
        """The negative prompt's box if it was built (without building it)."""
        return self._negative[0] if self._negative is not None else None

    def prompt(self) -> str:
        return self.prompt_edit.toPlainText()

    def negative_prompt(self) -> str:
        return self._negative[0].toPlainText() if self._negative is not None else ""

    def set_prompt(self, text: str) -> None:
        self.prompt_edit.setPlainText(text)

    def set_negative_prompt(self, text: str) -> None:
        if text or self._negative is not None:  # nothing to clear in a box never built
            self.negative_edit.setPlainText(text)

    def negative_expanded(self) -> bool:
        return self._negative is not None and self._negative[2].isVisibleTo(self)

    def set_negative_expanded(self, expanded: bool) -> None:
        if expanded or self._negative is not None:
            self._build_negative()[2].setVisible(expanded)
        if self.negative_toggle.isChecked() != expanded:
            self.negative_toggle.setChecked(expanded)
        self.negative_toggle.setIcon(icon("collapse" if expanded else "expand"))
        self._label_negative_toggle()

    def focus_negative(self) -> None:
        """Open the negative prompt (if collapsed) and put the cursor in it."""
        self.set_negative_expanded(True)
        self.negative_edit.setFocus()

    def _label_negative_toggle(self) -> None:
        # Collapsed with text in it: say so, the text still goes with every Run.
        n = len(self.negative_prompt().strip())
        text = self.tr("Negative prompt")
        if n and not self.negative_expanded():
            text = self.tr("Negative prompt ({n} characters)").format(n=n)
        self.negative_toggle.setText(text)
