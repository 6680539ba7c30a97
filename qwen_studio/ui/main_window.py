"""Qwen Studio's main window: layout, menus and wiring of editor | canvas | history.

The window holds no state of its own beyond what it shows: the next edit is an EditorState
(ui/editor), the shown result a ResultsController (ui/compare), the service a Connection
(qt/connection); coroutines run on the TaskRunner (qt/tasks) and every edit runs in the
EditService of the EditSession (qt/edit_session), all built by the composition root
(app/). The window submits edits and words what the service reports (ui/edit_feedback).
Pixels and files are decoded and written in the shared thread pool.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QCloseEvent, QImage, QShowEvent
from PySide6.QtWidgets import QLabel, QMainWindow

from qwen_studio import i18n
from qwen_studio.core.config import ConfigStore
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.http_session import LazyHttpClient
from qwen_studio.core.pasted_files import named_in_history
from qwen_studio.core.request import EditRequest
from qwen_studio.qt.connection import DEMO_PROFILE, Connection
from qwen_studio.qt.edit_session import EditSession
from qwen_studio.qt.library_watcher import LibraryWatcher
from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui.compare.canvas_area import CanvasArea
from qwen_studio.ui.compare.grid_mode import GridMode
from qwen_studio.ui.compare.results import ResultsController
from qwen_studio.ui.connection_status import ConnectionStatus
from qwen_studio.ui.dialogs.launcher import Dialogs
from qwen_studio.ui.edit_feedback import EditFeedback, FailureActions
from qwen_studio.ui.editor.inputs import InputsController
from qwen_studio.ui.editor.model_lists import ModelLists
from qwen_studio.ui.editor.panel import EditorPanel
from qwen_studio.ui.editor.prompt_library_glue import PromptLibraryGlue
from qwen_studio.ui.editor.state import EditorState, InputItem
from qwen_studio.ui.history.model import HistoryModel
from qwen_studio.ui.history.panel import HistoryPanel
from qwen_studio.ui.history.window_glue import HistoryGlue, library_recovered_notice
from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel, Notices
from qwen_studio.ui.spend_status import SpendStatus
from qwen_studio.ui.status_bar import StatusBar
from qwen_studio.ui.window_connection import WindowConnection
from qwen_studio.ui.window_deferred import DeferredParts
from qwen_studio.ui.window_layout import WindowLayout, panels_splitter
from qwen_studio.ui.window_menus import window_actions
from qwen_studio.ui.window_run import RunControl
from qwen_studio.ui.window_settings import WindowSettings

if TYPE_CHECKING:
    # asyncio loads after the first paint (app.main): ~45 ms.
    import asyncio

    from PySide6.QtWidgets import QDialog  # PySide builds each class named at import

    from qwen_studio.core.library import Library
    from qwen_studio.ui.batch.dock import BatchUi
    from qwen_studio.ui.dialogs.settings_dialog import SettingsDialog
    from qwen_studio.ui.dialogs.welcome_panel import WelcomePanel
    from qwen_studio.ui.history.delegate import HistoryListView
    from qwen_studio.ui.notices.banner import Banner
    from qwen_studio.ui.results.panel import ResultsPanel
    from qwen_studio.ui.versions.dock import VersionsDock

# Help ▸ Keyboard shortcuts is generated from the QActions (ui/dialogs/shortcuts.py).
__all__ = ["DEMO_PROFILE", "InputItem", "MainWindow"]


class MainWindow(QMainWindow, WindowConnection):
    def __init__(
        self,
        *,
        config_store: ConfigStore,
        library: Library,
        http: LazyHttpClient,
        tasks: TaskRunner,
        connection: Connection,
        edits: EditSession,
        settings: QSettings,
        close_services: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Qwen Studio"))
        self.setAccessibleName(self.tr("Qwen Studio"))
        self.setAccessibleDescription(self.tr("Edit photos by describing the change"))
        self.config_store = config_store
        self.library = library
        self.http = http
        self.tasks = tasks
        self.pool = tasks.pool  # the shared thread pool (decodes, files, library calls)
        self.connection = connection
        self.edit_session = edits
        self.edit_signals = edits.signals  # EditProgress and QueueStats as Qt signals
        self.qsettings = settings
        self._close_services = close_services
        self._closed = False
        self.dialogs = Dialogs(self, config_store, self.test_connection, tasks, settings,
                               lambda: self.tasks.spawn(self.reload_config()))

        self.notices = Notices(self)
        self.editor = EditorState(self)
        self.run_control = RunControl(self, self._status)
        # The batch queue and the Versions dock: built after the first paint, or when first
        # used (ui/window_deferred.py).
        self.deferred = DeferredParts(self)
        # The history: library rows + the live overlay (apply_progress, wired in _wire);
        # edits other processes write (a CLI batch) come through the watcher.
        self.library_watcher = LibraryWatcher(library, self.pool, self)
        self.history_model = HistoryModel(library, self.pool, self,
                                          watcher=self.library_watcher)
        self._build_ui()
        self.model_list = ModelLists(self.params, connection, tasks, self)
        self.inputs_ctl = InputsController(self.editor, self.drop_zone, tasks, settings, self)
        # A folder, or more photos than the model takes, is the batch queue's (built now
        # if the post-paint build has not run yet).
        self.inputs_ctl.offer_batch = lambda *drop: self.batch.offer(*drop)
        self.inputs_ctl.history_check = named_in_history(library)  # pasted files history uses
        self.results = ResultsController(
            self.compare_view, self.history_model, self.editor, tasks, self.notices, settings,
            self._status, self._use_as_input, self, library)
        self.grid_mode = GridMode(self.canvas_stack, self.compare_view, self.results, tasks,
                                  self)
        self.prompt_library = PromptLibraryGlue(library, self.pool, self.prompt_panel,
                                                i18n.resolve(settings), self)
        self.history = HistoryGlue(
            self.history_model, self.history_panel, session=edits, tasks=tasks,
            results=self.results, editor_panel=self.editor_panel, status=self._status,
            use_as_input=self._use_as_input, not_connected=self.run_control.not_connected)
        self._build_actions()
        self._wire()
        self.window_settings = WindowSettings(settings, self, self.layout_, self.params,
                                              self.prompt_panel, self.pool)
        self._default_split = self.window_settings.restore()
        self.connection_status.update()
        if (recovered := library_recovered_notice(library)) is not None:
            self.notices.show(recovered)

    # =========================================================================================
    # construction
    def _build_ui(self) -> None:
        self.editor_panel = EditorPanel(self.editor)
        ep = self.editor_panel
        self.drop_zone, self.prompt_panel, self.params = ep.drop_zone, ep.prompt_panel, ep.params
        self.run_button, self.cancel_button = ep.run_button, ep.cancel_button

        # -- centre: notices over the canvas (or the welcome panel) -------------------------
        centre = CanvasArea(self.notices)
        self.compare_view = centre.compare_view
        self.canvas_area, self.canvas_stack = centre, centre.stack

        # -- right: the library's history (search, filters, versions, actions) ------------
        self.history_panel = HistoryPanel(self.history_model, settings=self.qsettings,
                                          tasks=self.tasks)
        self.history_empty = self.history_panel.empty_label

        self.splitter = panels_splitter(self.editor_panel, centre, self.history_panel)
        self.setCentralWidget(self.splitter)
        self.layout_ = WindowLayout(self, self.splitter, self.compare_view.canvas)
        self.layout_.apply_default_sizes()

        # -- status bar: edits in flight, then the connection -------------------------------
        self.setStatusBar(StatusBar())  # a long message ends in "…" (ui/status_bar.py)
        self.inflight_label, self.profile_label = QLabel(), QLabel()
        for label, name, spoken in ((self.inflight_label, "inFlightStatus",
                                     self.tr("Edits in flight")),
                                    (self.profile_label, "profileStatus", self.tr("Connection"))):
            label.setObjectName(name)
            label.setAccessibleName(spoken)
            self.statusBar().addPermanentWidget(label)

        # Tab order follows reading order: the editor, then the canvas and its toolbar,
        # then the history (search, filters, list: placed when built, panel_list.py).
        self.editor_panel.set_tab_order(self.compare_view.canvas)

    def _build_actions(self) -> None:
        self.actions_ = acts = window_actions(self)
        self.paste_action, self.log_folder_action = acts.paste, acts.log_folder  # batch, tests
        self.versions_action = self.deferred.versions_action  # View ▸ Versions

    @property
    def history_list(self) -> HistoryListView:
        """The history's list of edits, built now if no rows or post-paint build made it."""
        return self.history_panel.list_view

    @property
    def banner(self) -> Banner:
        """The notice banner over the canvas (built when the first notice shows)."""
        return self.canvas_area.banner

    @property
    def welcome(self) -> WelcomePanel:
        """The first-start panel, built when first shown or asked for."""
        return self.canvas_area.welcome

    def _wire_welcome(self, panel: WelcomePanel) -> None:
        panel.setupRequested.connect(self.open_settings)
        panel.demoRequested.connect(self.start_demo)
        panel.demo_button.setEnabled(not self.connection.demo_starting)

    def _wire(self) -> None:
        self.tasks.set_error_handler(self._on_task_failed)
        self.prompt_panel.runRequested.connect(self.run_edit)
        self.prompt_panel.mediaPasted.connect(self.inputs_ctl.paste)
        self.run_button.clicked.connect(self.run_edit)
        self.cancel_button.clicked.connect(self.cancel_edits)
        self.canvas_area.welcome_built = self._wire_welcome
        self.connection_status = ConnectionStatus(
            self.connection, label=self.profile_label, canvas=self.canvas_area,
            editor=self.editor,
            notices=self.notices, status=self._status, open_settings=self.open_settings)
        self.editor.inputsChanged.connect(self.history.clear_selection)
        self.feedback = EditFeedback(
            self.edit_session, self.notices, status_bar=self.statusBar(),
            inflight_label=self.inflight_label, cancel_button=self.cancel_button,
            show_running=lambda t, more: self.compare_view.show_running(t, more=more),
            clear_busy=lambda: self.compare_view.set_busy(None), batch_id=self.deferred.batch_id,
            on_done=self.history.show_done, actions=FailureActions(
                open_settings=self.open_settings, rephrase=self.run_control.rephrase,
                browse=self.inputs_ctl.browse), parent=self)
        # The history list first: a finished edit's row exists when the window selects it.
        sig = self.edit_signals
        sig.progressChanged.connect(self.history_model.apply_progress)
        sig.progressChanged.connect(self.feedback.on_progress)
        self.spend = SpendStatus(self.library, self.config_store, self.pool, self.statusBar(),
                                 self.deferred.batch_id, sig.progressChanged, self)
        self.params.modelChanged.connect(self.spend.set_model)
        self.spend.set_model(self.params.model())
        prices = self.spend.prices  # history rows show spend with the same prices
        prices.changed.connect(lambda: self.history_model.set_prices(prices.price))
        self.dialogs.prices_saved = prices.reload  # Settings ▸ Prices per image
        sig.statsChanged.connect(self.feedback.on_stats)

        hp = self.history_panel
        hp.editActivated.connect(self.results.show_entry)
        hp.editActivated.connect(self.deferred.follow_versions)  # the version graph follows
        hp.batchResultsRequested.connect(self.grid_mode.fill)
        hp.rerunRequested.connect(self.history.rerun)
        hp.retry_download.retryRequested.connect(self.history.retry_download)
        hp.seed_actions.seedReuseRequested.connect(self.params.seed_spin.setValue)
        hp.recallRequested.connect(self.history.recall)
        hp.useAsInputRequested.connect(self.history.use_result)
        hp.statusMessage.connect(self._status)
        hp.noticeRequested.connect(self.notices.show)
        self.drop_zone.filesDropped.connect(hp.offer_recall)

    # =========================================================================================
    # small helpers (and the names other parts and tests drive the window by)
    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any] | None:
        return self.tasks.spawn(coro)

    def _on_task_failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        msg = exc.user_message if isinstance(exc, QwenStudioError) else (
            self.tr("Something went wrong ({name})").format(name=type(exc).__name__))
        self.notices.show(Notice(NoticeKind.TASK_FAILED, NoticeLevel.ERROR, msg,
                                 self.tr("Details are in the log.")))

    def _status(self, text: str, ms: int = 5000) -> None:
        self.statusBar().showMessage(text, ms)

    @property
    def inputs(self) -> list[InputItem]:
        return self.editor.inputs

    @inputs.setter
    def inputs(self, items: list[InputItem]) -> None:
        self.editor.set_inputs(list(items))

    def add_inputs(self, paths: list[Path], parent_edit_id: int | None = None) -> None:
        self.inputs_ctl.add(paths, parent_edit_id)

    def clear_inputs(self) -> None:
        self.editor.clear_inputs()

    def build_request(self) -> tuple[EditRequest | None, list[str]]:
        return self.editor.build_request()

    def current_result(self) -> tuple[Path, QImage] | None:
        return self.results.current_result()

    def after_image(self) -> QImage | None:
        cur = self.results.current_result()
        return cur[1] if cur else None

    def use_result_as_input(self) -> None:
        self.results.use_as_input()

    def _use_as_input(self, path: Path, parent_edit_id: int | None) -> None:
        self.editor.clear_inputs()
        self.add_inputs([path], parent_edit_id=parent_edit_id)
        self.prompt_panel.prompt_edit.setFocus()

    # =========================================================================================
    # running
    def run_edit(self) -> asyncio.Future[int] | None:
        """Validate, then start an edit (a batch of one). Returns the task recording and
        queueing it (its result is the edit id), or None when nothing was sent."""
        return self.run_control.run()

    def cancel_edits(self) -> None:
        """Esc / Cancel: every single edit in flight (the batch has its own Cancel all)."""
        self.run_control.cancel()

    # =========================================================================================
    # dialogs
    def open_settings(self) -> None:
        self.dialogs.open_settings()

    def show_shortcuts(self) -> None:
        self.dialogs.show_shortcuts()

    @property
    def settings_dialog(self) -> SettingsDialog | None:
        return self.dialogs.settings_dialog

    @property
    def shortcuts_dialog(self) -> QDialog | None:
        return self.dialogs.shortcuts_dialog

    # =========================================================================================
    # persistence, the post-paint build and shutdown
    def save_settings(self) -> None:
        self.window_settings.save()

    def save_settings_soon(self) -> None:
        self.window_settings.save_soon()

    @property
    def batch(self) -> BatchUi:
        """The BatchUi, built on first access if the post-paint build has not run yet."""
        return self.deferred.batch()

    @property
    def built_batch(self) -> BatchUi | None:
        """The BatchUi if it was built (without building it)."""
        return self.deferred.built_batch

    def ensure_built(self) -> BatchUi:
        """Build the batch UI now (idempotent): `batch` does on first use."""
        return self.deferred.batch()

    @property
    def results_panel(self) -> ResultsPanel:
        """The results grid (built when first wanted: GridMode.panel)."""
        return self.grid_mode.panel

    @property
    def versions(self) -> VersionsDock:
        """The Versions dock, built on first access if the post-paint build has not run."""
        return self.deferred.versions()

    def build_deferred(self) -> None:
        """What start-up left for after the first paint (app/ calls it once the loop runs)."""
        if not self._closed:
            self.deferred.build()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._default_split:
            # First start: give the canvas everything the side panels do not need.
            self._default_split = False
            self.layout_.apply_default_sizes()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self._closed = self.window_settings.closed = True
        self.cancel_edits()
        self.dialogs.close_all()
        super().closeEvent(event)

    async def shutdown(self) -> None:
        """Cancel edits, then close the services the composition root gave this window
        (demo sandbox, HTTP client, library). Idempotent."""
        self._closed = self.window_settings.closed = True
        self._stop_timers()
        await self.deferred.shutdown()
        # Before the library closes: edits in flight end INTERRUPTED, queued ones stay
        # QUEUED (a batch can be resumed); every library write has landed.
        await self.edit_session.close()
        await self.tasks.close()
        self.history_model.close()  # no more queries or thumbnails from the pool
        self.library_watcher.close()
        if self._close_services is not None:
            await self._close_services()
        self._stop_timers()  # anything a finishing task restarted

    def _stop_timers(self) -> None:
        # A timer left running after shutdown fires into a closed loop or a half-deleted
        # window (a crash in the next test, or at exit): stop every one this window owns.
        for timer in self.findChildren(QTimer):
            timer.stop()

