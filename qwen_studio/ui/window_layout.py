"""Room for the image: the side panels step aside for the canvas.

The window is editor | canvas | history in a splitter. This module owns how that splitter
is sized (first start: the canvas gets what the panels do not need, at least 60 % of a
1400 px window), the View ▸ Hide panels toggle (`togglePanelsAction`, also the Tab key
whenever no text field has focus: see panels_tab_key), and what is remembered of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QSplitter, QWidget

if TYPE_CHECKING:
    from qwen_studio.ui.panels_tab_key import PanelsTabKey

translate = QCoreApplication.translate

# First-start widths of the side panels: at 1400 px the canvas keeps >= 60 % of the window.
LEFT_WIDTH = 272
RIGHT_WIDTH = 280  # a done row says "done in 12 s" and its spend whole, also in Chinese
CANVAS_MIN = 400


def panels_splitter(left: QWidget, canvas: QWidget, right: QWidget) -> QSplitter:
    """editor | canvas | history: the canvas takes what the panels leave and never
    collapses; the side panels may."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setObjectName("mainSplitter")
    splitter.setAccessibleName(translate("MainWindow", "Panels"))
    splitter.setAccessibleDescription(
        translate("MainWindow", "Drag the handles to resize the panels"))
    for w in (left, canvas, right):
        splitter.addWidget(w)
    for i, stretch in enumerate((0, 1, 0)):
        splitter.setStretchFactor(i, stretch)
    splitter.setChildrenCollapsible(True)
    splitter.setCollapsible(1, False)
    return splitter


class WindowLayout(QObject):
    """Sizes, hides and remembers the side panels of `splitter` ([left, canvas, right])."""

    def __init__(self, window: QMainWindow, splitter: QSplitter, canvas: QWidget,
                 parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.window, self.splitter, self.canvas = window, splitter, canvas
        left, right = splitter.widget(0), splitter.widget(2)
        assert left is not None and right is not None, "editor | canvas | history first"
        self.left, self.right = left, right
        self._hidden_sizes: list[int] | None = None  # the sizes before Hide panels
        self._tab_key: PanelsTabKey | None = None
        self.toggle_action = QAction(translate("MainWindow", "&Hide panels"), window)
        self.toggle_action.setObjectName("togglePanelsAction")
        self.toggle_action.setCheckable(True)
        # Tab is the key too (install_tab_key, outside text fields, after the first frame).
        self.toggle_action.setShortcut("Ctrl+Shift+F")
        self.toggle_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.toggle_action.setToolTip(translate(
            "MainWindow", "Hide or show the side panels (Tab outside text fields, Ctrl+Shift+F)"))
        self.toggle_action.toggled.connect(self.set_panels_hidden)
        window.addAction(self.toggle_action)

    def install_tab_key(self) -> None:
        """Tab toggles the panels wherever it does not move focus in a text field.
        Idempotent; the window calls it once it has painted."""
        if self._tab_key is None:
            from qwen_studio.ui.panels_tab_key import PanelsTabKey

            self._tab_key = PanelsTabKey(self.window, self.toggle)

    # ----- the menu ----------------------------------------------------------------------
    def add_view_menu(self) -> QMenu:
        """View ▸ Hide panels, placed before the last menu (Help)."""
        bar = self.window.menuBar()
        menu = QMenu(translate("MainWindow", "&View"), bar)
        menu.setObjectName("viewMenu")
        menu.addAction(self.toggle_action)
        actions = bar.actions()
        if actions:
            bar.insertMenu(actions[-1], menu)
        else:
            bar.addMenu(menu)
        return menu

    # ----- hiding ------------------------------------------------------------------------
    def panels_hidden(self) -> bool:
        return self._hidden_sizes is not None

    def toggle(self) -> None:
        self.toggle_action.toggle()

    def set_panels_hidden(self, hidden: bool) -> None:
        if hidden == self.panels_hidden():
            return
        left, right = self.left, self.right
        if hidden:
            self._hidden_sizes = self.splitter.sizes()
            left.hide()
            right.hide()
        else:
            sizes, self._hidden_sizes = self._hidden_sizes, None
            left.show()
            right.show()
            if sizes is not None:
                self.splitter.refresh()  # the handles come back first, then the sizes fit
                self.splitter.setSizes(sizes)
        if self.toggle_action.isChecked() != hidden:
            self.toggle_action.setChecked(hidden)
        self.toggle_action.setText(translate("MainWindow", "Show &panels") if hidden
                                   else translate("MainWindow", "&Hide panels"))

    # ----- sizes -------------------------------------------------------------------------
    def default_sizes(self, total: int) -> list[int]:
        return [LEFT_WIDTH, max(CANVAS_MIN, total - LEFT_WIDTH - RIGHT_WIDTH), RIGHT_WIDTH]

    def apply_default_sizes(self) -> None:
        total = max(self.splitter.width(), self.window.width())
        self.splitter.setSizes(self.default_sizes(total))

    def save_state(self) -> QByteArray:
        """The splitter as the user arranged it (the panels' sizes also while hidden)."""
        if self._hidden_sizes is None:
            return self.splitter.saveState()
        left, right = self.left, self.right
        current = self.splitter.sizes()
        left.show()
        right.show()
        self.splitter.setSizes(self._hidden_sizes)
        state = self.splitter.saveState()
        left.hide()
        right.hide()
        self.splitter.setSizes(current)
        return state

    def restore_state(self, state: QByteArray) -> bool:
        return self.splitter.restoreState(state)
