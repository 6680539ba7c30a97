"""What the window builds after its first frame, or when first used if that is sooner.

The batch queue (bottom panel, File ▸ Batch…, the resume offer) and the Versions dock are
hidden at start: ~15-20 ms the first frame need not wait for; so is the history's list
while the history shows no rows (ui/history/panel_list.py). app/ asks for `build()` once
the loop runs; `batch()` and `versions()` build on first use before that, so a click or a
key in the first instant still finds them (View ▸ Versions, Ctrl+Shift+O and Ctrl+B work
from the start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QAction

if TYPE_CHECKING:
    from qwen_studio.ui.batch.dock import BatchUi
    from qwen_studio.ui.main_window import MainWindow
    from qwen_studio.ui.versions.dock import VersionsDock


class DeferredParts:
    """The window's parts built after the first paint: the BatchUi and the Versions dock."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.built_batch: BatchUi | None = None
        self.built_versions: VersionsDock | None = None
        self._follow: int | None = None  # the shown edit, for a dock built later
        # View ▸ Versions: works before the dock exists (it builds it).
        self.versions_action = va = QAction(
            QCoreApplication.translate("VersionsDock", "Versions"), window)
        va.setObjectName("toggleVersionsAction")
        va.setCheckable(True)
        va.setShortcut("Ctrl+Shift+V")
        va.triggered.connect(self.show_versions)
        # File ▸ Batch… and Show batch queue: their keys work from the first frame too (they
        # build the queue); BatchUi puts them in the File menu when it is built.
        translate = QCoreApplication.translate  # context "BatchUi": the queue's own words
        self.batch_action = ba = QAction(
            translate("BatchUi", "&Batch… (a folder, one prompt)"), window)
        ba.setObjectName("batchAction")
        ba.setShortcut("Ctrl+Shift+O")
        ba.setStatusTip(translate("BatchUi",
                                  "Choose a folder: every photo in it gets the same edit"))
        ba.triggered.connect(lambda _c=False: self.batch().choose_folder())
        self.show_batch_action = sa = QAction(translate("BatchUi", "Show batch &queue"), window)
        sa.setObjectName("showBatchAction")
        sa.setCheckable(True)
        sa.setShortcut("Ctrl+B")
        sa.toggled.connect(lambda on: self.batch().set_visible(on))
        window.addActions([ba, sa])

    def batch(self) -> BatchUi:
        """The BatchUi, built now if the post-paint build has not run yet."""
        if self.built_batch is None:
            from qwen_studio.ui.batch.dock import BatchUi

            self.built_batch = BatchUi(self.window, self.batch_action, self.show_batch_action)
            # Tab outside text fields toggles the panels: not needed for the first frame.
            self.window.layout_.install_tab_key()
        return self.built_batch

    def batch_id(self) -> str | None:
        """The batch queue's current batch (None until the queue exists)."""
        return self.built_batch.controller.batch_id if self.built_batch is not None else None

    def versions(self) -> VersionsDock:
        """The Versions dock (bottom, hidden), built now if the post-paint build has not."""
        if self.built_versions is None:
            from qwen_studio.ui.versions.dock import VersionsDock

            w = self.window
            dock = self.built_versions = VersionsDock(w.library, w.tasks, w.compare_view,
                                                      w.results.show_edit, w)
            w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            dock.hide()
            dock.toggleViewAction().toggled.connect(self.versions_action.setChecked)
            dock.follow(self._follow)
        return self.built_versions

    def show_versions(self, on: bool) -> None:
        dock = self.versions()
        dock.setVisible(on)
        if on:
            dock.raise_()

    def follow_versions(self, edit_id: int | None) -> None:
        """The history's current edit: the version graph follows it (once it exists)."""
        self._follow = edit_id
        if self.built_versions is not None:
            self.built_versions.follow(edit_id)

    def build(self) -> None:
        """Everything deferred, now (idempotent); the canvas's hidden parts a moment later."""
        w = self.window
        self.batch()
        self.versions()
        w.spend.refresh()  # today's and this month's figures
        w.params.fill_model_list()  # the model combo's rows (its popup and arrow keys)
        w.history_panel.build_list()  # if no rows came before (an empty history)
        # The canvas's mask tools, results strip and Changes mode (hidden until an image
        # wants them): in a later event, so input queued meanwhile goes first.
        QTimer.singleShot(0, w, w.compare_view.build_hidden_parts)

    async def shutdown(self) -> None:
        if self.built_batch is not None:
            await self.built_batch.shutdown()
