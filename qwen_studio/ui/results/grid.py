"""A grid of large result thumbnails to choose from: a batch's results, or an edit's n > 1.

Lightroom's culling keys: arrows move, `P` marks picked, `X` rejected, `U` clears the
mark (1/2/3 stay the compare view's modes). Marks are shown with an icon and a word, not
by colour alone. Thumbnails are decoded elsewhere (off the GUI thread): the model asks for
the ones a view actually paints with `thumbnailWanted`, once each, and shows a neutral
tile until `set_thumbnail` delivers it, so a 500-photo batch opens at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon, QImage, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

THUMB = 160  # logical px: large enough to judge a result, 6+ across at 1400 px
_TILE = QSize(THUMB + 16, THUMB + 36)  # the thumbnail over two lines of label

ResultKey = tuple[int, int]  # (edit id, result index): one image of one edit
_Index = QModelIndex | QPersistentModelIndex


class Mark(StrEnum):
    NONE = ""
    PICKED = "picked"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ResultItem:
    key: ResultKey
    path: Path
    label: str  # what the user knows it by: input name and result number
    mark: Mark = Mark.NONE


KEY_ROLE = Qt.ItemDataRole.UserRole + 1
MARK_ROLE = Qt.ItemDataRole.UserRole + 2
PATH_ROLE = Qt.ItemDataRole.UserRole + 3


class ResultsModel(QAbstractListModel):
    thumbnailWanted = Signal(object, object)  # ResultKey, Path: decode it, then set_thumbnail
    markChanged = Signal(object, str)  # ResultKey, Mark value

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[ResultItem] = []
        self._row: dict[ResultKey, int] = {}
        self._thumbs: dict[ResultKey, QIcon] = {}
        self._asked: set[ResultKey] = set()

    # -- contents ----------------------------------------------------------------------------
    def set_items(self, items: list[ResultItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._row = {item.key: row for row, item in enumerate(self._items)}
        self._thumbs = {k: v for k, v in self._thumbs.items() if k in self._row}
        self._asked &= set(self._thumbs)
        self.endResetModel()

    def items(self) -> list[ResultItem]:
        return list(self._items)

    def picked(self) -> list[ResultItem]:
        return [item for item in self._items if item.mark is Mark.PICKED]

    def set_thumbnail(self, key: ResultKey, image: QImage) -> None:
        row = self._row.get(key)
        if row is None:
            return
        pixmap = _square(QPixmap.fromImage(image))
        icon = QIcon(pixmap)
        icon.addPixmap(pixmap, QIcon.Mode.Selected)  # no style tint over the colours
        self._thumbs[key] = icon
        index = self.index(row)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def set_mark(self, row: int, mark: Mark) -> None:
        if not 0 <= row < len(self._items) or self._items[row].mark is mark:
            return
        self._items[row] = replace(self._items[row], mark=mark)
        index = self.index(row)
        self.dataChanged.emit(index, index)
        self.markChanged.emit(self._items[row].key, mark.value)

    # -- Qt model ----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _mark_word(item.mark) + item.label if item.mark else item.label
        if role == Qt.ItemDataRole.DecorationRole:
            icon = self._thumbs.get(item.key)
            if icon is None and item.key not in self._asked:
                # Asked when a view paints the row: only what is on screen gets decoded.
                self._asked.add(item.key)
                self.thumbnailWanted.emit(item.key, item.path)
            return icon
        if role == Qt.ItemDataRole.SizeHintRole:
            # Every tile the thumbnail's room, whether or not it has arrived: the view
            # (uniform item sizes) keeps the first size it measures, made before decoding.
            return _TILE
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.label}\n{item.path}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{item.label}, {_mark_word(item.mark) or _tr('not marked')}"
        if role == KEY_ROLE:
            return item.key
        if role == MARK_ROLE:
            return item.mark.value
        if role == PATH_ROLE:
            return str(item.path)
        return None


def _square(pixmap: QPixmap) -> QPixmap:
    """`pixmap` at the foot of a transparent square, centred across: every thumbnail fills
    the same cell and its label sits right under it (not half a tile below)."""
    side = max(pixmap.width(), pixmap.height())
    if pixmap.isNull() or pixmap.width() == pixmap.height():
        return pixmap
    square = QPixmap(side, side)
    square.fill(Qt.GlobalColor.transparent)
    painter = QPainter(square)
    painter.drawPixmap((side - pixmap.width()) // 2, side - pixmap.height(), pixmap)
    painter.end()
    return square


def _tr(text: str) -> str:
    return QCoreApplication.translate("ResultsModel", text)


def _mark_word(mark: Mark) -> str:
    if mark is Mark.PICKED:
        return _tr("Picked · ")
    if mark is Mark.REJECTED:
        return _tr("Rejected · ")
    return ""


class ResultsGrid(QListView):
    """Large thumbnails, keyboard first. `resultActivated(key)` shows one on the canvas."""

    resultActivated = Signal(object)  # ResultKey
    exportPickedRequested = Signal(list)  # list[Path] of the picked results, in grid order

    _MARK_KEYS: ClassVar[dict[Qt.Key, Mark]] = {
        Qt.Key.Key_P: Mark.PICKED,
        Qt.Key.Key_X: Mark.REJECTED,
        Qt.Key.Key_U: Mark.NONE,
    }

    def __init__(self, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsGrid")
        self.setAccessibleName(self.tr("Results"))
        self.setAccessibleDescription(self.tr(
            "Arrow keys move; P marks a result picked, X rejected, U clears the mark; "
            "Enter shows it on the canvas."))
        self.setModel(model)
        self._model = model
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 24, THUMB + 40))
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # The whole tile shows the selection, not only its caption (Qt's icon mode tints
        # just the words under the image); a gap keeps the first row off the edge.
        self.setStyleSheet("QListView { padding: 6px; }"
                           "QListView::item { border-radius: 6px; padding: 2px; }"
                           "QListView::item:selected { background: palette(highlight);"
                           " color: palette(highlighted-text); }")
        self.activated.connect(self._on_activated)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        mark = self._MARK_KEYS.get(Qt.Key(event.key()))
        if mark is not None and event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                                      Qt.KeyboardModifier.KeypadModifier):
            rows = sorted({i.row() for i in self.selectedIndexes()}) or [self.currentIndex().row()]
            for row in rows:
                self._model.set_mark(row, mark)
            event.accept()
            return
        super().keyPressEvent(event)

    def export_picked(self) -> None:
        self.exportPickedRequested.emit([item.path for item in self._model.picked()])

    def _on_activated(self, index: QModelIndex) -> None:
        self.resultActivated.emit(index.data(KEY_ROLE))

