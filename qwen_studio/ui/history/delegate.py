"""The history's item delegate: a row's size, its star's click, and a row painted alone.

The list paints every row on screen itself in one pass (list_view.py); the delegate paints
a row through Qt's item-view machinery for any other view (and tests that paint one row),
with the same painter (row_painter.py), so a row looks the same either way.
"""

from __future__ import annotations

from typing import TypeAlias

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QMouseEvent, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from qwen_studio.ui.history import row_painter as geometry
from qwen_studio.ui.history.entries import BatchGroup, EntryRole, HeaderRole, Row
from qwen_studio.ui.history.list_view import PREFETCH_SCREENS, HistoryListView
from qwen_studio.ui.history.model import HistoryModel
from qwen_studio.ui.history.row_painter import HINTS, HOVERED, PLAIN, SELECTED, RowFonts, RowPainter
from qwen_studio.ui.history.row_text import match_rects, match_spans, search_terms

__all__ = ["PREFETCH_SCREENS", "HistoryDelegate", "HistoryListView", "match_rects", "match_spans",
           "search_terms"]  # the row's words live in row_text.py; tests import them here

_Index: TypeAlias = QModelIndex | QPersistentModelIndex
# QStyle.StateFlag values (importing QStyle builds its 11 enums, ~5 ms, before the first
# frame); Qt's enum values are stable across versions.
_SELECTED = 0x8000  # State_Selected
_HOVERED = 0x2000  # State_MouseOver
_FOCUSED = 0x0100  # State_HasFocus


class HistoryDelegate(QStyledItemDelegate):
    """A history row's size and star; `rows` paints (for the list, every row at once)."""

    starClicked = Signal(QModelIndex)

    THUMB = geometry.THUMB
    INSET = geometry.INSET
    PAD = geometry.PAD
    HEADER = geometry.HEADER
    STAR = geometry.STAR
    INDENT = geometry.INDENT
    ROW = geometry.ROW

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = RowPainter()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        # Width follows the view: rows never force a sideways scroll bar.
        return QSize(max(120, option.rect.width()), self.ROW)

    def header_rect(self, option_rect: QRect) -> QRect:
        """Where the day label is drawn (the band above the row's own area)."""
        return geometry.header_rect(option_rect.left(), option_rect.top(), option_rect.width())

    def star_rect(self, option_rect: QRect, index: _Index | None = None) -> QRect:
        return geometry.star_rect(option_rect.left(), option_rect.top(), option_rect.width())

    def _fonts_for(self, base: object) -> RowFonts:
        return self.rows.fonts_for(base)  # type: ignore[arg-type]

    def editorEvent(self, event: QEvent, model: QAbstractItemModel,
                    option: QStyleOptionViewItem, index: _Index) -> bool:
        if (event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent)
                and event.button() == Qt.MouseButton.LeftButton
                and self.star_rect(option.rect, index).contains(event.position().toPoint())):
            self.starClicked.emit(model.index(index.row(), 0))
            return True
        return super().editorEvent(event, model, option, index)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        model = index.model()
        if isinstance(model, HistoryModel):
            row: Row | None = model.item(index.row())
            header = model.header_for(index.row())
            member = row is not None and model.is_member(row)
            expanded = isinstance(row, BatchGroup) and model.is_expanded(row)
        else:  # any model that offers the roles (tests paint a row alone)
            row, header = index.data(EntryRole), index.data(HeaderRole) or ""
            member = expanded = False
        if row is None:
            return
        state = option.state.value  # an int: see _SELECTED
        kind = (SELECTED if state & _SELECTED else HOVERED if state & _HOVERED else PLAIN)
        painter.save()
        painter.setRenderHints(HINTS)
        frame = self.rows.frame(painter, option.font, option.palette, model)
        r = option.rect
        painter.fillRect(r, frame.style.list_bg)  # the list's own background, band included
        self.rows.paint_row(painter, frame, r.left(), r.top(), r.width(), row, header, kind,
                            bool(state & _FOCUSED), member, expanded, r.height())
        painter.restore()
