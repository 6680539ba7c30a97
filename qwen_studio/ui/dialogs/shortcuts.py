"""Help ▸ Keyboard shortcuts, generated from the window's QActions so it cannot drift.

Every QAction of the main window (menus first, in menu order, then the compare view's,
the history's and the batch queue's) that has a shortcut gets a row; the few gestures that
are not actions (hold Space) are listed from GESTURES.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.ui.marks import QT_TRANSLATE_NOOP

# Key handlers that are not QActions: (keys, what they do).
GESTURES = (
    ("Space", QT_TRANSLATE_NOOP("ShortcutsDialog", "Hold to see the before image")),
    ("← / →", QT_TRANSLATE_NOOP("ShortcutsDialog", "Previous / next result of the edit")),
    ("Tab", QT_TRANSLATE_NOOP("ShortcutsDialog",
                              "Hide or show the side panels (outside text fields)")),
    # The prompt library popup (Ctrl+Space) steers with keys of its own.
    ("Enter", QT_TRANSLATE_NOOP("ShortcutsDialog",
                                "Prompt library: insert the snippet at the cursor")),
    ("Shift+Enter", QT_TRANSLATE_NOOP("ShortcutsDialog",
                                      "Prompt library: replace the whole field with it")),
)


def _clean(text: str) -> str:
    """Menu text without the mnemonic ('&', or Chinese menus' "(&O)") or the trailing
    ellipsis."""
    import re

    text = re.sub(r"\s*\(&[^&)]\)", "", text)
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def collect(window: QWidget) -> list[tuple[str, str]]:
    """(keys, description) for every action of `window` with a shortcut, then GESTURES."""
    seen: set[int] = set()
    ordered: list[QAction] = []
    if isinstance(window, QMainWindow):
        for menu_action in window.menuBar().actions():
            menu = menu_action.menu()
            for a in menu.actions() if isinstance(menu, QMenu) else []:
                if id(a) not in seen:
                    seen.add(id(a))
                    ordered.append(a)
    for a in window.findChildren(QAction):
        if id(a) not in seen:
            seen.add(id(a))
            ordered.append(a)
    rows: list[tuple[str, str]] = []
    keys_seen: set[str] = set()
    for a in ordered:
        seqs = [s for s in a.shortcuts() if not s.isEmpty()]
        if not seqs or a.isSeparator():
            continue
        # Once each as shown: Ctrl+Return and Ctrl+Enter both read "Ctrl+回车" in Chinese.
        keys = " / ".join(dict.fromkeys(
            s.toString(QKeySequence.SequenceFormat.NativeText) for s in seqs))
        if keys in keys_seen:
            continue
        keys_seen.add(keys)
        rows.append((keys, _clean(a.text()) or _clean(a.toolTip())))
    for keys, what in GESTURES:
        rows.append((keys, QCoreApplication.translate("ShortcutsDialog", what)))
    return rows


class ShortcutsDialog(QDialog):
    """A two-column, searchable-by-eye table of every shortcut."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.setAccessibleDescription(self.tr("Every keyboard shortcut in Qwen Studio"))
        self.setModal(False)
        self.resize(520, 560)
        rows = collect(window)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName(self.tr("Shortcuts"))
        self.table.setAccessibleDescription(self.tr("Keys and what they do, one per row"))
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Action")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        for r, (keys, what) in enumerate(rows):
            k = QTableWidgetItem(keys)
            font = k.font()
            font.setBold(True)
            k.setFont(font)
            self.table.setItem(r, 0, k)
            self.table.setItem(r, 1, QTableWidgetItem(what))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        close.setAccessibleDescription(self.tr("Close this list"))
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        lay.addWidget(buttons)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def rows(self) -> list[tuple[str, str]]:
        def text(r: int, c: int) -> str:
            item = self.table.item(r, c)
            return item.text() if item is not None else ""

        return [(text(r, 0), text(r, 1)) for r in range(self.table.rowCount())]
