"""The history's list: one column of rows, all one height, painted in one pass.

A one-column QTableView with fixed row heights: it never lays rows out one by one (a
QListView does, on every page that arrives, calling into the Python model for each of
10,000 rows: 1,000,000 calls to page in a 10,000 edit history, profiled; 110 ms stalls).
Selection, keyboard, hover, scrolling, accessibility and drags stay Qt's; painting is ours:
paintEvent draws every row the update asks for with one RowPainter frame (row_painter.py),
where Qt would make a style option and call the delegate through Python per row (~1 s of a
10,000 row fling). A view given another delegate paints as any QTableView.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QMimeData, QPoint, QRect, Qt, QUrl, Signal
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QWidget,
)

from qwen_studio.ui.history.entries import BatchGroup, HistoryEntry, Row
from qwen_studio.ui.history.model import HistoryModel
from qwen_studio.ui.history.row_painter import (
    HINTS,
    HOVERED,
    PLAIN,
    ROW,
    SELECTED,
    RowPainter,
    RowSpec,
    star_rect,
)
from qwen_studio.ui.history.scroll_bar import KeptScrollBar

PREFETCH_SCREENS = 4  # the next page is asked for this close to the end (a page ~ 11)
_HOVER_AT = (QEvent.Type.HoverEnter, QEvent.Type.HoverMove)
_HOVER_GONE = (QEvent.Type.HoverLeave, QEvent.Type.Leave)


class HistoryListView(QTableView):
    """The history's one column of rows. Delete and Ctrl+Z work here even when no window
    shortcut fires (e.g. a window without focus); Right/Left (or a click) open and close a
    batch; dragging rows out carries their result files."""

    deletePressed = Signal()
    undoPressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.hide()
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # see the module docstring
        rows.setDefaultSectionSize(ROW)
        rows.setMinimumSectionSize(1)
        self.horizontalHeader().setStretchLastSection(True)  # rows as wide as the view
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the list, as in any list
        self.setVerticalScrollBar(KeptScrollBar(Qt.Orientation.Vertical))  # see scroll_bar.py
        self.verticalScrollBar().valueChanged.connect(self._prefetch)
        self._hover: Row | None = None  # the row under the mouse, and where it was
        self._hover_row = -1
        self._below_only: bool | None = None  # see doItemsLayout
        self._plain_paints = 1  # see paintEvent
        self._opaque = False

    def history(self) -> HistoryModel | None:
        m = self.model()
        return m if isinstance(m, HistoryModel) else None

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        self._below_only = None
        if isinstance(model, HistoryModel):  # its thumbnails: only for rows on screen
            model.thumbnails.showing = self.paths_on_screen
            model.rowsInserted.connect(self._rows_inserted)
            for changed in (model.rowsRemoved, model.modelReset, model.layoutChanged,
                            model.rowsMoved):
                changed.connect(self._laid_out_again)

    # -- layout ----------------------------------------------------------------------------------
    # A page of rows arriving below the screen makes Qt lay the view out, and a layout
    # repaints the whole list, though nothing on screen moved: a fling through 100 pages
    # painted 100 screens more. Rows only appended below the screen need the scroll range.
    def _rows_inserted(self, _parent: object, first: int, _last: int) -> None:
        # Not viewport() (see paintEvent: pages may arrive before the first frame); the
        # frame's inside is a little taller than the viewport, which errs on laying out.
        shown = self.rowAt(self.contentsRect().height() - 1)
        self._below_only = self._below_only is not False and 0 <= shown < first

    def _laid_out_again(self, *_args: object) -> None:
        self._below_only = False

    def doItemsLayout(self) -> None:
        below, self._below_only = self._below_only, None
        if below:
            self.updateGeometries()  # the scroll range for the new rows
            return
        super().doItemsLayout()

    # -- painting ------------------------------------------------------------------------------
    def setItemDelegate(self, delegate: QAbstractItemDelegate) -> None:
        super().setItemDelegate(delegate)
        if self._opaque and self.row_painter() is None:  # Qt paints again, on its ground
            self._opaque = False
            self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    def row_painter(self) -> RowPainter | None:
        rows = getattr(self.itemDelegate(), "rows", None)  # HistoryDelegate's
        return rows if isinstance(rows, RowPainter) else None

    def paintEvent(self, event: QPaintEvent) -> None:
        m, rows = self.history(), self.row_painter()
        if m is None or rows is None or self._plain_paints > 0:
            # The first paint is Qt's, through the delegate (the same look): ours needs the
            # viewport from Python, and PySide wraps that C++-made widget by realising every
            # QWidget subclass's type (~15 ms), which must not land before the first frame.
            self._plain_paints -= rows is not None
            super().paintEvent(event)
            return
        vp = self.viewport()
        if not self._opaque:
            # Ours paints every pixel it is asked for (the list's ground too): the viewport's
            # own fill first would be a second full fill a frame.
            self._opaque = True
            vp.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        clip = event.rect()
        painter = QPainter(vp)
        first = self.rowAt(clip.top())
        frame = rows.frame(painter, self.font(), self._palette(), m)
        painter.fillRect(clip, frame.style.list_bg)
        if first < 0:
            painter.end()
            return  # below the last row: the list's ground only
        top = self.rowViewportPosition(first)
        last = min(m.rowCount() - 1, first + (clip.bottom() - top) // ROW)
        x, width = self.columnViewportPosition(0), self.columnWidth(0)
        sm = self.selectionModel()
        sel = sm.selection()
        spans = [(sel.at(i).top(), sel.at(i).bottom()) for i in range(sel.count())]
        focused = self.currentIndex().row() if self.hasFocus() or vp.hasFocus() else -1
        hover = self._hover
        painter.setRenderHints(HINTS)
        specs: list[RowSpec] = []
        add = specs.append
        for r, (row, header) in enumerate(zip(m.rows_between(first, last),
                                              m.headers(first, last), strict=True), first):
            kind = (SELECTED if spans and any(a <= r <= b for a, b in spans)
                    else HOVERED if row is hover else PLAIN)
            if isinstance(row, BatchGroup):
                add((row, header, kind, r == focused, False, m.is_expanded(row)))
            else:
                add((row, header, kind, r == focused, row.batch_id is not None, False))
        rows.paint_rows(painter, frame, x, top, width, specs)
        painter.end()

    def _palette(self) -> QPalette:
        """The palette a style option would carry: of the view's state (enabled, active)."""
        palette = self.palette()
        palette.setCurrentColorGroup(
            QPalette.ColorGroup.Disabled if not self.isEnabled()
            else QPalette.ColorGroup.Active if self.isActiveWindow()
            else QPalette.ColorGroup.Inactive)
        return palette

    def _hover_at(self, pos: QPoint | None) -> None:
        """Follow the row under the mouse (Qt keeps its own, out of Python's reach)."""
        m = self.history()
        r = self.rowAt(pos.y()) if pos is not None and m is not None else -1
        row = m.item(r) if m is not None and r >= 0 else None
        if row is self._hover:
            return
        vp = self.viewport()
        for was in (self._hover_row, r):
            if was >= 0:
                vp.update(QRect(0, self.rowViewportPosition(was), vp.width(), ROW))
        self._hover, self._hover_row = row, r

    def viewportEvent(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in _HOVER_AT:
            self._hover_at(event.position().toPoint())  # type: ignore[attr-defined]
        elif kind in _HOVER_GONE:
            self._hover_at(None)
        return super().viewportEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        self._hover_at(event.position().toPoint())

    # -- pages and thumbnails ------------------------------------------------------------------
    def _prefetch(self, _value: int) -> None:
        """The next page is asked for PREFETCH_SCREENS before the end of what is loaded (Qt
        asks only at the end): a fling runs on instead of stopping at every page."""
        m = self.history()
        if m is None or not m.canFetchMore():
            return
        h = self.viewport().height()
        last = self.rowAt(h - 1)
        per_screen = max(1, h // max(1, self.verticalHeader().defaultSectionSize()))
        if last < 0 or m.rowCount() - 1 - last < PREFETCH_SCREENS * per_screen:
            m.fetchMore()

    def paths_on_screen(self) -> set[str]:
        """The files whose thumbnails the rows on screen now show (as text)."""
        m = self.history()
        first = self.rowAt(0) if m is not None and self.isVisible() else -1
        if m is None or first < 0:
            return set()
        last = self.rowAt(self.viewport().height() - 1)
        out: set[str] = set()
        for r in range(first, (last if last >= 0 else m.rowCount() - 1) + 1):
            row = m.item(r)
            for p in (row.after_path(), row.before_path()) if row is not None else ():
                if p is not None:
                    out.add(str(p))
        return out

    # -- keys, clicks and drags ----------------------------------------------------------------
    def _current_group(self) -> BatchGroup | None:
        m, cur = self.history(), self.currentIndex()
        row = m.item(cur.row()) if m is not None and cur.isValid() else None
        return row if isinstance(row, BatchGroup) else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete or event.matches(QKeySequence.StandardKey.Delete):
            self.deletePressed.emit()
            event.accept()
            return
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undoPressed.emit()
            event.accept()
            return
        group, m = self._current_group(), self.history()
        plain = event.modifiers() == Qt.KeyboardModifier.NoModifier
        if group is not None and m is not None and plain and event.key() in (
                Qt.Key.Key_Right, Qt.Key.Key_Left, Qt.Key.Key_Space):
            want = {Qt.Key.Key_Right: True, Qt.Key.Key_Left: False}.get(
                Qt.Key(event.key()), not m.is_expanded(group))
            m.set_expanded(group, want)
            event.accept()
            return
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        m = self.history()
        pos = event.position().toPoint()
        index = self.indexAt(pos)
        row = m.item(index.row()) if m is not None and index.isValid() else None
        cell = self.visualRect(index)
        on_star = star_rect(cell.left(), cell.top(), cell.width()).contains(pos)
        if (isinstance(row, BatchGroup) and m is not None and not on_star
                and event.button() == Qt.MouseButton.LeftButton
                and event.modifiers() == Qt.KeyboardModifier.NoModifier):
            m.toggle_expanded(row)

    def startDrag(self, supported: Qt.DropAction) -> None:
        from PySide6.QtGui import QDrag

        m = self.history()
        if m is None:
            return
        paths = []
        for i in self.selectionModel().selectedRows():
            row = m.item(i.row())
            for e in (row.members if isinstance(row, BatchGroup) else [row]):
                if isinstance(e, HistoryEntry) and e.result_paths:
                    paths.append(e.result_paths[0])
        if not paths:
            return
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in dict.fromkeys(paths)])
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.exec(Qt.DropAction.CopyAction)


__all__ = ["PREFETCH_SCREENS", "HistoryListView"]
