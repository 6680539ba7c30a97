"""The history panel's list of edits, made when it is first needed.

An empty history (every first start, and every start until the first page arrives from the
pool) shows only its placeholder text, so the first frame has no list: the list, its
delegate and their modules (list_view, delegate, row_painter, row_text, scroll_bar: ~4-5 ms)
are built when the first rows arrive, just after the first frame (the window's post-paint
build), or when something first uses the list (a key, Alt+Up, a test), whichever is first.

`build_list` makes the list, attaches the actions the panel made for it (their shortcuts
work while the list has focus) and connects it to the panel; HistoryPanel.list_view calls it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QAbstractItemView, QBoxLayout, QWidget

from qwen_studio.ui.history.delegate import HistoryDelegate, HistoryListView
from qwen_studio.ui.history.entries import BatchGroup

if TYPE_CHECKING:
    from qwen_studio.ui.history.panel import HistoryPanel

translate = QCoreApplication.translate  # the panel's words (lupdate reads the context here)


def build_list(panel: HistoryPanel) -> tuple[HistoryListView, HistoryDelegate]:
    """The panel's list, in the place the empty text keeps for it, with its actions."""
    model = panel.model
    lv = HistoryListView()
    lv.setObjectName("historyList")
    lv.setAccessibleName(translate("HistoryPanel", "History"))
    lv.setAccessibleDescription(translate(
        "HistoryPanel",
        "Every edit, newest first, grouped by day. Alt+Up and Alt+Down move between them; "
        "Delete removes the selection (Ctrl+Z brings it back); the context menu has more."))
    lv.setModel(model)
    delegate = HistoryDelegate(lv)
    lv.setItemDelegate(delegate)
    lv.setMouseTracking(True)
    lv.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    lv.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    lv.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    lv.setDragEnabled(True)
    lv.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
    lv.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    lv.verticalScrollBar().setSingleStep(24)
    lv.hide()  # the panel's update_empty shows it when there are rows
    # Enter or a double click on a batch row: its results in the grid, to cull with P/X.
    lv.activated.connect(lambda i: isinstance(model.item(i.row()), BatchGroup)
                         and panel.show_batch_results())
    # Where it always was: under the filters, sharing the empty text's room (stretch 1).
    lay = panel.layout()
    if isinstance(lay, QBoxLayout):
        lay.insertWidget(lay.indexOf(panel.empty_label) + 1, lv, 1)
    QWidget.setTabOrder(panel.search, lv)  # search, then the list (reading order)

    lv.addActions(panel.list_actions())  # their shortcuts: while the list has focus
    delegate.starClicked.connect(panel._on_star_clicked)
    lv.customContextMenuRequested.connect(panel._context_menu)
    lv.deletePressed.connect(panel.delete_selected)
    lv.undoPressed.connect(panel.undo_delete)
    lv.selectionModel().selectionChanged.connect(lambda *_: panel._selection_changed())
    lv.selectionModel().currentChanged.connect(lambda *_: panel._current_changed())
    # viewport() is asked for when needed, not now: PySide wraps that C++-made widget by
    # realising every QWidget subclass's Python type first (~15 ms).
    model.thumbnailsReady.connect(lambda: lv.viewport().update())
    return lv, delegate
