"""The version tree of the selected edit: its chain of parents and everything made from it.

The tree is built in the thread pool (build_version_tree, a few small queries) and handed
to LineageView, which only shows it; activating a node asks the panel to select that edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QWidget

from qwen_studio.ui.icons import status_icon
from qwen_studio.ui.theme.status import status_colour, status_word

MAX_NODES = 60  # a batch re-edited many times must not make a tree nobody can read


@dataclass
class VersionNode:
    edit_id: int
    prompt: str
    status: str
    deleted: bool = False
    reason: str = ""  # why it was skipped or failed (EditRecord.reason): its look
    children: list[VersionNode] = field(default_factory=list)


def build_version_tree(library: Any, edit_id: int) -> tuple[VersionNode | None, int]:
    """(root of the tree that contains edit_id, node count). Worker thread only."""
    chain = library.lineage(edit_id)
    if not chain:
        return None, 0
    root_rec = chain[0]

    def node(rec: Any) -> VersionNode:
        return VersionNode(rec.id, rec.request.prompt, str(rec.status.value), rec.deleted,
                           reason=rec.reason)

    root = node(root_rec)
    count = 1
    # Keep the path to the selected edit even if the tree gets cut at MAX_NODES.
    on_path = {r.id for r in chain}
    frontier = [root]
    while frontier and count < MAX_NODES:
        nxt: list[VersionNode] = []
        for parent in frontier:
            kids = library.children(parent.edit_id)
            kids.sort(key=lambda r: (r.id not in on_path, r.created_at))
            for rec in kids:
                if count >= MAX_NODES and rec.id not in on_path:
                    break
                child = node(rec)
                parent.children.append(child)
                nxt.append(child)
                count += 1
        frontier = nxt
    return root, count


class LineageView(QTreeWidget):
    """Shown only when the selected edit has a parent or children."""

    editActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyLineage")
        self.setAccessibleName(self.tr("Versions"))
        self.setAccessibleDescription(
            self.tr("The selected edit's parents and the edits made from its results. "
            "Press Enter on a version to select it in the history."))
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setIndentation(12)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setMaximumHeight(150)
        self.setFrameShape(QTreeWidget.Shape.NoFrame)
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        self._current: int | None = None
        self.hide()

    def show_tree(self, root: VersionNode | None, current: int) -> None:
        self.clear()
        self._current = current
        if root is None or not root.children:
            self.hide()
            return
        current_item: QTreeWidgetItem | None = None

        def add(node: VersionNode, parent: QTreeWidgetItem | None) -> None:
            nonlocal current_item
            prompt = " ".join(node.prompt.split()) or self.tr("(no prompt)")
            text = f"#{node.edit_id}  {prompt}"
            if node.deleted:
                text += "  " + self.tr("(deleted)")
            item = QTreeWidgetItem([text])
            # Beside the words, in its colour (the selection's text colour when selected).
            item.setIcon(0, status_icon(node.status, reason=node.reason))
            item.setData(0, Qt.ItemDataRole.UserRole, node.edit_id)
            word = status_word(node.status)
            item.setToolTip(0, self.tr("Edit #{id}: {prompt} — {status}").format(
                id=node.edit_id, prompt=prompt, status=word))
            item.setForeground(0, QColor(status_colour(node.status, reason=node.reason)))
            item.setData(0, Qt.ItemDataRole.AccessibleTextRole,
                         f"Edit {node.edit_id}, {word}: {prompt}"
                         + (" (selected)" if node.edit_id == current else ""))
            if node.edit_id == current:
                f = QFont(self.font())
                f.setBold(True)
                item.setFont(0, f)
                current_item = item
            if node.deleted:
                item.setDisabled(True)
            if parent is None:
                self.addTopLevelItem(item)
            else:
                parent.addChild(item)
            for child in node.children:
                add(child, item)

        add(root, None)
        self.expandAll()
        # As tall as its rows (up to the cap): no empty box under a short chain.
        n = len(self.edit_ids())
        row_h = max(self.sizeHintForRow(0), self.fontMetrics().height() + 4)
        self.setFixedHeight(min(150, n * row_h + 2 * self.frameWidth() + 4))
        if current_item is not None:
            self.setCurrentItem(current_item)
            self.scrollToItem(current_item)
        self.show()

    def edit_ids(self) -> list[int]:
        out: list[int] = []

        def walk(item: QTreeWidgetItem) -> None:
            out.append(int(item.data(0, Qt.ItemDataRole.UserRole)))
            for i in range(item.childCount()):
                child = item.child(i)
                if child is not None:
                    walk(child)

        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            if top is not None:
                walk(top)
        return out

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        edit_id = item.data(0, Qt.ItemDataRole.UserRole)
        if edit_id is not None and int(edit_id) != self._current:
            self.editActivated.emit(int(edit_id))
