"""Small parts of the compare view's toolbar: an eliding label and the drag-out handle."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QMouseEvent, QPaintEvent
from PySide6.QtWidgets import QApplication, QLabel, QSizePolicy, QToolButton, QWidget


class ElidedLabel(QLabel):
    """A label that shrinks with the toolbar instead of pushing buttons off screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self.setAccessibleDescription(text)
        super().setText(text)

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 8,
                     super().sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        elided = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle,
                                               self.width())
        if elided != super().text():
            super().setText(elided)
        super().paintEvent(event)


class DragHandle(QToolButton):
    """Press and drag to carry the current result out as a file."""

    def __init__(self, parent: QWidget, start_drag: Callable[[], None]) -> None:
        super().__init__(parent)
        self._start_drag = start_drag
        self._press: QPoint | None = None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is not None and (event.position().toPoint() - self._press)\
                .manhattanLength() >= QApplication.startDragDistance():
            self._press = None
            self.setDown(False)
            self._start_drag()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)
