"""The history sidebar: search, filters, the list of every edit, versions, and actions.

The panel is a widget; everything slow (queries, exports, PNG metadata) runs in the window's
thread pool. `attach(window)` connects it to the main window it serves: the panel reads the
window's controller, prompt and parameter panels and banner, and never the other way round
beyond a few calls (entries, the model, the list view).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QRect,
    QSize,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QDesktopServices,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.request import EditRequest
from qwen_studio.ui import theme
from qwen_studio.ui.history_model import (
    ACTIVE,
    DONE,
    STATUS_LOOK,
    EntryRole,
    HeaderRole,
    HistoryEntry,
    HistoryFilter,
    HistoryModel,
)
from qwen_studio.ui.lineage_view import LineageView, build_version_tree

if TYPE_CHECKING:
    import asyncio  # loaded after the window's first paint (app.main)

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 150
UNDO_BAR_MS = 12_000
_KEY_PREFIX = "history:"  # banner action keys this panel answers


# =============================================================================================
# list view + delegate
class HistoryDelegate(QStyledItemDelegate):
    """Day header (first row of a day), after thumbnail with the before inset, two lines of
    prompt, time · status (glyph and word), and a star you can click."""

    starClicked = Signal(QModelIndex)

    THUMB = 56
    INSET = 24
    PAD = 8
    HEADER = 26
    STAR = 20

    def _header_h(self, index: QModelIndex) -> int:
        return self.HEADER if index.data(HeaderRole) else 0

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        # Width follows the view: rows never force a sideways scroll bar.
        return QSize(max(120, option.rect.width()),
                     self.THUMB + 2 * self.PAD + self._header_h(index))

    def star_rect(self, option_rect: QRect, index: QModelIndex) -> QRect:
        top = option_rect.top() + self._header_h(index) + self.PAD - 2
        return QRect(option_rect.right() - self.PAD - self.STAR + 2, top, self.STAR, self.STAR)

    def editorEvent(self, event: QEvent, model: Any, option: QStyleOptionViewItem,
                    index: QModelIndex) -> bool:
        if (event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent)
                and event.button() == Qt.MouseButton.LeftButton
                and self.star_rect(option.rect, index).contains(event.position().toPoint())):
            self.starClicked.emit(QModelIndex(index))
            return True
        return super().editorEvent(event, model, option, index)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        entry: HistoryEntry | None = index.data(EntryRole)
        if entry is None:
            return
        model: Any = index.model()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        # Theme tokens read at paint time: a live light/dark switch shows on the next repaint.
        t = theme.tokens(theme.current_scheme())
        full = option.rect
        header = index.data(HeaderRole) or ""
        r = full.adjusted(0, self._header_h(index), 0, 0)
        if header:
            small = QFont(option.font)
            small.setPointSizeF(max(7.0, small.pointSizeF() * 0.85))
            small.setBold(True)
            small.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 0.6)
            painter.setFont(small)
            painter.setPen(QColor(t["subtle"]))
            hr = QRect(full.left() + self.PAD, full.top() + 6, full.width() - 2 * self.PAD,
                       self.HEADER - 8)
            painter.drawText(hr, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             header.upper())
            fm = QFontMetrics(small)
            x = hr.left() + fm.horizontalAdvance(header.upper()) + 8
            painter.setPen(QPen(QColor(t["rule"]), 1))
            # A crisp hairline: antialiased on a whole-pixel y it smears over two rows.
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.drawLine(x, hr.center().y(), hr.right(), hr.center().y())
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)

        # Imported here: the class builds 11 enums (~5 ms) that the first frame need not wait for.
        from PySide6.QtWidgets import QStyle

        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected:
            row_bg = QColor(t["row_selected"])
            painter.fillRect(r, row_bg)
        elif hovered:
            row_bg = option.palette.color(QPalette.ColorRole.AlternateBase)
            painter.fillRect(r, row_bg)
        else:
            row_bg = QColor(t["list"])  # what the style sheet paints behind the list
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(QColor(t["accent"]))
            painter.drawRect(r.adjusted(0, 0, -1, -1))

        # -- thumbnails: the after image large, the before as an inset --------------------
        thumb = QRect(r.left() + self.PAD, r.top() + self.PAD, self.THUMB, self.THUMB)
        painter.fillRect(thumb, option.palette.color(QPalette.ColorRole.Base).darker(115))
        after_p, before_p = entry.after_path(), entry.before_path()
        after = model.thumbnail(after_p) if after_p is not None else None
        before = model.thumbnail(before_p) if before_p is not None else None
        glyph, look = STATUS_LOOK.get(entry.status, ("", "#999"))
        # STATUS_LOOK is per theme; readable() keeps 4.5:1 on a selected or hovered row too.
        color = theme.readable(QColor(look), row_bg)
        if after is not None:
            _draw_fitted(painter, after, thumb, crop=True)  # square crops read as a grid
            if before is not None:
                inset = QRect(thumb.left() + 2, thumb.bottom() - self.INSET - 1, self.INSET,
                              self.INSET)
                painter.fillRect(inset.adjusted(-1, -1, 1, 1), QColor("#101010"))
                _draw_fitted(painter, before, inset, crop=True)
                painter.setPen(QPen(QColor("#d0d0d0"), 1))
                painter.drawRect(inset.adjusted(-1, -1, 0, 0))
        else:
            if before is not None:
                painter.setOpacity(0.45)  # no result: the input, dimmed, under the status
                _draw_fitted(painter, before, thumb)
                painter.setOpacity(1.0)
            painter.setPen(QColor(color))
            f = QFont(option.font)
            f.setPointSizeF(f.pointSizeF() * 1.6)
            painter.setFont(f)
            painter.drawText(thumb, Qt.AlignmentFlag.AlignCenter, glyph)

        # -- star ------------------------------------------------------------------------
        star = self.star_rect(full, index)
        sf = QFont(option.font)
        sf.setPointSizeF(sf.pointSizeF() * 1.15)
        painter.setFont(sf)
        if entry.favourite:
            painter.setPen(QColor(t["star_on"]))
            painter.drawText(star, Qt.AlignmentFlag.AlignCenter, "★")
        else:
            painter.setPen(QColor(t["star_off_hover" if (hovered or selected) else "star_off"]))
            painter.drawText(star, Qt.AlignmentFlag.AlignCenter, "☆")

        # -- text ------------------------------------------------------------------------
        text_left = thumb.right() + self.PAD + 2
        text_w = star.left() - 4 - text_left
        font = QFont(option.font)
        painter.setFont(font)
        fm = QFontMetrics(font)
        # Palette text, so the row reads in the light theme too; the selection has its own.
        painter.setPen(option.palette.color(QPalette.ColorRole.Text) if not selected
                       else QColor(t["row_selected_text"]))
        prompt_rect = QRect(text_left, r.top() + self.PAD - 1, text_w, fm.height() * 2)
        prompt = " ".join(entry.request.prompt.split()) or "(no prompt)"
        painter.drawText(prompt_rect,
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                         | int(Qt.TextFlag.TextWordWrap),
                         _elide_two_lines(prompt, fm, text_w))

        small = QFont(option.font)
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.88))
        painter.setFont(small)
        sfm = QFontMetrics(small)
        when = time.strftime("%H:%M", time.localtime(entry.created))
        y = r.bottom() - self.PAD - sfm.height() + 1
        right = r.right() - self.PAD
        painter.setPen(theme.readable(QColor(t["subtle"]), row_bg))
        painter.drawText(QRect(text_left, y, right - text_left, sfm.height()),
                         int(Qt.AlignmentFlag.AlignLeft), when)
        x = text_left + sfm.horizontalAdvance(when + "  ")
        painter.setPen(QColor(color))
        painter.drawText(QRect(x, y, right - x, sfm.height()), int(Qt.AlignmentFlag.AlignLeft),
                         sfm.elidedText(f"{glyph} {entry.status_text()}",
                                        Qt.TextElideMode.ElideRight, right - x))
        painter.restore()


def _draw_fitted(painter: QPainter, image: Any, rect: QRect, crop: bool = False) -> None:
    mode = (Qt.AspectRatioMode.KeepAspectRatioByExpanding if crop
            else Qt.AspectRatioMode.KeepAspectRatio)
    size = image.size().scaled(rect.size(), mode)
    target = QRect(0, 0, size.width(), size.height())
    target.moveCenter(rect.center())
    painter.save()
    painter.setClipRect(rect)
    painter.drawImage(target, image)
    painter.restore()


def _elide_two_lines(text: str, fm: QFontMetrics, width: int) -> str:
    if fm.horizontalAdvance(text) <= width:
        return text
    words = text.split(" ")
    line1 = ""
    while words and fm.horizontalAdvance((line1 + " " + words[0]).strip()) <= width:
        line1 = (line1 + " " + words.pop(0)).strip()
    if not line1:  # one very long word
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
    rest = fm.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width)
    return f"{line1}\n{rest}"


class HistoryListView(QListView):
    """Delete and Ctrl+Z work here even when no window shortcut fires (e.g. a window
    without focus); dragging rows out carries their result files."""

    deletePressed = Signal()
    undoPressed = Signal()

    def dataChanged(self, topLeft: QModelIndex, bottomRight: QModelIndex,
                    roles: Sequence[int] = ()) -> None:
        # Qt 6.11's QListView lays out every row again for any dataChanged (~230 sizeHint
        # calls and a full repaint for one status change: 15-20 ms at the end of a batch).
        # A row's height changes only when rows come or go (its day header), and those
        # arrive as inserts/removals/resets, which still lay out: a change just repaints.
        QAbstractItemView.dataChanged(self, topLeft, bottomRight, list(roles))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete or event.matches(QKeySequence.StandardKey.Delete):
            self.deletePressed.emit()
            event.accept()
            return
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undoPressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def startDrag(self, supported: Qt.DropAction) -> None:
        from PySide6.QtGui import QDrag

        paths = [p for i in self.selectedIndexes()
                 for p in ((i.data(EntryRole).result_paths[:1]) if i.data(EntryRole) else [])]
        if not paths:
            return
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.exec(Qt.DropAction.CopyAction)


# =============================================================================================
# the panel
class HistoryPanel(QWidget):
    """Everything on the right-hand side. `entriesActivated` is not needed: the window
    follows the list's current index."""

    selectionChangedEntries = Signal(list)

    def __init__(self, model: HistoryModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self.model = model
        self.window_: Any = None
        self._undo: list[list[HistoryEntry]] = []
        self._dropped_request: EditRequest | None = None
        self._tree_token = 0
        self._tasks: set[asyncio.Future[Any]] = set()

        title = QLabel(self.tr("History"))
        title.setObjectName("sectionTitle")
        self.count_label = QLabel()
        self.count_label.setObjectName("historyCount")
        self.count_label.setAccessibleName(self.tr("Number of edits shown"))
        title_row = QHBoxLayout()
        title_row.setContentsMargins(0, 0, 0, 0)
        title_row.addWidget(title)
        title_row.addStretch(1)
        title_row.addWidget(self.count_label)

        self.search = QLineEdit()
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText(self.tr("Search prompts  (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search history"))
        self.search.setAccessibleDescription(
            self.tr("Shows only edits whose prompt contains these words (Ctrl+F)"))
        self.fav_button = self._toggle("historyFavouritesFilter", self.tr("★ Starred"),
                                       self.tr("Show only starred edits"))
        self.failed_button = self._toggle("historyFailedFilter", self.tr("✗ Failed"),
                                          self.tr("Show only edits that failed or were "
                                                  "interrupted"))
        self.batch_button = self._toggle("historyBatchFilter", self.tr("Batch"),
                                         self.tr("Show only the batch of the selected edit"))
        self.batch_button.hide()
        self._batch_id: str | None = None
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.setSpacing(6)
        filters.addWidget(self.fav_button)
        filters.addWidget(self.failed_button)
        filters.addWidget(self.batch_button)
        filters.addStretch(1)

        self.list_view = HistoryListView()
        lv = self.list_view
        lv.setObjectName("historyList")
        lv.setAccessibleName(self.tr("History"))
        lv.setAccessibleDescription(
            self.tr("Every edit, newest first, grouped by day. Alt+Up and Alt+Down move between "
                    "them; "
            "Delete removes the selection (Ctrl+Z brings it back); the context menu has more."))
        lv.setModel(model)
        self.delegate = HistoryDelegate(lv)
        lv.setItemDelegate(self.delegate)
        lv.setUniformItemSizes(False)  # first rows of a day carry a header
        lv.setMouseTracking(True)
        lv.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        lv.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        lv.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lv.setResizeMode(QListView.ResizeMode.Adjust)
        lv.setLayoutMode(QListView.LayoutMode.Batched)
        lv.setBatchSize(200)
        lv.setDragEnabled(True)
        lv.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        lv.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        lv.verticalScrollBar().setSingleStep(24)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("historyEmpty")
        # Top of the list's place, not floating mid-panel: the search stays where it was.
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty_label.setContentsMargins(8, 32, 8, 8)
        self.empty_label.setWordWrap(True)

        self.lineage = LineageView()
        self.lineage_title = QLabel(self.tr("Versions"))
        self.lineage_title.setObjectName("sectionTitle")
        self.lineage_title.hide()

        self.undo_bar = QFrame()
        self.undo_bar.setObjectName("historyUndoBar")
        self.undo_bar.setAccessibleName(self.tr("Deleted edits"))
        self.undo_label = QLabel()
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.setObjectName("historyUndoButton")
        self.undo_button.setAccessibleName(self.tr("Undo delete"))
        self.undo_button.setAccessibleDescription(self.tr("Bring the deleted edits back (Ctrl+Z)"))
        ub = QHBoxLayout(self.undo_bar)
        ub.setContentsMargins(10, 6, 6, 6)
        ub.addWidget(self.undo_label, 1)
        ub.addWidget(self.undo_button)
        self.undo_bar.hide()
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_BAR_MS)
        self._undo_timer.timeout.connect(self.undo_bar.hide)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 12, 8, 8)
        lay.setSpacing(6)
        lay.addLayout(title_row)
        lay.addWidget(self.search)
        lay.addLayout(filters)
        lay.addWidget(self.empty_label, 1)  # takes the list's room while the list is hidden
        lay.addWidget(lv, 1)
        lay.addWidget(self.lineage_title)
        lay.addWidget(self.lineage)
        lay.addWidget(self.undo_bar)
        self.setMinimumWidth(220)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self.apply_filter)
        for b in (self.fav_button, self.failed_button, self.batch_button):
            b.toggled.connect(lambda _on: self.apply_filter())

        self._build_actions()
        self.delegate.starClicked.connect(self._on_star_clicked)
        lv.customContextMenuRequested.connect(self._context_menu)
        lv.deletePressed.connect(self.delete_selected)
        lv.undoPressed.connect(self.undo_delete)
        self.undo_button.clicked.connect(self.undo_delete)
        self.lineage.editActivated.connect(lambda eid: self.spawn(self.select_edit(eid)))
        lv.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        lv.selectionModel().currentChanged.connect(lambda *_: self._current_changed())
        for sig in (model.rowsInserted, model.rowsRemoved, model.modelReset,
                    model.loadingChanged):
            sig.connect(lambda *_: self.update_empty())
        model.countChanged.connect(lambda *_: self._update_count())
        model.entryRefreshed.connect(self._on_entry_refreshed)
        self.update_empty()

    @staticmethod
    def _toggle(name: str, text: str, description: str) -> QToolButton:
        b = QToolButton()
        b.setObjectName(name)
        b.setText(text)
        b.setCheckable(True)
        b.setAccessibleName(text.split(" ", 1)[-1])
        b.setAccessibleDescription(description)
        b.setToolTip(description)
        b.setProperty("filterChip", True)  # styled by the theme (QToolButton[filterChip])
        return b

    def _act(self, text: str, slot: Callable[[], Any], name: str, keys: list[str] | None = None,
             context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut,
             owner: QWidget | None = None) -> QAction:
        act = QAction(text, self)
        act.setObjectName(name)
        if keys:
            act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(context)
        act.triggered.connect(lambda _c=False: slot())
        (owner or self.list_view).addAction(act)
        return act

    def _build_actions(self) -> None:
        a = self._act
        self.rerun_action = a(self.tr("&Re-run"), lambda: self.rerun(self.selected_entries()),
                              "historyRerunAction", ["Ctrl+R"])
        self.recall_action = a(self.tr("Re&call parameters"), self.recall_current,
                               "historyRecallAction", ["Ctrl+Shift+R"])
        self.use_input_action = a(self.tr("&Use result as input"), self.use_current_as_input,
                                  "historyUseAsInputAction", ["Ctrl+Shift+U"])
        self.star_action = a(self.tr("&Star / "
                                     "unstar"), lambda: self.toggle_star(self.selected_entries()),
                             "historyStarAction", ["S"])
        self.reveal_action = a(self.tr("Show in "
                                       "&folder"), self.reveal_current, "historyRevealAction")
        self.copy_prompt_action = a(self.tr("&Copy prompt"), self.copy_prompts,
                                    "historyCopyPromptAction", ["Ctrl+C"])
        self.parent_action = a(self.tr("Go to &parent"), self.go_parent, "historyParentAction",
                               ["Alt+Left"])
        self.children_action = a(self.tr("Go to "
                                         "c&hildren"), self.go_children, "historyChildrenAction",
                                 ["Alt+Right"])
        self.delete_action = a(self.tr("&Delete"), self.delete_selected, "historyDeleteAction",
                               ["Del"])
        # Window-wide: exporting, finding and undoing do not need the list to have focus.
        win = Qt.ShortcutContext.WindowShortcut
        self.export_action = a(self.tr("E&xport "
                                       "gallery…"), self.export_dialog, "exportGalleryAction",
                               ["Ctrl+Shift+E"], context=win, owner=self)
        self.export_action.setToolTip(
            self.tr("Export the selected edits (or, with one or none selected, every edit the list "
            "shows) as a folder or a .zip with an offline index.html"))
        self.export_batch_action = a(self.tr("Export this "
                                             "&batch…"), lambda: self.export_dialog("batch"),
                                     "exportBatchAction")
        self.undo_action = a(self.tr("&Undo delete"), self.undo_delete, "historyUndoAction",
                             ["Ctrl+Z"], context=win, owner=self)
        self.undo_action.setEnabled(False)
        self.find_action = a(self.tr("&Search history"), self.focus_search, "historyFindAction",
                             ["Ctrl+F"], context=win, owner=self)
        self._update_actions()

    # -- wiring to the window ------------------------------------------------------------------
    def attach(self, window: Any) -> None:
        """Serve `window` (MainWindow): its controller, panels, banner and drop zone."""
        self.window_ = window
        window.banner.actionTriggered.connect(self._on_banner_action)
        window.drop_zone.filesDropped.connect(self._on_files_dropped)

    def spawn(self, coro: Any) -> asyncio.Future[Any]:
        if self.window_ is not None:
            return self.window_.spawn(coro)
        import asyncio

        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _pool(self, fn: Callable[..., Any], *args: Any) -> Any:
        import asyncio

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.model.pool, lambda: fn(*args))

    def _status(self, text: str, ms: int = 6000) -> None:
        if self.window_ is not None:
            self.window_.statusBar().showMessage(text, ms)

    def _banner(self, kind: str, message: str, hint: str = "", action: str = "",
                key: str = "") -> None:
        if self.window_ is not None:
            self.window_.banner.show_message(kind, message, hint, action,
                                             _KEY_PREFIX + key if key else "")

    # -- search and filters --------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def current_filter(self) -> HistoryFilter:
        return HistoryFilter(
            text=self.search.text(),
            favourites_only=self.fav_button.isChecked(),
            failed_only=self.failed_button.isChecked(),
            batch_id=self._batch_id if self.batch_button.isChecked() else None,
        )

    def apply_filter(self) -> None:
        self._debounce.stop()
        self.model.set_filter(self.current_filter())

    def clear_filters(self) -> None:
        for b in (self.fav_button, self.failed_button, self.batch_button):
            b.blockSignals(True)
            b.setChecked(False)
            b.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filter()

    def update_empty(self) -> None:
        empty = self.model.rowCount() == 0
        if empty:
            flt = self.model.filter
            if self.model.is_loading():
                text = self.tr("Loading…")
            elif flt.text.strip():
                text = self.tr("No edits match “{text}”.").format(text=flt.text.strip())
            elif flt.active:
                text = self.tr("No edits match these filters.")
            else:
                text = self.tr("Your edits will appear here,\nnewest first.")
            self.empty_label.setText(text)
        self.empty_label.setVisible(empty)
        self.list_view.setVisible(not empty)
        self._update_count()

    def _update_count(self) -> None:
        n = max(self.model.total, self.model.rowCount())
        text = "" if not n else (self.tr("{n} found").format(n=n) if self.model.filter.active
                                 else f"{n}")
        self.count_label.setText(text)
        self.count_label.setAccessibleDescription(
            (self.tr("1 edit") if n == 1 else self.tr("{n} edits").format(n=n))
            + (self.tr(" match") if self.model.filter.active else ""))

    # -- selection -----------------------------------------------------------------------------
    def selected_entries(self) -> list[HistoryEntry]:
        rows = sorted({i.row() for i in self.list_view.selectionModel().selectedRows()})
        out = [e for r in rows if (e := self.model.entry_at(r)) is not None]
        if not out:
            cur = self.list_view.currentIndex()
            e = self.model.entry_at(cur.row()) if cur.isValid() else None
            if e is not None:
                out = [e]
        return out

    def current_entry(self) -> HistoryEntry | None:
        cur = self.list_view.currentIndex()
        e = self.model.entry_at(cur.row()) if cur.isValid() else None
        if e is None:
            sel = self.selected_entries()
            e = sel[0] if sel else None
        return e

    def select_row(self, row: int, extend: bool = False) -> None:
        idx = self.model.index(row)
        flags = QItemSelectionModel.SelectionFlag.Rows | (
            QItemSelectionModel.SelectionFlag.Select if extend
            else QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list_view.selectionModel().setCurrentIndex(idx, flags)
        self.list_view.scrollTo(idx)

    def select_rows(self, rows: list[int]) -> None:
        for i, row in enumerate(rows):
            self.select_row(row, extend=i > 0)

    async def select_edit(self, edit_id: int, extend: bool = False) -> bool:
        """Select an edit, loading pages (and dropping filters that hide it) as needed."""
        import asyncio

        for attempt in range(2):
            while (row := self.model.row_of_edit(edit_id)) < 0 and (
                    self.model.is_loading() or self.model.canFetchMore()):
                if not self.model.is_loading():
                    self.model.fetchMore(QModelIndex())
                await asyncio.sleep(0.01)
            if row >= 0:
                self.select_row(row, extend)
                return True
            if attempt == 0 and self.model.filter.active:
                self.clear_filters()
                continue
        self._status(f"Edit #{edit_id} is not in the history any more (deleted).")
        return False

    def _selection_changed(self) -> None:
        self._update_actions()
        self.selectionChangedEntries.emit(self.selected_entries())

    def _current_changed(self) -> None:
        self._update_actions()
        e = self.current_entry()
        if e is None or e.edit_id is None or self.model.library is None:
            self.lineage.hide()
            self.lineage_title.hide()
            return
        self._tree_token += 1
        token, edit_id, lib = self._tree_token, e.edit_id, self.model.library

        async def load() -> None:
            try:
                root, _n = await self._pool(build_version_tree, lib, edit_id)
            except Exception as exc:  # the tree is a convenience: never an error banner
                log.warning("version tree failed: %r", exc)
                return
            if token == self._tree_token:
                self.lineage.show_tree(root, edit_id)
                self.lineage_title.setVisible(self.lineage.isVisibleTo(self))

        self.spawn(load())

    def _on_entry_refreshed(self, entry: HistoryEntry) -> None:
        if entry is self.current_entry():
            self._current_changed()  # its parent is known now: actions and versions

    def _update_actions(self) -> None:
        sel = self.selected_entries()
        one = sel[0] if len(sel) == 1 else None
        has_result = one is not None and bool(one.result_paths)
        self.rerun_action.setEnabled(bool(sel))
        self.recall_action.setEnabled(one is not None)
        self.use_input_action.setEnabled(has_result)
        self.reveal_action.setEnabled(has_result)
        self.star_action.setEnabled(any(e.edit_id is not None for e in sel))
        self.copy_prompt_action.setEnabled(bool(sel))
        self.parent_action.setEnabled(one is not None and one.parent_id is not None)
        self.children_action.setEnabled(one is not None and one.edit_id is not None)
        self.delete_action.setEnabled(any(e.edit_id is not None and e.status not in ACTIVE
                                          for e in sel))
        self.export_batch_action.setEnabled(one is not None and bool(one.batch_id))
        self.star_action.setText(self.tr("&Unstar") if one is not None and one.favourite
                                 else self.tr("&Star"))
        if one is not None and one.batch_id:
            self._batch_id = one.batch_id if not self.batch_button.isChecked() else self._batch_id
            self.batch_button.show()
        elif not self.batch_button.isChecked():
            self.batch_button.hide()

    def _context_menu(self, pos: Any) -> None:
        idx = self.list_view.indexAt(pos)
        if idx.isValid() and not self.list_view.selectionModel().isSelected(idx):
            self.select_row(idx.row())
        menu = QMenu(self)
        menu.setObjectName("historyContextMenu")
        for act in (self.rerun_action, self.recall_action, self.use_input_action, None,
                    self.star_action, self.copy_prompt_action, self.reveal_action, None,
                    self.parent_action, self.children_action, None, self.export_action,
                    self.export_batch_action, None, self.delete_action):
            menu.addSeparator() if act is None else menu.addAction(act)
        menu.popup(self.list_view.viewport().mapToGlobal(pos))
        self._menu = menu  # kept alive while it shows

    # -- actions -------------------------------------------------------------------------------
    def _need_window(self) -> Any:
        if self.window_ is None:
            raise QwenStudioError("The history panel is not attached to a window.")
        return self.window_

    async def _record(self, entry: HistoryEntry) -> Any:
        if entry.edit_id is None or self.model.library is None:
            return None
        return await self._pool(self.model.library.get, entry.edit_id)

    def rerun(self, entries: list[HistoryEntry]) -> None:
        self.spawn(self._rerun(entries))

    async def _rerun(self, entries: list[HistoryEntry]) -> list[int]:
        w = self._need_window()
        if not w.has_client:
            self._banner("warning", self.tr("Qwen Studio is not connected to a service yet."),
                         self.tr("Set up your API key in Settings, or try the demo."))
            return []
        jobs: list[int] = []
        for e in entries:
            rec = await self._record(e)
            request = e.request
            if rec is not None:
                request = _request_with_stored_inputs(rec)
            jobs += await w.edits.submit([request], parent_id=e.parent_id)
        if jobs:
            self._status(f"Re-running {len(jobs)} edit{'s' if len(jobs) > 1 else ''}")
        return jobs

    def recall_current(self) -> None:
        e = self.current_entry()
        if e is not None:
            self.recall_request(e.request)

    def recall_request(self, request: EditRequest) -> None:
        """Prompt, negative prompt and every parameter into the left panel (not the inputs)."""
        from qwen_studio.ui.editor.parameters_panel import RANDOM_SEED

        w = self._need_window()
        w.prompt_panel.set_prompt(request.prompt)
        w.prompt_panel.set_negative_prompt(request.negative_prompt)
        p = w.params
        p.set_model(request.model)
        p.set_size(request.size)
        p.count_spin.setValue(request.n)
        p.seed_spin.setValue(RANDOM_SEED if request.seed is None else request.seed)
        if request.watermark is not None:
            p.watermark_check.setChecked(request.watermark)
        if request.prompt_extend is not None:
            p.prompt_extend_check.setChecked(request.prompt_extend)
        w.prompt_panel.prompt_edit.setFocus()
        self._status(self.tr("Parameters recalled: add an input and run, or change the prompt"))

    def use_current_as_input(self) -> None:
        e = self.current_entry()
        if e is None or not e.result_paths:
            return
        w = self._need_window()
        w.inputs = []
        w.add_inputs([e.result_paths[0]], parent_edit_id=e.edit_id)
        w.prompt_panel.prompt_edit.setFocus()
        self._status(self.tr("The result is now the input: describe the next change"))

    def _on_star_clicked(self, index: QModelIndex) -> None:
        e = self.model.entry_at(index.row())
        if e is not None:
            self.toggle_star([e])

    def toggle_star(self, entries: list[HistoryEntry]) -> None:
        entries = [e for e in entries if e.edit_id is not None]
        if not entries or self.model.library is None:
            return
        value = not all(e.favourite for e in entries)
        self.model.set_favourite(entries, value)  # at once; the write follows in the pool
        lib, ids = self.model.library, [e.edit_id for e in entries]

        def write() -> None:
            for i in ids:
                lib.set_favourite(i, value)

        self.spawn(self._pool(write))
        self._update_actions()

    def reveal_current(self) -> None:
        e = self.current_entry()
        if e is not None and e.result_paths:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(e.result_paths[0].parent)))

    def copy_prompts(self) -> None:
        sel = self.selected_entries()
        if sel:
            QGuiApplication.clipboard().setText("\n".join(e.request.prompt for e in sel))
            self._status("Prompt copied" if len(sel) == 1 else f"{len(sel)} prompts copied")

    # -- lineage -------------------------------------------------------------------------------
    def go_parent(self) -> None:
        e = self.current_entry()
        if e is not None and e.parent_id is not None:
            self.spawn(self.select_edit(e.parent_id))

    def go_children(self) -> None:
        e = self.current_entry()
        if e is not None and e.edit_id is not None:
            self.spawn(self._go_children(e.edit_id))

    async def _go_children(self, edit_id: int) -> list[int]:
        kids = await self._pool(self.model.library.children, edit_id)
        if not kids:
            self._status(self.tr("No edit was made from this one yet"))
            return []
        for i, rec in enumerate(kids):
            await self.select_edit(rec.id, extend=i > 0)
        return [r.id for r in kids]

    # -- delete / undo -------------------------------------------------------------------------
    def delete_selected(self) -> None:
        sel = [e for e in self.selected_entries()
               if e.edit_id is not None and e.status not in ACTIVE]
        if not sel or self.model.library is None:
            return
        first_row = min(self.model.row_of(e.job_id) for e in sel)
        removed = self.model.remove(sel)
        ids = [e.edit_id for e in removed]
        self.spawn(self._pool(self.model.library.delete, ids))
        self._undo.append(removed)
        self.undo_action.setEnabled(True)
        n = len(removed)
        self.undo_label.setText(f"Deleted {n} edit{'s' if n != 1 else ''}")
        self.undo_bar.setAccessibleDescription(
            f"Deleted {n} edit{'s' if n != 1 else ''}. Press Ctrl+Z or Undo to bring "
            f"{'them' if n != 1 else 'it'} back.")
        self.undo_bar.show()
        self._undo_timer.start()
        if self.model.rowCount():  # keep the keyboard user where they were
            self.select_row(min(first_row, self.model.rowCount() - 1))

    def undo_delete(self) -> None:
        if not self._undo or self.model.library is None:
            return
        entries = self._undo.pop()
        self.undo_action.setEnabled(bool(self._undo))
        ids = [e.edit_id for e in entries]
        self.spawn(self._pool(self.model.library.undelete, ids))
        self.model.restore(entries)
        self.undo_bar.hide()
        rows = sorted(r for e in entries if (r := self.model.row_of(e.job_id)) >= 0)
        self.select_rows(rows)
        self._status(f"Restored {len(entries)} edit{'s' if len(entries) != 1 else ''}")

    # -- export --------------------------------------------------------------------------------
    def export_scope(self, scope: str | None = None) -> tuple[str, str]:
        """(scope, human description): 'selection', 'search' or 'batch'."""
        sel = self.selected_entries()
        if scope is None:
            scope = "selection" if len(sel) > 1 else "search"
        if scope == "selection":
            return scope, f"{len(sel)} selected edit{'s' if len(sel) != 1 else ''}"
        if scope == "batch":
            return scope, "this batch"
        return "search", ("the edits matching the search" if self.model.filter.active
                          else "the whole history")

    def export_dialog(self, scope: str | None = None) -> None:
        scope, what = self.export_scope(scope)
        w = self._need_window()
        folder = w.qsettings.value("paths/lastExportDir", "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation)
        suggestion = str(Path(str(folder)) / time.strftime("qwen-gallery-%Y-%m-%d"))
        target, chosen = QFileDialog.getSaveFileName(
            w, f"Export {what} as a gallery", suggestion,
            self.tr("Folder (*);;Zip archive (*.zip)"))
        if not target:
            return
        path = Path(target)
        as_zip = path.suffix.lower() == ".zip" or "zip" in (chosen or "").lower()
        if as_zip and path.suffix.lower() != ".zip":
            path = path.with_suffix(".zip")
        w.qsettings.setValue("paths/lastExportDir", str(path.parent))
        self.spawn(self.export_gallery(scope, path, as_zip=as_zip))

    async def export_gallery(
        self, scope: str, target: Path, *, as_zip: bool = False
    ) -> Path | None:
        from qwen_studio.core.gallery import ExportError, export_gallery

        lib = self.model.library
        sel = self.selected_entries()
        flt = self.model.filter
        batch = next((e.batch_id for e in sel if e.batch_id), None)

        def records() -> list[Any]:
            if scope == "selection":
                return [r for e in sel if e.edit_id is not None
                        and (r := lib.get(e.edit_id)) is not None]
            if scope == "batch" and batch:
                return lib.query(batch_id=batch, limit=1_000_000)
            return lib.query(**flt.query_kwargs(), limit=1_000_000)

        def run() -> tuple[Path, int]:
            recs = records()
            out = export_gallery(recs, target, as_zip=as_zip,
                                 title=f"Qwen Studio — {time.strftime('%Y-%m-%d')}")
            n = sum(len(r.result_files) for r in recs if str(r.status.value) == DONE)
            return out, n

        self._status(self.tr("Exporting the gallery…"), 0)
        try:
            out, n = await self._pool(run)
        except ExportError as exc:
            self._banner("error", f"Could not export the gallery: {exc.user_message}",
                         self.tr("Choose an empty folder or a new file name."))
            return None
        except OSError as exc:
            self._banner("error", f"Could not export the gallery: {exc.strerror or exc}",
                         self.tr("Choose another folder."))
            return None
        self._last_export = out
        self._banner("info", f"Exported {n} image{'s' if n != 1 else ''} to {out}", "",
                     self.tr("Show"), f"show:{out}")
        self._status(f"Exported {n} images to {out}")
        return out

    # -- dropped images (PNG, JPEG, WebP, AVIF) carry their parameters -------------------------
    def _on_files_dropped(self, paths: list[str]) -> None:
        from qwen_studio.core.image_metadata import RECALL_SUFFIXES

        pngs = [Path(p) for p in paths if Path(p).suffix.lower() in RECALL_SUFFIXES]
        if pngs:
            self.spawn(self._offer_recall(pngs))

    async def _offer_recall(self, pngs: list[Path]) -> EditRequest | None:
        from qwen_studio.core.image_metadata import request_from_file

        def find() -> tuple[Path, EditRequest] | None:
            for p in pngs:
                with contextlib.suppress(OSError, ValueError):
                    req = request_from_file(p)
                    if req is not None:
                        return p, req
            return None

        found = await self._pool(find)
        if found is None:
            return None
        path, request = found
        self._dropped_request = request
        prompt = " ".join(request.prompt.split())
        short = prompt if len(prompt) <= 60 else prompt[:59] + "…"
        self._banner("info", f"{path.name} was made with Qwen Studio: “{short}”.",
                     self.tr("Recall its prompt and parameters into the panel?"),
                     self.tr("Recall parameters"), "recall-drop")
        return request

    def _on_banner_action(self, key: str) -> None:
        if not key.startswith(_KEY_PREFIX):
            return
        key = key[len(_KEY_PREFIX):]
        if key == "recall-drop" and self._dropped_request is not None:
            self.recall_request(self._dropped_request)
        elif key.startswith("show:"):
            target = Path(key[len("show:"):])
            QDesktopServices.openUrl(QUrl.fromLocalFile(
                str(target if target.is_dir() else target.parent)))


def _request_with_stored_inputs(rec: Any) -> EditRequest:
    """The edit's request with its inputs pointing at the library's copies when the user's
    original files are gone (moved, deleted, or another computer)."""
    by_hash = {p.stem: p for p in rec.input_files}
    inputs = []
    for pos, src in enumerate(rec.request.inputs):
        sha = rec.input_hashes[pos] if pos < len(rec.input_hashes) else None
        stored = by_hash.get(sha) if sha else None
        if src.startswith(("http://", "https://")) or stored is None or Path(src).is_file():
            inputs.append(src)
        else:
            inputs.append(str(stored))
    return rec.request.with_changes(inputs=tuple(inputs))

