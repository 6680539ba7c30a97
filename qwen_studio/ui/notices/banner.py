"""A non-blocking message strip at the top of the canvas: message, hint, one next step."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.ui.icons import icon
from qwen_studio.ui.marks import QT_TRANSLATE_NOOP
from qwen_studio.ui.notices.center import Notices
from qwen_studio.ui.notices.notice import Notice, NoticeKind, NoticeLevel
from qwen_studio.ui.punctuation import colon

# kind -> (icon meaning in ui/icons, bold word). Colour is only a second channel:
# each kind also has its own icon and word. The colours are theme tokens (theme.py style
# sheet, selected by the `bannerKind` property), so they follow a live light/dark switch.
_KIND_STYLE = {
    "error": ("error", QT_TRANSLATE_NOOP("Banner", "Error")),
    "warning": ("warning", QT_TRANSLATE_NOOP("Banner", "Warning")),
    "info": ("info", QT_TRANSLATE_NOOP("Banner", "Note")),
}


class Banner(QFrame):
    """Draws the shown notice of a `Notices` model (its own when none is given): message,
    hint, one next step, a dismiss button.

    `show_message()` and `actionTriggered` are the old string-keyed path, kept for callers
    not yet converted to typed notices: a MESSAGE notice whose action emits the key."""

    actionTriggered = Signal(str)
    dismissed = Signal()

    def __init__(self, notices: Notices | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setAccessibleName(self.tr("Message banner"))
        self.setAccessibleDescription(self.tr("Problems and notes about the current edit, with a "
                                              "next step"))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.notices = notices if notices is not None else Notices(self)
        self.kind = ""  # the shown notice's level ("" when hidden)

        self._icon = QLabel()
        self._icon.setFixedSize(20, 20)
        self._title = QLabel()
        self._title.setObjectName("bannerMessage")
        self._title.setAccessibleName(self.tr("Message"))
        self._title.setAccessibleDescription(self.tr("What happened"))
        self._title.setWordWrap(True)
        self._title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._hint = QLabel()
        self._hint.setObjectName("bannerHint")
        self._hint.setAccessibleName(self.tr("Hint"))
        self._hint.setAccessibleDescription(self.tr("What to do next"))
        self._hint.setWordWrap(True)
        self._hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.action_button = QPushButton()
        self.action_button.setObjectName("bannerAction")
        self.action_button.setAccessibleName(self.tr("Suggested action"))
        self.action_button.setAccessibleDescription(self.tr("Do the suggested next step"))
        self.action_button.clicked.connect(self._on_action)
        self.close_button = QToolButton()
        self.close_button.setObjectName("bannerDismiss")
        self.close_button.setIcon(icon("close", "banner_text"))
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.setAccessibleName(self.tr("Dismiss message"))
        self.close_button.setAccessibleDescription(self.tr("Hide this message"))
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self._title)
        text.addWidget(self._hint)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 8, 8)
        row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        row.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

        self.notices.changed.connect(self._render)
        if self.notices.current() is not None:
            self._render()  # built for a notice already shown (ui/compare/canvas_area.py)

    # -- API -----------------------------------------------------------------------------------
    def show_notice(self, notice: Notice) -> None:
        self.notices.show(notice)

    def show_message(
        self, kind: str, message: str, hint: str = "", action: str = "", action_key: str = ""
    ) -> None:
        """The old path: `actionTriggered(action_key or action)` when the action is pressed."""
        key = action_key or action
        level = NoticeLevel(kind) if kind in _KIND_STYLE else NoticeLevel.INFO
        self.notices.show(Notice(
            NoticeKind.MESSAGE, level, message, hint, action,
            (lambda: self.actionTriggered.emit(key)) if key else None))

    def _render(self) -> None:
        notice = self.notices.current()
        if notice is None:
            self.kind = ""
            self.hide()
            return
        look = notice.level.value
        pixmap_name, word = _KIND_STYLE[look]
        word = self.tr(word)
        self.kind = look
        if self.property("bannerKind") != look:
            self.setProperty("bannerKind", look)
            self.style().unpolish(self)  # the style sheet picks the kind's colours
            self.style().polish(self)
        self._icon.setPixmap(icon(pixmap_name, f"{look}_fg").pixmap(20, 20))
        self._icon.setAccessibleName(word)
        # "Error: …" / "错误：…": the colon is the language's own.
        self._title.setText(self.tr("<b>{kind}:</b> {message}").format(
            kind=word, message=_escape(notice.message)))
        self._hint.setText(_escape(notice.hint))
        self._hint.setVisible(bool(notice.hint))
        action = notice.action_text
        self.action_button.setText(action)
        self.action_button.setAccessibleName(action)
        self.action_button.setVisible(bool(action))
        self.setAccessibleDescription(f"{colon(word, notice.message)}. {notice.hint}".strip())
        self.show()
        self._announce()

    def _announce(self) -> None:
        """Screen readers announce the banner like a status message."""
        from PySide6.QtGui import QAccessible, QAccessibleEvent  # lazy: see _KIND_STYLE

        QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))

    def message(self) -> str:
        return self._title.text()

    def hint(self) -> str:
        return self._hint.text()

    def action_text(self) -> str:
        return self.action_button.text() if self.action_button.isVisibleTo(self) else ""

    def dismiss(self) -> None:
        """The user closed the banner (or a caller ended what it showed)."""
        if self.notices.clear():
            self.dismissed.emit()

    def _on_action(self) -> None:
        self.notices.trigger()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
