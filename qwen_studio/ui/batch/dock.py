"""BatchUi: puts the batch queue into the MainWindow: a bottom panel in a vertical splitter,
File ▸ Batch…, the drop decision, Run, the title and the resume offer."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    Qt,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMenu,
    QSplitter,
)

from qwen_studio.core.editing.progress import QueueStats
from qwen_studio.core.errors import INPUT_COUNT_PROBLEMS, QwenStudioError
from qwen_studio.core.request import EditRequest
from qwen_studio.ui import image_loading as il
from qwen_studio.ui.batch.budget_run import BatchBudget
from qwen_studio.ui.batch.model import THUMB_PX
from qwen_studio.ui.batch.panel import BatchPanel
from qwen_studio.ui.batch.texts import then
from qwen_studio.ui.batch_controller import BatchController, BatchReport
from qwen_studio.ui.error_text import (
    error_hint,
    error_message,
    input_reason,
    request_problems,
)
from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel

if TYPE_CHECKING:
    from qwen_studio.core.editing.batches import BatchSummary
    from qwen_studio.ui.main_window import MainWindow

log = logging.getLogger(__name__)
translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")

AUTO_BATCH = 8  # dropping this many photos (or any folder) is a batch without asking


class BatchUi:
    """Puts the batch queue into a MainWindow: a bottom panel in a vertical splitter, the
    File ▸ Batch… action, the drop decision, Run, the title and the resume offer."""

    def __init__(self, window: MainWindow, batch_action: QAction,
                 show_action: QAction) -> None:
        self.window = window
        self.tasks = window.tasks  # the app's TaskRunner: spawns and pool calls
        self.notices = window.notices

        self.controller = BatchController(lambda: window.edits, window.edit_signals,
                                          window.set_client_settings, window)
        self.panel = BatchPanel(self.controller)
        self.panel.hide()
        # Moving the window's splitter takes the keyboard focus from it, and a central
        # widget set on a shown window is shown by a queued call: without both steps below,
        # keys typed right after the first frame (this runs just after it) went nowhere.
        focused = QApplication.focusWidget()
        central = window.takeCentralWidget()
        assert central is not None  # the window's splitter, built before the batch UI
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("batchSplitter")
        self.splitter.addWidget(central)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setCollapsible(0, False)
        window.setCentralWidget(self.splitter)
        if window.isVisible():
            self.splitter.show()
            if focused is not None and window.isAncestorOf(focused):
                focused.setFocus(Qt.FocusReason.OtherFocusReason)

        # Made with the window (ui/window_deferred.py): their keys work before this exists.
        self.batch_action, self.show_action = batch_action, show_action
        menus = [m for a in window.menuBar().actions() if isinstance(m := a.menu(), QMenu)]
        if menus:
            file_menu = menus[0]
            before = window.paste_action
            if before in file_menu.actions():
                file_menu.insertAction(before, self.batch_action)
                file_menu.insertAction(before, self.show_action)
            else:
                file_menu.addAction(self.batch_action)
                file_menu.addAction(self.show_action)

        self.panel.hideRequested.connect(lambda: self.set_visible(False))
        self.panel.exportRequested.connect(self.export_gallery)
        self.panel.resumeRequested.connect(self.resume)
        self.panel.jobShown.connect(window.results.show_edit)  # its before/after on the canvas
        self.panel.model.thumbnailNeeded.connect(self._load_thumbnail)
        c = self.controller
        # The history list follows every edit through the window's EditServiceSignals; an
        # edit taken out of the batch before it ran is gone from the history too.
        self._history = window.history_model
        c.jobsRemoved.connect(self._remove_from_history)
        self.panel.statsShown.connect(self._update_title)
        c.activeChanged.connect(lambda _a: self._update_run_button())
        c.jobsAdded.connect(lambda _ids: self._update_run_button())
        c.jobsRemoved.connect(lambda _ids: self._update_run_button())
        c.reset.connect(self._update_run_button)
        c.batchFinished.connect(self._on_finished)
        c.resumeAvailable.connect(self._offer_resume)
        self.budget = BatchBudget(window, self.panel.budget_field, c)
        self._run_words = window.run_button.words()
        with contextlib.suppress(RuntimeError):  # no event loop: a bare unit-test window
            self.tasks.spawn(c.check_resume())

    # -- history -------------------------------------------------------------------------------
    def _remove_from_history(self, ids: list[int]) -> None:
        h = self._history
        h.remove([e for i in ids if (e := h.entry_for_edit(i)) is not None])

    def _make_batch_of(self, images: list[Path]) -> None:
        """The drop offer taken: the photos become a batch instead of inputs."""
        self.window.clear_inputs()
        self.tasks.spawn(self.add(images, [], why="choice"))

    # -- visibility ----------------------------------------------------------------------------
    def set_visible(self, visible: bool) -> None:
        self.panel.setVisible(visible)
        if self.show_action.isChecked() != visible:
            self.show_action.setChecked(visible)
        if visible:
            total = self.splitter.height()
            if self.splitter.sizes()[1] < 120:
                self.splitter.setSizes([max(300, total - 260), 260])

    # -- adding --------------------------------------------------------------------------------
    def base_request(self) -> EditRequest:
        request, _problems = self.window.build_request()
        if request is None:  # e.g. a size that does not parse: Run will say so
            ep = self.window.endpoint
            request = EditRequest(inputs=(), prompt=self.window.prompt_panel.prompt().strip(),
                                  model=self.window.params.model(),
                                  style=ep.style if ep else "bailian")
        return request.with_changes(inputs=())

    async def offer(self, paths: list[Path], images: list[Path],
                    skipped: list[tuple[Path, str]], limit: int) -> bool:
        """A drop: a folder, or more photos than the model takes as inputs, is a batch."""
        has_dir = await self.tasks.run(lambda: any(Path(p).is_dir() for p in paths))
        if not images or not (has_dir or len(images) > limit):
            return False
        if has_dir or len(images) >= AUTO_BATCH:
            await self.add(images, skipped, why="folder" if has_dir else "many")
            return True
        # A few too many for one edit: the window keeps the first ones as inputs; the
        # banner offers the other reading of the drop.
        offered = list(images)
        self.notices.show(Notice(
            NoticeKind.BATCH, NoticeLevel.INFO,
            translate("BatchUi", "{n} photos dropped; one edit takes at most {limit}.")
            .format(n=len(images), limit=limit),
            translate("BatchUi", "To give each photo the same edit instead, make them a batch."),
            translate("BatchUi", "Make a batch of {n}").format(n=len(images)),
            lambda: self._make_batch_of(offered)))
        return False

    async def add(self, images: list[Path], skipped: list[tuple[Path, str]], why: str) -> None:
        w = self.window
        n = await self.controller.add_images(images, self.base_request())
        self.set_visible(True)
        # why: "folder", "many" (photos at once) or "choice" (File ▸ Batch…).
        reason = {
            "folder": translate("BatchUi", "A folder makes a batch"),
            "many": translate("BatchUi", "{k} photos at once make a batch").format(k=len(images)),
        }.get(why, translate("BatchUi", "Your choice makes a batch"))
        if n == 1:
            text = translate("BatchUi", "{reason}: 1 photo added to the queue below. The prompt "
                             "and parameters apply to it; press Run to start.")
        else:
            text = translate("BatchUi", "{reason}: {n} photos added to the queue below. The "
                             "prompt and parameters apply to each; press Run to start.")
        text = text.format(reason=reason, n=n)
        if self.controller.active:
            text = (translate("BatchUi", "1 photo added to the running batch.") if n == 1 else
                    translate("BatchUi", "{n} photos added to the running batch.").format(n=n))
        if skipped:  # joined the language's way (no spaces after Chinese "。" "：")
            files = translate("BatchPanel", "; ").join(
                translate("BatchUi", "{file} ({reason})").format(file=p.name,
                                                               reason=input_reason(r))
                for p, r in skipped[:3]) + ("…" if len(skipped) > 3 else "")
            text = then(text, then(translate("BatchUi", "Skipped {k}:").format(
                k=len(skipped)), files))
        w.drop_zone.set_message(text, "info")
        w.statusBar().showMessage(text, 8000)
        self._update_run_button()

    def choose_folder(self) -> None:
        w = self.window
        start = w.qsettings.value("paths/lastOpenDir", "") or ""
        folder = QFileDialog.getExistingDirectory(
            w, translate("BatchUi", "Batch: choose a folder of photos"), str(start))
        if folder:
            w.qsettings.setValue("paths/lastOpenDir", folder)
            self.tasks.spawn(self.add_folder(Path(folder)))

    async def add_folder(self, folder: Path) -> None:
        from qwen_studio.core.pipeline import find_images

        images, skipped = await self.tasks.run(find_images, [folder])
        if not images:
            self.window.drop_zone.set_message(translate(
                "BatchUi", "no photos found in {folder}").format(folder=folder.name), "warning")
            return
        await self.add(images, skipped, why="folder")

    # -- running -------------------------------------------------------------------------------
    def wants_run(self) -> bool:
        return self.controller.wants_run()

    def run(self) -> bool:
        """Run pressed while the batch waits: check the prompt and parameters, then start."""
        w = self.window
        request, problems = w.build_request()
        # The batch brings its own input photos: problems about the inputs do not apply.
        problems = [p for p in problems if getattr(p, "code", "") not in INPUT_COUNT_PROBLEMS]
        if request is None or problems:
            self.notices.show(Notice(
                NoticeKind.REQUEST_PROBLEM, NoticeLevel.WARNING,
                translate("BatchUi", "Can't start the batch yet: {problems}.").format(
                    problems=request_problems(problems)),
                translate("BatchUi",
                          "Describe the change in the Prompt box; it applies to every photo.")))
            w.prompt_panel.prompt_edit.setFocus()
            return False
        # The situations Run just resolved are over.
        self.notices.clear(NoticeKind.REQUEST_PROBLEM, NoticeKind.NOT_CONNECTED)
        try:
            base = self.base_request()
            budget = self.budget.gate(base.model)  # the budget typed in the queue's header
            if budget is False:
                return False
            self.controller.start(base, budget=budget)
        except QwenStudioError as exc:
            self.notices.show(Notice(NoticeKind.BATCH, NoticeLevel.WARNING, error_message(exc),
                                  error_hint(exc), translate("BatchUi", "Open settings"),
                                  w.open_settings))
            return False
        w.save_settings_soon()
        self.set_visible(True)
        return True

    def _update_run_button(self) -> None:
        b = self.window.run_button
        n = self.controller.queued_count() if self.controller.wants_run() else 0
        if n:
            b.set_words(translate("BatchUi", "Run batch ({n})").format(n=n),
                        translate("BatchUi", "Run ({n})").format(n=n))
        else:
            b.set_words(self._run_words)
        b.setAccessibleDescription(
            translate("BatchUi", "Start the batch of {n} photos (Ctrl+Enter)").format(n=n) if n
            else translate("BatchUi", "Start the edit (Ctrl+Enter)"))

    def _update_title(self, s: QueueStats | None) -> None:
        if s is None or not s.total or not self.controller.active:
            self.window.setWindowTitle(translate("BatchUi", "Qwen Studio"))
            return
        done = s.done + s.skipped - self.controller.over_budget_count()  # not the budget's
        title = f"Qwen Studio — {done}/{s.total}"
        if s.failed:
            title += " " + translate("BatchUi", "({n} failed)").format(n=s.failed)
        if self.controller.paused:
            title += " " + translate("BatchUi", "paused")
        if self.window.windowTitle() != title:
            self.window.setWindowTitle(title)

    def _on_finished(self, report: BatchReport) -> None:
        self.window.setWindowTitle(translate("BatchUi", "Qwen Studio"))
        msg = translate("BatchUi", "Batch finished: {done} of {total} done").format(
            done=report.done, total=report.total)
        if report.over_budget:  # not done, and waiting for a larger budget: said first
            msg += translate("BatchUi", ", {n} skipped (over budget)").format(
                n=report.over_budget)
        if report.failed:
            msg += translate("BatchUi", ", {n} failed").format(n=report.failed)
        self.window.statusBar().showMessage(msg, 15000)
        self._update_run_button()

    # -- thumbnails ----------------------------------------------------------------------------
    def _load_thumbnail(self, key: tuple[int, str], path: Path) -> None:
        async def load() -> None:
            try:
                image = await self.tasks.run(il.decode_image, path, THUMB_PX * 2)
            except (QwenStudioError, OSError):
                image = None
            self.panel.model.set_thumbnail(key, image)

        self.tasks.spawn(load())

    # -- resume / export -----------------------------------------------------------------------
    def _offer_resume(self, summary: BatchSummary) -> None:
        self.panel.offer_resume(summary)
        self.set_visible(True)

    def resume(self, batch_id: str) -> None:
        if not batch_id:
            return
        if not self.window.has_client:  # reads a saved profile's key if still pending
            self.notices.show(Notice(
                NoticeKind.BATCH, NoticeLevel.WARNING,
                translate("BatchUi", "Connect to a service to resume the batch."),
                translate("BatchUi", "Set up your API key in Settings, then press Resume again."),
                translate("BatchUi", "Open settings"), self.window.open_settings))
            return
        if self.budget.budget(self.window.params.model()) is False:
            return  # a budget that cannot be kept: said why; the offer stays
        self.panel.resume_banner.hide()
        self.tasks.spawn(self.budget.resume(batch_id))  # under the budget typed, if any

    def export_gallery(self) -> None:
        batch_id = self.controller.batch_id
        if not batch_id:
            return
        w = self.window
        start = w.qsettings.value("paths/lastExportDir", "") or ""
        folder = QFileDialog.getExistingDirectory(
            w, translate("BatchUi", "Export the batch as a gallery into…"),
                                                  str(start))
        if folder:
            w.qsettings.setValue("paths/lastExportDir", folder)
            self.tasks.spawn(self.export_to(Path(folder) / f"qwen-{batch_id}"))

    async def export_to(self, target: Path) -> Path | None:
        from qwen_studio.core.gallery import export_gallery

        batch_id = self.controller.batch_id or ""
        w = self.window
        recorder = w.edits.recorder

        def work() -> Path:
            records = recorder.batch_records(batch_id)
            prompt = records[0].request.prompt if records else ""
            return export_gallery(records, target, title=f"Qwen Studio batch — {prompt[:60]}")

        try:
            out = await self.tasks.run(work)
        except (QwenStudioError, OSError) as exc:
            error = (error_message(exc) if isinstance(exc, QwenStudioError)
                     else exc.strerror or exc)
            hint = error_hint(exc) if isinstance(exc, QwenStudioError) else ""
            self.notices.show(Notice(
                NoticeKind.BATCH, NoticeLevel.ERROR,
                translate("BatchUi", "Could not export the gallery: {error}").format(error=error),
                hint or translate("BatchUi", "Choose another folder.")))
            return None
        done = translate("BatchUi", "Gallery exported to {path}").format(path=out)
        w.statusBar().showMessage(done, 10000)
        self.notices.show(Notice(NoticeKind.BATCH, NoticeLevel.INFO, done, translate(
            "BatchUi", "Open index.html in a browser to look through the batch.")))
        return out

    async def shutdown(self) -> None:
        await self.controller.shutdown()
