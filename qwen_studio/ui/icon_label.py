"""A word-wrapping note with a themed icon before its first line (instead of a text glyph).

The icon is painted in the label's left margin, so `text()` is only the words (what a
screen reader reads), the style sheet still colours the words, and the icon's colour comes
from a theme token of its own. The words always say the state too, never the icon alone.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QIcon, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QWidget

from qwen_studio.ui.icons import icon

GAP = 6  # px between the icon and the words


class IconLabel(QLabel):
    """`set_note(text, "done", "ok_fg")`: the words, and the icon of a meaning in ui/icons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._icon: QIcon | None = None

    def set_note(self, text: str, icon_name: str = "", role: str = "text") -> None:
        """Show `text` after the icon `icon_name` drawn in theme token `role`; no name, no
        icon."""
        self._icon = icon(icon_name, role) if icon_name else None
        side = self._side()
        self.setContentsMargins(side + GAP if self._icon is not None else 0, 0, 0, 0)
        self.setText(text)
        self.update()

    def note_icon(self) -> QIcon | None:
        return self._icon

    def _side(self) -> int:
        return self.fontMetrics().height()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._icon is None or not self.text():
            return
        side = self._side()
        box = self.contentsRect()
        top = box.top()  # beside the first line of the words, wherever they sit
        if self.alignment() & Qt.AlignmentFlag.AlignVCenter:
            flags = Qt.TextFlag.TextWordWrap if self.wordWrap() else Qt.TextFlag.TextSingleLine
            words = self.fontMetrics().boundingRect(box, int(flags), self.text())
            top += max(0, (box.height() - words.height()) // 2)
        elif self.alignment() & Qt.AlignmentFlag.AlignBottom:
            top = box.bottom() - side
        painter = QPainter(self)
        mode = QIcon.Mode.Normal if self.isEnabled() else QIcon.Mode.Disabled
        self._icon.paint(painter, QRect(0, top, side, side), Qt.AlignmentFlag.AlignCenter, mode)
        painter.end()
