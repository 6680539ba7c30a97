"""The window's side of the history panel: what its signals ask for (re-run an edit, recall
its parameters, use a result as input), stepping through the list, selecting the edit
that just finished, and the notice that the library was rebuilt at open.

MainWindow builds one and connects the panel's signals to it (ui/main_window.py); texts
keep the "MainWindow" translation context they were written in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QModelIndex

from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel

if TYPE_CHECKING:
    from qwen_studio.core.editing.progress import EditProgress
    from qwen_studio.core.library import Library
    from qwen_studio.core.request import EditRequest
    from qwen_studio.qt.edit_session import EditSession
    from qwen_studio.qt.tasks import TaskRunner
    from qwen_studio.ui.compare.results import ResultsController
    from qwen_studio.ui.editor.panel import EditorPanel
    from qwen_studio.ui.history.model import HistoryModel
    from qwen_studio.ui.history.panel import HistoryPanel

translate = QCoreApplication.translate


class HistoryGlue:
    def __init__(self, model: HistoryModel, panel: HistoryPanel, *, session: EditSession,
                 tasks: TaskRunner, results: ResultsController, editor_panel: EditorPanel,
                 status: Callable[[str], None],
                 use_as_input: Callable[[Path, int | None], None],
                 not_connected: Callable[[], None]) -> None:
        self.model, self.panel = model, panel  # its list: built when first used
        self.session, self.tasks, self.results = session, tasks, results
        self.editor_panel = editor_panel
        self._status, self._use_as_input = status, use_as_input
        self._not_connected = not_connected

    def clear_selection(self) -> None:
        """New inputs: no history entry is the shown one any more."""
        view = self.panel.built_list
        if view is not None:  # no list yet: nothing is selected
            view.selectionModel().clearSelection()
            view.setCurrentIndex(QModelIndex())

    def step(self, delta: int) -> None:
        n = self.model.rowCount()
        if not n:
            return
        view = self.panel.list_view
        cur = view.currentIndex()
        row = 0 if not cur.isValid() else min(max(cur.row() + delta, 0), n - 1)
        view.setCurrentIndex(self.model.index(row))

    def show_done(self, p: EditProgress) -> None:
        """Show the newest finished edit: that is what the designer is waiting for. (Already
        current: the results controller shows its results as the list learns of them.)"""
        row = self.model.row_of_edit(p.edit_id)
        if row >= 0:
            self.panel.list_view.setCurrentIndex(self.model.index(row))

    def rerun(self, request: EditRequest, parent_edit_id: int | None) -> None:
        if not self.session.has_client:
            self._not_connected()
            return
        self.tasks.spawn(self.session.submit_one(request, parent_edit_id))
        self._status(translate("MainWindow", "Re-running the edit"))

    def retry_download(self, edit_id: int) -> None:
        """Download a paid result again (Retry download on its row), after a restart too."""
        if not self.session.has_client:
            self._not_connected()
            return
        self.tasks.spawn(self._retry_download(edit_id))

    async def _retry_download(self, edit_id: int) -> None:
        if await self.session.service.retry_stored(edit_id):
            self._status(translate("MainWindow", "Downloading the paid result again"))
        else:
            self._status(translate("MainWindow", "This edit has no result waiting to be "
                                   "downloaded: Re-run sends it again"))

    def recall(self, request: EditRequest) -> None:
        """Prompt, negative prompt and every parameter into the left panel (not the inputs)."""
        self.editor_panel.recall(request)
        self.results.recall_region(request.region)  # its mask onto "before" (issue #15)
        self._status(translate(
            "MainWindow", "Parameters recalled: add an input and run, or change the prompt"))

    def use_result(self, path: Path, edit_id: int) -> None:
        self._use_as_input(path, edit_id)
        self._status(translate("MainWindow",
                               "The result is now the input: describe the next change"))


def library_recovered_notice(library: Library) -> Notice | None:
    """The library was damaged at open, moved aside and rebuilt: say so, and where the old
    file is (the user may want it, or to send it with a bug report). None if it was not."""
    moved = library.recovered_from
    if moved is None:
        return None
    return Notice(
        NoticeKind.LIBRARY_RECOVERED, NoticeLevel.WARNING,
        translate("MainWindow",
                  "The history was damaged and has been rebuilt ({n} edits recovered).")
        .format(n=library.recovered_edits),
        translate("MainWindow", "The damaged file was kept as {path}.").format(path=moved))
