"""The canvas' grid mode: G switches between the before/after view and the results grid
(an edit's n > 1 results follow the shown edit; a batch's results come through `fill`).
Opening a result in the grid shows it in the compare view."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStackedWidget, QWidget

from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui.compare.compare_view import CompareView
from qwen_studio.ui.compare.results import ResultsController
from qwen_studio.ui.icons import icon
from qwen_studio.ui.results.grid import ResultKey
from qwen_studio.ui.results.panel import GridController, ResultsPanel

translate = QCoreApplication.translate


class GridMode(QObject):
    def __init__(self, stack: QStackedWidget, view: CompareView, panel: ResultsPanel,
                 results: ResultsController, tasks: TaskRunner, window: QWidget) -> None:
        super().__init__(window)
        self.stack, self.view, self.panel, self.results = stack, view, panel, results
        self.controller = GridController(panel, tasks, results.save_to, window, self)
        self._of_shown_edit = False  # the grid holds the shown edit's results (not a batch)
        self.action = QAction(icon("grid"), translate("MainWindow", "Results &grid"), window)
        self.action.setObjectName("gridModeAction")
        self.action.setCheckable(True)
        self.action.setShortcut("G")
        # Only while the canvas or the grid has focus: G typed in the prompt stays a letter.
        self.action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.action.toggled.connect(self.set_grid_shown)
        view.addAction(self.action)
        panel.addAction(self.action)
        panel.backRequested.connect(lambda: self.set_grid_shown(False))
        self.controller.resultShown.connect(self._open)
        results.results_shown = self._follow

    def fill(self, items: list[tuple[int, int, Path]]) -> None:
        """A batch's results, (edit id, result index, path) each; shows the grid."""
        self._of_shown_edit = False
        self.controller.fill(items)
        self.set_grid_shown(True)

    def grid_shown(self) -> bool:
        return self.stack.currentWidget() is self.panel

    def set_grid_shown(self, shown: bool) -> None:
        if shown and not self.grid_shown():
            self.stack.setCurrentWidget(self.panel)
            self.panel.setFocus()
        elif not shown and self.grid_shown():
            self.stack.setCurrentWidget(self.view)
            self.view.setFocus()
        if self.action.isChecked() != shown:
            self.action.setChecked(shown)

    def _follow(self, edit_id: int | None, paths: list[Path]) -> None:
        if len(paths) > 1:
            self._of_shown_edit = True
            self.controller.show_results(edit_id, paths)

    def _open(self, key: ResultKey) -> None:
        edit_id, index = key
        self.set_grid_shown(False)  # first: the result strip selects only while shown
        if self._of_shown_edit:
            self.view.set_current_result(index)
        else:
            self.results.show_edit(edit_id)  # a batch member: its before/after
