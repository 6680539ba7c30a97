"""The canvas' grid mode: G switches between the before/after view and the results grid
(an edit's n > 1 results follow the shown edit; a batch's results come through `fill`).
Opening a result in the grid shows it in the compare view."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStackedWidget, QWidget

from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui.compare.compare_view import CompareView
from qwen_studio.ui.compare.results import ResultsController
from qwen_studio.ui.icons import icon

if TYPE_CHECKING:
    from qwen_studio.ui.results.grid import ResultKey
    from qwen_studio.ui.results.panel import GridController, ResultsPanel

translate = QCoreApplication.translate


class GridMode(QObject):
    def __init__(self, stack: QStackedWidget, view: CompareView, results: ResultsController,
                 tasks: TaskRunner, window: QWidget) -> None:
        super().__init__(window)
        self.stack, self.view, self.results = stack, view, results
        self._tasks, self._window = tasks, window
        # The grid page is built when first wanted (G, a batch's results, an edit with n > 1
        # results): it is never in the first frame, which need not wait for it (~4 ms).
        self._panel: ResultsPanel | None = None
        self._controller: GridController | None = None
        self._of_shown_edit = False  # the grid holds the shown edit's results (not a batch)
        self.action = QAction(icon("grid"), translate("MainWindow", "Results &grid"), window)
        self.action.setObjectName("gridModeAction")
        self.action.setCheckable(True)
        self.action.setShortcut("G")
        # Only while the canvas or the grid has focus: G typed in the prompt stays a letter.
        self.action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.action.toggled.connect(self.set_grid_shown)
        view.addAction(self.action)
        results.results_shown = self._follow

    @property
    def panel(self) -> ResultsPanel:
        """The grid page of the canvas stack, built on first access."""
        if self._panel is None:
            from qwen_studio.ui.results.panel import GridController, ResultsPanel

            panel = self._panel = ResultsPanel()
            self.stack.addWidget(panel)
            self._controller = GridController(panel, self._tasks, self.results.save_to,
                                              self._window, self)
            panel.addAction(self.action)
            panel.backRequested.connect(lambda: self.set_grid_shown(False))
            self._controller.resultShown.connect(self._open)
        return self._panel

    @property
    def controller(self) -> GridController:
        _ = self.panel
        assert self._controller is not None
        return self._controller

    def fill(self, items: list[tuple[int, int, Path]]) -> None:
        """A batch's results, (edit id, result index, path) each; shows the grid."""
        self._of_shown_edit = False
        self.controller.fill(items)
        self.set_grid_shown(True)

    def grid_shown(self) -> bool:
        return self._panel is not None and self.stack.currentWidget() is self._panel

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
