"""The batch queue's table: one row per photo (thumbnail, prompt, status, tries, time,
result), rows selected whole, the prompt column taking the room left, and the row actions
(Cancel, Retry, Remove, Edit prompt) on its context menu with their keys.

Its words keep the panel's translation context ("BatchPanel").
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from qwen_studio.ui.batch.model import (
    C_INPUT,
    C_PROMPT,
    C_RESULT,
    C_STATUS,
    C_TIME,
    C_TRIES,
    THUMB_PX,
    BatchModel,
)

translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")


def queue_table(model: BatchModel) -> QTableView:
    view = QTableView()
    view.setObjectName("batchQueue")
    view.setAccessibleName(translate("BatchPanel", "Batch jobs"))
    view.setAccessibleDescription(translate(
        "BatchPanel", "One row per photo. Right-click or use the keys: Delete removes or "
                      "cancels, R retries, F2 edits a waiting photo's prompt."))
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setIconSize(QSize(THUMB_PX, THUMB_PX))
    view.setShowGrid(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                         | QAbstractItemView.EditTrigger.EditKeyPressed)
    vh = view.verticalHeader()
    vh.setVisible(False)
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(THUMB_PX + 8)
    hh = view.horizontalHeader()
    hh.setHighlightSections(False)
    for col, width in ((C_INPUT, 220), (C_STATUS, 170), (C_TRIES, 50), (C_TIME, 80),
                       (C_RESULT, 240)):
        hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        # Never narrower than the header's own words (“尝试次数” is wider than “Tries”).
        # (+12: the style sheet pads sections by 6 px a side, unknown before polish).
        view.setColumnWidth(col, max(width, hh.sectionSizeHint(col) + 12))
    hh.setSectionResizeMode(C_PROMPT, QHeaderView.ResizeMode.Stretch)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return view


def row_action(view: QTableView, text: str, key: str, slot: Callable[[], object],
               name: str) -> QAction:
    """An action on the table's context menu, its key working while the table has focus."""
    act = QAction(text, view)
    act.setObjectName(name)
    act.setShortcut(QKeySequence(key))
    act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    act.triggered.connect(lambda _c=False: slot())
    view.addAction(act)
    return act
