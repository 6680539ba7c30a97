"""Small parts of the compare view's toolbar: labels that shorten by whole forms (never
cut mid-string), the drag-out handle."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMimeData, QPoint, QSize, Qt
from PySide6.QtGui import QAction, QImage, QMouseEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QSizePolicy, QToolButton, QWidget

from qwen_studio.ui.icons import icon


class StagedLabel(QLabel):
    """Shows the longest of its forms that fits ("600×400 → 1248×832", then "→ 1248×832",
    then nothing): a size cut in the middle ("600×4…8×832") says nothing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._forms: list[str] = []
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(0)

    def set_forms(self, forms: list[str]) -> None:
        self._forms = [f for f in forms if f]
        self._pick()

    def forms(self) -> list[str]:
        return list(self._forms)

    def full_text(self) -> str:
        return self._forms[0] if self._forms else ""

    def shortest_width(self) -> int:
        """Room the shortest form needs (0 with nothing to say)."""
        return min((self.fontMetrics().horizontalAdvance(f) + 8 for f in self._forms),
                   default=0)

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self.full_text()) + 8,
                     super().sizeHint().height())

    def _pick(self) -> None:
        fm, room = self.fontMetrics(), self.width() - 4
        shown = next((f for f in self._forms if fm.horizontalAdvance(f) <= room), "")
        if shown != self.text():
            self.setText(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._pick()


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


class ToolbarOverflow:
    """Moves the toolbar buttons that do not fit, last first, into a ⋯ menu: at any width
    every action stays one click away instead of vanishing."""

    def __init__(self, bar: QWidget, droppable: tuple[QToolButton, ...],
                 more_button: QToolButton, keep: StagedLabel | None = None,
                 over_keep: tuple[QToolButton, ...] = ()) -> None:
        self.bar, self.droppable, self.more_button = bar, droppable, more_button
        self.keep = keep  # a label whose shortest form stays readable before buttons do ...
        self.over_keep = over_keep  # ... but for these: the label gives its room first
        more_button.setIcon(icon("more"))
        more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(more_button)
        self.menu.setObjectName("toolbarOverflowMenu")
        more_button.setMenu(self.menu)
        more_button.hide()

    def _needed(self) -> int:
        """Width of the bar with every droppable button shown (the ⋯ button not), and the
        kept label at its shortest form: summed from the widgets' current size hints, as
        texts such as the zoom ("34 % of after") change their width."""
        layout = self.bar.layout()
        assert layout is not None
        m = layout.contentsMargins()
        total, count = m.left() + m.right(), 0
        for i in range(layout.count()):
            item = layout.itemAt(i)
            widget = item.widget() if item is not None else None
            if item is None or widget is self.more_button:
                continue
            if widget is None:
                total += item.sizeHint().width()  # a fixed spacing
                continue
            if widget.isHidden() and widget not in self.droppable:
                continue
            if self.keep is not None and widget is self.keep:
                total += self.keep.shortest_width()
            else:
                total += max(widget.sizeHint().width(), widget.minimumSizeHint().width(),
                             widget.minimumWidth())
            count += 1
        return total + max(0, count - 1) * layout.spacing()

    def fit(self) -> None:
        layout = self.bar.layout()
        assert layout is not None
        needed, width = self._needed(), self.bar.width()
        more = self.more_button.sizeHint().width() + layout.spacing()
        overflow: list[QAction] = []
        keep_w = self.keep.shortest_width() if self.keep is not None else 0
        for button in self.droppable:
            extra = more if overflow or needed > width else 0
            fits = width >= needed + extra
            if not fits and keep_w and button in self.over_keep and \
                    width >= needed - keep_w + extra:
                fits, needed, keep_w = True, needed - keep_w, 0  # the label shows nothing
            if not fits:
                needed -= button.sizeHint().width() + layout.spacing()
                action = button.defaultAction()
                if action is not None:
                    overflow.insert(0, action)
            button.setVisible(fits)
        self.menu.clear()
        self.menu.addActions(overflow)
        self.more_button.setVisible(bool(overflow))
        # Lay the bar out now, not at the next event loop turn: the sizes label would
        # otherwise keep the room of the old button set (blank, or cut) for a frame.
        layout.activate()

    def actions(self) -> list[QAction]:
        return self.menu.actions() if self.more_button.isVisibleTo(self.bar) else []


def drag_result(source: QWidget, mime: QMimeData, image: QImage) -> None:
    """Drag the result out (its file and its pixels), a small thumbnail under the pointer."""
    from PySide6.QtGui import QDrag  # imported where used: PySide builds each class named

    from qwen_studio.ui.compare.result_strip import small_copy  # the strip: not at start-up

    drag = QDrag(source)
    drag.setMimeData(mime)
    dpr = source.devicePixelRatioF()
    side = round(120 * dpr)
    # From the image's small decoded copies: a smooth scale of 24 MP here took 24-49 ms.
    thumb = QPixmap.fromImage(small_copy(image, side))
    thumb.setDevicePixelRatio(dpr)
    drag.setPixmap(thumb)
    drag.setHotSpot(QPoint(round(thumb.width() / dpr / 2), round(thumb.height() / dpr / 2)))
    drag.exec(Qt.DropAction.CopyAction)
