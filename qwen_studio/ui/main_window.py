"""Qwen Studio's main window: inputs + prompt + parameters | canvas | session history.

Everything slow happens elsewhere: edits in the EditService on the qasync loop, pixels
and files in the shared thread pool (image_loading). This class wires widgets to them.
"""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QByteArray,
    QCoreApplication,
    QMimeData,
    QModelIndex,
    QSettings,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QImage,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core import paths
from qwen_studio.core.config import ConfigStore
from qwen_studio.core.editing.progress import EditProgress, QueueStats, Stage
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.endpoint import ClientSettings, Endpoint
from qwen_studio.core.errors import (
    INPUT_COUNT_PROBLEMS,
    AuthError,
    ConfigError,
    InputImageError,
    ModerationError,
    QwenStudioError,
)
from qwen_studio.core.request import EditRequest, max_inputs
from qwen_studio.qt.edit_signals import EditServiceSignals
from qwen_studio.ui import image_loading as il
from qwen_studio.ui.banner import Banner
from qwen_studio.ui.drop_zone import DropZone
from qwen_studio.ui.error_text import (
    error_message,
    input_problem,
    request_note,
    request_problems,
)
from qwen_studio.ui.history_model import EntryRole, HistoryEntry, HistoryModel
from qwen_studio.ui.history_panel import HistoryPanel
from qwen_studio.ui.parameters_panel import ParametersPanel
from qwen_studio.ui.progress_text import batch_text, busy_text, final_hint, retry_text
from qwen_studio.ui.prompt_panel import PromptPanel
from qwen_studio.ui.welcome_panel import WelcomePanel

if TYPE_CHECKING:
    # asyncio and concurrent.futures load after the first paint (app.main): ~45 ms.
    import asyncio
    from concurrent.futures import Executor

    from qwen_studio.core.client import ImageClient
    from qwen_studio.core.editing.service import EditService
    from qwen_studio.core.model_list import ModelListCache
    from qwen_studio.ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

THUMB_SIDE = 256
DISPLAY_MAX_SIDE = 8192  # decode results at full size (100 % zoom must be real pixels)
_BEFORE_CACHE = 2  # 24 MP is ~100 MB decoded: the shown photo and the one before
_SETTINGS_DEBOUNCE_MS = 1000  # Run remembers the parameters this long after the click
DEMO_PROFILE = "Demo sandbox"
DEFAULT_CONCURRENCY = 4  # edits in flight at once (the batch panel changes it)
WARM_UP_MS = 1000
# Imported by the first edit: the edit service and runner (Pillow), the HTTP client and
# httpx's async backend (anyio, ~50 ms). Loaded in the pool they cost the GUI thread nothing.
WARM_MODULES = ("qwen_studio.core.editing.service", "qwen_studio.core.editing.sinks",
                "qwen_studio.core.client", "anyio._backends._asyncio")


def _warm_imports() -> None:
    import importlib

    for name in WARM_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
# Help ▸ Keyboard shortcuts is generated from the QActions (ui/shortcuts.py).


@dataclass
class InputItem:
    path: Path
    thumbnail: QImage | None = None
    parent_edit_id: int | None = None  # set when the input is a previous result


class _PlaceholderCompare(QWidget):
    """Stand-in with CompareView's API, used only if compare_view.py cannot be imported."""

    saveRequested = Signal()
    copyRequested = Signal()
    useAsInputRequested = Signal()
    revealRequested = Signal()
    resultSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.before: QImage | None = None
        self.after: QImage | None = None
        self.results: list[QImage] = []
        self.busy: str | None = None
        self._label = QLabel(self)
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        QVBoxLayout(self).addWidget(self._label)

    def set_before(self, image: QImage | None) -> None:
        self.before = image

    def set_after(self, image: QImage | None) -> None:
        self.after = image

    def set_results(self, images: list[QImage], paths: list[Path] | None = None) -> None:
        self.results = list(images)
        self.after = images[0] if images else None

    def set_busy(self, text: str | None) -> None:
        self.busy = text
        self._label.setText(text or "")

    def set_result_path(self, path: Path | None) -> None:
        pass

    def set_mode(self, mode: str) -> None:
        pass

    def fit(self) -> None:
        pass


def start_demo_sandbox(latency: float) -> Any:
    """A running SandboxServer with a fresh key (imports Pillow and http.server: ~100 ms)."""
    import secrets

    from qwen_studio.sandbox import SandboxServer

    return SandboxServer(latency=latency, api_key="demo-" + secrets.token_urlsafe(12)).start()


def make_compare_view() -> QWidget:
    try:
        from qwen_studio.ui.compare_view import CompareView

        view: QWidget = CompareView()
    except ImportError:
        view = _PlaceholderCompare()
    view.setObjectName("compareView")
    if not view.accessibleName():
        view.setAccessibleName(QCoreApplication.translate("MainWindow", "Before and after"))
        view.setAccessibleDescription(QCoreApplication.translate(
            "MainWindow", "The input and the result of the selected edit"))
    return view


class MainWindow(QMainWindow):
    def __init__(
        self,
        *,
        config_store: ConfigStore,
        library: Any,
        http: Any,
        pool: Executor,
        settings: QSettings,
        owns_http: bool = False,
        owns_library: bool = False,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Qwen Studio"))
        self.setAccessibleName(self.tr("Qwen Studio"))
        self.setAccessibleDescription(self.tr("Edit photos by describing the change"))
        self.config_store = config_store
        self.library = library
        self.http = http
        self.model_lists: ModelListCache | None = None  # per-profile GET /v1/models
        self.pool = pool
        self.qsettings = settings
        self._owns_http = owns_http
        self._settings_timer: QTimer | None = None
        # Decoded "before" images by source path, most recent last.
        self._before_cache: OrderedDict[str, QImage] = OrderedDict()
        self._owns_library = owns_library
        self._sandbox: Any = None
        self._demo_starting = False
        self._demo_start: asyncio.Future[Any] | None = None  # the pool job starting it
        self._endpoint: Endpoint | None = None
        # Timeouts, retries and the result cap; tests and tuning use set_client_settings.
        self.client_settings = ClientSettings()
        self._tasks: set[asyncio.Future[Any]] = set()
        self.inputs: list[InputItem] = []
        self._inputs_generation = 0  # drops stale "before" decodes
        self._shown_job: int | None = None
        self._after_job: int | None = None  # the entry whose results are on screen
        self._shown_images: list[QImage] = []
        self._shown_paths: list[Path] = []
        self._shown_index = 0
        self._retry_banner_edit: int | None = None  # the edit whose retry note is shown
        self._busy_line = ""  # the progress line the status bar shows ("" if none)
        self.settings_dialog: SettingsDialog | None = None
        self.shortcuts_dialog: QDialog | None = None
        self._closed = False

        # Every edit runs in one EditService, built at the first edit (it loads asyncio);
        # its events reach the window through these signals.
        self._edits: EditService | None = None
        self._client: ImageClient | None = None
        self.edit_signals = EditServiceSignals(self)
        self.history_model = HistoryModel(library, pool, self)
        self._build_ui()
        self._build_actions()
        self._wire()
        # Bottom queue panel, File ▸ Batch…, resume offer: built right after the first paint
        # (or on first use of `batch`), ~15-20 ms the window need not wait for.
        self._batch: Any = None
        self._deferred_timer: QTimer | None = None
        # Coroutines spawned before the asyncio loop runs (see hold_background_work).
        self._held: list[Coroutine[Any, Any, Any]] | None = None
        self._restore_settings()
        self._update_connection_ui()

        self._status_timer = QTimer(self)
        self._status_timer.setInterval(1000)
        self._status_timer.timeout.connect(self._refresh_progress)
        # Load what the first edit imports in the pool once the window is up.
        QTimer.singleShot(WARM_UP_MS, self, self._warm_up)

    # =========================================================================================
    # construction
    def _build_ui(self) -> None:
        # -- left: inputs, prompt, parameters, run ------------------------------------------
        self.drop_zone = DropZone()
        self.prompt_panel = PromptPanel()
        self.params = ParametersPanel()
        self.run_button = QPushButton(self.tr("Run   Ctrl+↵"))
        self.run_button.setObjectName("runButton")
        self.run_button.setAccessibleName(self.tr("Run"))
        self.run_button.setAccessibleDescription(self.tr("Start the edit (Ctrl+Enter)"))
        self.run_button.setDefault(True)
        self.run_button.setMinimumHeight(36)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.cancel_button.setAccessibleDescription(self.tr("Stop the edits in flight (Esc)"))
        self.cancel_button.setMinimumHeight(36)
        self.cancel_button.setEnabled(False)

        inputs_title = QLabel(self.tr("Inputs"))
        inputs_title.setObjectName("sectionTitle")
        left = QWidget()
        left.setObjectName("leftPanel")
        lv = QVBoxLayout(left)
        lv.setContentsMargins(12, 12, 12, 12)
        lv.setSpacing(8)
        lv.addWidget(inputs_title)
        lv.addWidget(self.drop_zone)
        lv.addSpacing(4)
        lv.addWidget(self.prompt_panel)
        lv.addWidget(self.params)
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button, 1)
        run_row.addWidget(self.cancel_button)
        lv.addLayout(run_row)
        lv.addStretch(1)
        left_scroll = QScrollArea()
        left_scroll.setObjectName("leftScroll")
        left_scroll.setAccessibleName(self.tr("Inputs and prompt"))
        left_scroll.setAccessibleDescription(
            self.tr("Input photos, prompt, parameters and the Run button"))
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        left_scroll.setWidget(left)
        left_scroll.setMinimumWidth(260)
        # The panel reflows to its width; a sideways scroll bar would hide the counts.
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        # -- centre: banner over the canvas -------------------------------------------------
        self.banner = Banner()
        self.compare_view = make_compare_view()
        self.compare_view.setSizePolicy(QSizePolicy.Policy.Expanding,
                                        QSizePolicy.Policy.Expanding)
        self.welcome = WelcomePanel()
        self.canvas_stack = QStackedWidget()
        self.canvas_stack.setObjectName("canvasStack")
        self.canvas_stack.addWidget(self.compare_view)
        self.canvas_stack.addWidget(self.welcome)
        centre = QWidget()
        centre.setObjectName("canvasArea")
        cv = QVBoxLayout(centre)
        cv.setContentsMargins(8, 8, 8, 8)
        cv.setSpacing(8)
        cv.addWidget(self.banner)
        cv.addWidget(self.canvas_stack, 1)

        # -- right: the library's history (search, filters, versions, actions) ------------
        self.history_panel = HistoryPanel(self.history_model)
        self.history_list = self.history_panel.list_view
        self.history_empty = self.history_panel.empty_label
        right = self.history_panel

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setAccessibleName(self.tr("Panels"))
        self.splitter.setAccessibleDescription(self.tr("Drag the handles to resize the panels"))
        self.splitter.addWidget(left_scroll)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setChildrenCollapsible(True)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([330, 850, 260])
        self.setCentralWidget(self.splitter)

        # -- status bar ---------------------------------------------------------------------
        self.profile_label = QLabel()
        self.profile_label.setObjectName("profileStatus")
        self.profile_label.setAccessibleName(self.tr("Connection"))
        self.inflight_label = QLabel()
        self.inflight_label.setObjectName("inFlightStatus")
        self.inflight_label.setAccessibleName(self.tr("Edits in flight"))
        self.statusBar().addPermanentWidget(self.inflight_label)
        self.statusBar().addPermanentWidget(self.profile_label)
        self._set_inflight_text(0)

        # Tab order follows reading order: inputs → prompt → parameters → run → history.
        QWidget.setTabOrder(self.drop_zone, self.prompt_panel.prompt_edit)
        QWidget.setTabOrder(self.prompt_panel.prompt_edit, self.prompt_panel.negative_edit)
        QWidget.setTabOrder(self.prompt_panel.negative_edit, self.params.toggle)
        QWidget.setTabOrder(self.params.toggle, self.params.model_combo)
        QWidget.setTabOrder(self.params.model_combo, self.params.size_combo)
        QWidget.setTabOrder(self.params.size_combo, self.params.count_spin)
        QWidget.setTabOrder(self.params.count_spin, self.params.seed_spin)
        QWidget.setTabOrder(self.params.seed_spin, self.params.watermark_check)
        QWidget.setTabOrder(self.params.watermark_check, self.params.prompt_extend_check)
        QWidget.setTabOrder(self.params.prompt_extend_check, self.run_button)
        QWidget.setTabOrder(self.run_button, self.cancel_button)
        # … then the canvas and its toolbar, then the history (search, filters, list).
        canvas = getattr(self.compare_view, "canvas", self.compare_view)
        QWidget.setTabOrder(self.cancel_button, canvas)
        QWidget.setTabOrder(self.history_panel.search, self.history_list)

    def _action(self, text: str, shortcuts: list[QKeySequence | str], slot: Callable[[], Any],
                name: str) -> QAction:
        act = QAction(text, self)
        act.setObjectName(name)
        if shortcuts:
            act.setShortcuts([QKeySequence(s) if isinstance(s, str) else s for s in shortcuts])
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(lambda _checked=False: slot())
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        self.open_action = self._action(self.tr("&Open images…"), [QKeySequence.StandardKey.Open],
                                        self.browse_inputs, "openAction")
        self.paste_action = self._action(self.tr("&Paste image"), [QKeySequence.StandardKey.Paste],
                                         self.paste_from_clipboard, "pasteAction")
        cv: Any = self.compare_view
        if all(hasattr(cv, a) for a in ("save_action", "copy_action", "use_action",
                                        "reveal_action")):
            # The compare view owns Ctrl+S / Ctrl+Shift+C; defining the keys again here would
            # make them ambiguous and neither would fire. Its actions emit the *Requested
            # signals wired in _wire().
            self.save_action, self.copy_action = cv.save_action, cv.copy_action
            self.use_action, self.reveal_action = cv.use_action, cv.reveal_action
            self._own_result_actions = False
        else:
            self.save_action = self._action(self.tr("&Save result "
                                                    "as…"), [QKeySequence.StandardKey.Save],
                                            self.save_result, "saveAction")
            self.copy_action = self._action(self.tr("&Copy "
                                                    "result"), ["Ctrl+Shift+C"], self.copy_result,
                                            "copyAction")
            self.reveal_action = self._action(self.tr("Show result in &folder"), [],
                                              self.reveal_result, "revealAction")
            self.use_action = self._action(self.tr("&Use result as input"), [],
                                           self.use_result_as_input, "useAsInputAction")
            self._own_result_actions = True
        self.settings_action = self._action(self.tr("Se&ttings…"), ["Ctrl+,"], self.open_settings,
                                            "settingsAction")
        self.quit_action = self._action(self.tr("&Quit"), [QKeySequence.StandardKey.Quit],
                                        self.close, "quitAction")
        self.run_action = self._action(self.tr("&Run edit"), ["Ctrl+Return", "Ctrl+Enter"],
                                       self.run_edit, "runAction")
        self.cancel_action = self._action(self.tr("&Cancel edits"), ["Esc"], self.cancel_edits,
                                          "cancelAction")
        self.prev_action = self._action(self.tr("&Previous entry"), ["Alt+Up"],
                                        lambda: self.step_history(-1), "previousEntryAction")
        self.next_action = self._action(self.tr("&Next entry"), ["Alt+Down"],
                                        lambda: self.step_history(1), "nextEntryAction")
        self.shortcuts_action = self._action(self.tr("&Keyboard shortcuts"), ["F1"],
                                             self.show_shortcuts, "shortcutsAction")
        self.about_action = self._action(self.tr("&About Qwen Studio"), [], self.show_about,
                                         "aboutAction")
        self.log_folder_action = self._action(self.tr("Open &log folder"), [],
                                              self.open_log_folder, "openLogFolderAction")
        self.demo_action = self._action(self.tr("Try the &demo sandbox"), [], self.start_demo,
                                        "demoAction")

        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        for a in (self.open_action, self.paste_action, None, self.save_action, self.copy_action,
                  self.reveal_action, self.use_action, None, self.settings_action,
                  self.demo_action, None, self.quit_action):
            file_menu.addSeparator() if a is None else file_menu.addAction(a)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        for a in (self.run_action, self.cancel_action, None, self.prev_action,
                  self.next_action):
            edit_menu.addSeparator() if a is None else edit_menu.addAction(a)
        file_menu.insertAction(self.settings_action, self.history_panel.export_action)
        file_menu.insertSeparator(self.settings_action)
        edit_menu.addSeparator()
        for a in (self.history_panel.find_action, self.history_panel.undo_action):
            edit_menu.addAction(a)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.log_folder_action)
        help_menu.addAction(self.about_action)
        self._update_result_actions()

    def _wire(self) -> None:
        dz = self.drop_zone
        dz.filesDropped.connect(lambda paths: self.add_inputs([Path(p) for p in paths]))
        dz.imageDropped.connect(self._add_bitmap)
        dz.browseRequested.connect(self.browse_inputs)
        dz.removeRequested.connect(self.remove_input)
        self.prompt_panel.runRequested.connect(self.run_edit)
        self.prompt_panel.mediaPasted.connect(self._paste_mime)
        self.params.modelChanged.connect(self._on_model_changed)
        self.params.modelListWanted.connect(lambda: self.load_model_list())
        self.run_button.clicked.connect(self.run_edit)
        self.cancel_button.clicked.connect(self.cancel_edits)
        self.banner.actionTriggered.connect(self._on_banner_action)
        self.welcome.setupRequested.connect(self.open_settings)
        self.welcome.demoRequested.connect(self.start_demo)

        # The history list first: a finished edit's row exists when the window selects it.
        sig = self.edit_signals
        sig.progressChanged.connect(self.history_model.apply_progress)
        sig.progressChanged.connect(self._on_edit_progress)
        sig.statsChanged.connect(self._on_edit_stats)

        sel = self.history_list.selectionModel()
        sel.currentChanged.connect(self._on_history_current)
        self.history_panel.attach(self)

        cv: Any = self.compare_view
        for sig, slot in (("saveRequested", self.save_result), ("copyRequested", self.copy_result),
                          ("useAsInputRequested", self.use_result_as_input),
                          ("revealRequested", self.reveal_result)):
            if hasattr(cv, sig):
                getattr(cv, sig).connect(slot)
        if hasattr(cv, "resultSelected"):
            cv.resultSelected.connect(self._on_result_selected)

    # =========================================================================================
    # small helpers
    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any] | None:
        """Run a coroutine on the loop, keeping a reference so it is not collected.
        Before the loop runs (hold_background_work), it waits for the loop instead."""
        if self._held is not None:
            self._held.append(coro)
            return None
        import asyncio

        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("background task failed: %r", exc)
            if not self._closed:
                msg = exc.user_message if isinstance(exc, QwenStudioError) else (
                    self.tr("Something went wrong ({name})").format(name=type(exc).__name__))
                self.banner.show_message("error", msg, self.tr("Details are in the log."))

    async def _pool(self, fn: Callable[..., Any], *args: Any) -> Any:
        import asyncio

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, lambda: fn(*args))

    def _status(self, text: str, ms: int = 5000) -> None:
        self.statusBar().showMessage(text, ms)

    # =========================================================================================
    # connection
    def set_endpoint(self, endpoint: Endpoint | None, default_model: str = "") -> None:
        self._endpoint = endpoint
        listing = self.model_lists.cached(endpoint) if self.model_lists and endpoint else None
        self.params.set_listed_models(listing.ids if listing else None)  # this profile's list
        # New edits get a client for this endpoint; edits in flight keep theirs. The HTTP
        # client module (httpx, asyncio behind it) loads at the first edit (or in the pool a
        # moment after start-up, WARM_MODULES), not with the window.
        self._client = None
        if self._edits is not None:
            self._edits.recorder.profile_name = endpoint.profile_name if endpoint else ""
        if endpoint is not None:
            with contextlib.suppress(ImportError):
                from qwen_studio.core.logs import register_secret

                register_secret(endpoint.api_key)  # redacted from every log line
            if default_model and not self.qsettings.value("params/model"):
                self.params.set_model(default_model)
        self._update_connection_ui()

    def set_client_settings(self, settings: ClientSettings) -> None:
        """Client settings for new edits and batches (edits in flight keep theirs)."""
        self.client_settings = settings
        self._client = None

    def _current_client(self) -> ImageClient | None:
        """The client a new edit uses (EditService's ClientProvider)."""
        if self._client is None and self._endpoint is not None and self.http is not None:
            from qwen_studio.core.client import ImageClient

            self._client = ImageClient(self.http, self._endpoint, self.client_settings)
        return self._client

    @property
    def has_client(self) -> bool:
        return self._endpoint is not None

    @property
    def edits(self) -> EditService:
        """The window's EditService (single edits and the batch queue), built on first use."""
        if self._edits is None:
            from qwen_studio.core.editing.recorder import EditRecorder, NullRecorder
            from qwen_studio.core.editing.service import EditService
            from qwen_studio.core.editing.sinks import LibrarySink

            ep = self._endpoint
            recorder = (EditRecorder(self.library, profile_name=ep.profile_name if ep else "")
                        if self.library is not None else NullRecorder())
            self._edits = EditService(self._current_client, recorder,
                                      LibrarySink(recorder, self.pool), self.pool,
                                      DEFAULT_CONCURRENCY)
            self.edit_signals.attach(self._edits)
        return self._edits

    def _warm_up(self) -> None:
        if not self._closed:
            with contextlib.suppress(RuntimeError):  # pool already shut down
                self.pool.submit(_warm_imports)

    @property
    def endpoint(self) -> Endpoint | None:
        return self._endpoint

    def load_config(self) -> None:
        """Resolve the configured endpoint now (start-up; keyring lookups are quick there)."""
        try:
            resolved = self.config_store.resolve()
        except ConfigError:
            self.set_endpoint(None)
            return
        self.set_endpoint(resolved.endpoint, resolved.model)

    async def reload_config(self) -> None:
        try:
            resolved = await self._pool(self.config_store.resolve)
        except ConfigError as exc:
            if self._sandbox is None:
                self.set_endpoint(None)
                self.banner.show_message("warning", exc.user_message, exc.hint,
                                         self.tr("Open settings"), "settings")
            return
        self.set_endpoint(resolved.endpoint, resolved.model)
        self.banner.dismiss()
        self._status(self.tr("Connected to {name}").format(
            name=self._profile_display(resolved.endpoint)))

    def _profile_display(self, ep: Endpoint) -> str:
        # The demo's profile name is an identifier (history stores it); show it translated.
        if ep.profile_name == DEMO_PROFILE:
            return self.tr("Demo sandbox")
        return ep.profile_name or ep.base_url

    def _update_connection_ui(self) -> None:
        ep = self._endpoint
        if ep is None and self._demo_starting:
            # The editor, not the welcome panel: the demo is a moment from ready.
            self.profile_label.setText(self.tr("◌ Starting the demo sandbox…"))
            self.profile_label.setToolTip("")
            self.canvas_stack.setCurrentWidget(self.compare_view)
        elif ep is None:
            self.profile_label.setText(self.tr("○ Not connected"))
            self.profile_label.setToolTip(self.tr("Set up your API in Settings (Ctrl+,)"))
            self.canvas_stack.setCurrentWidget(self.welcome)
        else:
            name = self._profile_display(ep)
            self.profile_label.setText(f"● {name}")
            self.profile_label.setToolTip(f"{ep.base_url} ({ep.style})")
            self.canvas_stack.setCurrentWidget(self.compare_view)
        self.profile_label.setAccessibleDescription(self.profile_label.text())

    def use_sandbox(self, sandbox: Any) -> None:
        """Point the window at a running SandboxServer (with its own key); the window stops
        it at shutdown."""
        self._sandbox = sandbox
        self.set_endpoint(Endpoint(sandbox.base_url, "bailian", sandbox.api_key, DEMO_PROFILE))
        self._status(self.tr("Demo sandbox running on this computer: results are generated "
                             "locally."))

    def start_demo(self, latency: float = 1.5) -> None:
        """Switch to the built-in sandbox, started in the pool (its import and start take
        ~100 ms): the editor shows at once, connected when the sandbox is up."""
        if self._sandbox is not None:
            self.use_sandbox(self._sandbox)
            return
        if self._demo_starting:
            return
        self._demo_starting = True
        self.welcome.demo_button.setEnabled(False)
        if self._endpoint is None:
            self._update_connection_ui()
        self.spawn(self._start_demo(latency))

    async def _start_demo(self, latency: float) -> None:
        import asyncio

        self._demo_start = asyncio.get_running_loop().run_in_executor(
            self.pool, start_demo_sandbox, latency)
        try:
            server = await asyncio.shield(self._demo_start)
        except asyncio.CancelledError:
            raise  # window closing: shutdown() waits for the pool job and stops the sandbox
        except BaseException:
            self._demo_start_ended()
            self._update_connection_ui()  # back to the welcome panel
            raise
        self._demo_start_ended()
        if self._closed:
            self._sandbox = server  # shutdown() stops it (it may be running already)
            return
        self.use_sandbox(server)

    def _demo_start_ended(self) -> None:
        self._demo_start = None
        self._demo_starting = False
        self.welcome.demo_button.setEnabled(True)

    async def test_connection(self, endpoint: Endpoint) -> str:
        from qwen_studio.core.client import ImageClient

        text = await ImageClient(self.http, endpoint).check_connection()
        self.load_model_list(endpoint, refresh=True)  # Test connection refreshes the list
        return text

    def load_model_list(self, endpoint: Endpoint | None = None, *, refresh: bool = False) -> None:
        """Fetch a profile's GET /v1/models in the pool (once per profile, again on refresh)
        and offer it in the model list when that profile is the active one."""
        endpoint = endpoint or self._endpoint
        if endpoint is None or self._closed:
            return
        if self.model_lists is None:
            from qwen_studio.core.model_list import ModelListCache, fetch_listing_blocking

            self.model_lists = ModelListCache(
                lambda ep: self._pool(fetch_listing_blocking, ep))
        cache = self.model_lists

        async def load() -> None:
            listing = await cache.get(endpoint, refresh=refresh)
            active = self._endpoint
            if not self._closed and active is not None and cache.key(active) == cache.key(
                    endpoint):
                self.params.set_listed_models(listing.ids)

        self.spawn(load())

    # =========================================================================================
    # inputs
    def _limit(self) -> int:
        return max_inputs(self.params.model())

    def add_inputs(self, paths: list[Path], parent_edit_id: int | None = None) -> None:
        self.spawn(self._add_inputs(paths, parent_edit_id))

    async def _add_inputs(self, paths: list[Path], parent_edit_id: int | None = None) -> None:
        import asyncio

        from qwen_studio.core.pipeline import find_images

        model = self.params.model()
        limit = self._limit()
        if limit == 0:
            self.drop_zone.set_message(
                self.tr("{model} makes images from text and takes no input image; "
                        "choose an edit model (e.g. qwen-image-edit-plus) to edit photos."
                        ).format(model=model), "warning")
            return
        images, skipped = await self._pool(find_images, paths)
        if await self.batch.offer(paths, images, skipped, limit):
            return  # a folder or more photos than the model takes: the batch queue
        problems = [input_problem(p.name, reason) for p, reason in skipped]
        # Decode thumbnails in the pool; a file that fails is named with its reason.
        results = await asyncio.gather(
            *(self._pool(il.decode_input, p, THUMB_SIDE) for p in images),
            return_exceptions=True,
        )
        good: list[InputItem] = []
        for p, res in zip(images, results, strict=True):
            if isinstance(res, InputImageError):
                problems.append(input_problem(p.name, res.reason))
            elif isinstance(res, BaseException):
                problems.append(self.tr("{file}: could not be read ({error})").format(
                    file=p.name, error=type(res).__name__))
            else:
                good.append(InputItem(p, res, parent_edit_id))
        notes: list[str] = []
        if good:
            if limit == 1:
                combined = good[:1]  # single-input models: the newest drop replaces
            elif len(good) >= limit:
                combined = good
            else:
                combined = self.inputs + good
            if len(combined) > limit:
                notes.append(self.tr("{model} takes at most {n} images; kept the first {n}")
                             .format(model=model, n=limit))
                combined = combined[:limit]
            self.inputs = combined
            self._inputs_changed()
        text = "; ".join(problems + notes)
        self.drop_zone.set_message(text, "error" if problems else "warning")

    def _add_bitmap(self, image: QImage) -> None:
        self.spawn(self._add_bitmap_async(image))

    async def _add_bitmap_async(self, image: QImage) -> None:
        if image.isNull():
            self.drop_zone.set_message(self.tr("the pasted image is empty"), "error")
            return
        path = await self._pool(il.save_clipboard_image, image, paths.cache_dir() / "pasted")
        await self._add_inputs([path])

    def remove_input(self, index: int) -> None:
        if 0 <= index < len(self.inputs):
            del self.inputs[index]
            self.drop_zone.set_message("")
            self._inputs_changed()

    def clear_inputs(self) -> None:
        self.inputs = []
        self._inputs_changed()

    def _inputs_changed(self) -> None:
        self.drop_zone.set_inputs([(i.path.name, i.thumbnail) for i in self.inputs])
        self._inputs_generation += 1
        gen = self._inputs_generation
        self._shown_job = None
        self.history_list.selectionModel().clearSelection()
        self.history_list.setCurrentIndex(QModelIndex())
        self._set_after([], [])
        if self.inputs:
            self.spawn(self._show_before(self.inputs[0].path, gen))
        else:
            self._cv("set_before", None)

    async def _show_before(self, path: Path, gen: int) -> None:
        try:
            image = await self._pool(il.decode_image, path, DISPLAY_MAX_SIDE)
        except QwenStudioError:
            image = None
        if image is not None:
            self._remember_before(str(path), image)
        if gen == self._inputs_generation:
            self._cv("set_before", image)

    def _remember_before(self, key: str, image: QImage) -> None:
        self._before_cache[key] = image
        self._before_cache.move_to_end(key)
        # An evicted 24 MP photo takes 8-18 ms to free: let the pool do it.
        dead: list[object] = []
        while len(self._before_cache) > _BEFORE_CACHE:
            dead.append(self._before_cache.popitem(last=False)[1])
        il.release_later(dead)

    def browse_inputs(self) -> None:
        from qwen_studio.core.pipeline import IMAGE_EXTENSIONS

        exts = " ".join(f"*{e}" for e in sorted(IMAGE_EXTENSIONS))
        start = self.qsettings.value("paths/lastOpenDir", "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation)
        files, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Open input images"), str(start), f"Images ({exts});;All files (*)")
        if files:
            self.qsettings.setValue("paths/lastOpenDir", str(Path(files[0]).parent))
            self.add_inputs([Path(f) for f in files])

    def paste_from_clipboard(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            self.drop_zone.set_message(self.tr("the clipboard is empty"), "warning")
            return
        self._paste_mime(mime)

    def _paste_mime(self, mime: QMimeData) -> None:
        local = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
        if local:
            self.add_inputs(local)
        elif mime.hasImage():
            self._add_bitmap(QImage(mime.imageData()))
        elif mime.hasText() and mime.text().strip().startswith(("/", "file:")):
            text = mime.text().strip()
            self.add_inputs([Path(QUrl(text).toLocalFile() if text.startswith("file:") else text)])
        else:
            self.drop_zone.set_message(
                self.tr("the clipboard has no image or image file to paste"), "warning")

    def _on_model_changed(self, model: str) -> None:
        limit = max_inputs(model)
        if len(self.inputs) > limit > 0:
            self.inputs = self.inputs[:limit]
            self._inputs_changed()
            self.drop_zone.set_message(
                (self.tr("{model} takes at most {n} images; kept the first {n}") if limit > 1
                 else self.tr("{model} takes one image; kept the first")).format(
                    model=model, n=limit), "warning")

    # =========================================================================================
    # running
    def build_request(self) -> tuple[EditRequest | None, list[str]]:
        try:
            size = self.params.size()
        except ValueError as exc:
            return None, [exc.args[0] if exc.args else str(exc)]  # a Reason, when core's
        style = self._endpoint.style if self._endpoint else "bailian"
        request = EditRequest(
            inputs=tuple(str(i.path) for i in self.inputs),
            prompt=self.prompt_panel.prompt().strip(),
            model=self.params.model(),
            style=style,
            negative_prompt=self.prompt_panel.negative_prompt().strip(),
            size=size,
            n=self.params.count_spin.value(),
            seed=self.params.seed(),
            watermark=self.params.watermark(),
            prompt_extend=self.params.prompt_extend(),
        )
        return request, request.problems()

    def run_edit(self) -> asyncio.Future[Any] | None:
        """Validate, then start an edit (a batch of one). Returns the task recording and
        queueing it (its result is the edit id), or None when nothing was sent."""
        if not self.has_client:
            self.banner.show_message(
                "warning", self.tr("Qwen Studio is not connected to a service yet."),
                self.tr("Set up your API key in Settings, or try the "
                        "demo."), self.tr("Open settings"), "settings")
            return None
        if self.batch.wants_run():
            self.batch.run()  # Run starts the waiting batch
            return None
        request, problems = self.build_request()
        if request is None or problems:
            self.banner.show_message("warning", self.tr("Can't run yet: {problems}.").format(
                                         problems=request_problems(problems)),
                                     _problem_hint(problems))
            codes = _codes(problems)  # by code: the texts may be in any language
            if codes & _PROMPT_PROBLEMS:
                self.prompt_panel.prompt_edit.setFocus()
            elif codes & _NEGATIVE_PROBLEMS:
                self.prompt_panel.negative_edit.setFocus()
            elif codes & _INPUT_PROBLEMS:
                self.drop_zone.setFocus()
            return None
        if self.banner.kind == "warning":
            self.banner.dismiss()
        notes = request.notes()  # sent all the same; said before it goes
        if notes:
            self.banner.show_message("info", "; ".join(request_note(n) for n in notes))
        parent = next((i.parent_edit_id for i in self.inputs if i.parent_edit_id), None)
        self.save_settings_soon()
        return self.spawn(self._submit_edit(request, parent))

    async def _submit_edit(self, request: EditRequest, parent: int | None) -> int:
        [edit_id] = await self.edits.submit([request], parent_id=parent)
        return edit_id

    def cancel_edits(self) -> None:
        """Esc / Cancel: every single edit in flight (the batch has its own Cancel all)."""
        if self._edits is None:
            return
        live = [p for p in self._edits.edits() if p.batch_id is None and not p.finished]
        for p in live:
            self._edits.cancel(p.edit_id)
        if live:
            self._status(self.tr("Cancelling {n} edits…").format(n=len(live)) if len(live) > 1
                         else self.tr("Cancelling the edit…"))

    def _single_edits_in_flight(self) -> list[EditProgress]:
        if self._edits is None:
            return []
        return [p for p in self._edits.edits() if p.batch_id is None and not p.finished]

    def _on_edit_progress(self, p: EditProgress) -> None:
        """One edit changed (coalesced by EditServiceSignals). The banner and the status bar
        are derived from this data; a finished edit leaves nothing that says it runs."""
        if p.batch_id is None:
            if p.stage is Stage.RETRYING and p.retry is not None:
                self._retry_banner_edit = p.edit_id
                self.banner.show_message(
                    "info", retry_text(p),
                    self.tr("Retrying automatically — nothing to do. Esc cancels."))
            elif self._retry_banner_edit == p.edit_id and p.stage is not Stage.RETRYING:
                self._retry_banner_edit = None
                if self.banner.kind == "info":
                    self.banner.dismiss()
            if p.status is EditStatus.DONE:
                self._on_edit_done(p)
            elif p.status is EditStatus.FAILED:
                self._on_edit_failed(p)
            elif p.status is EditStatus.CANCELLED:
                self._status(self.tr("Edit cancelled"))
        self._refresh_progress()

    def _on_edit_done(self, p: EditProgress) -> None:
        row = self.history_model.row_of_edit(p.edit_id)
        # Show the newest finished edit: that is what the designer is waiting for.
        if row >= 0:
            self.history_list.setCurrentIndex(self.history_model.index(row))
            entry = self.history_model.entry_at(row)
            if entry is not None and self._shown_job == entry.job_id:
                self._show_entry(entry.job_id)
        result = p.result
        usage = _usage_text(result.usage if result else {})
        self._status(self.tr("Edit done in {s} s").format(
                         s=f"{(result.timings.get('total_s', 0) if result else 0):.0f}")
                     + (f" · {usage}" if usage else ""), 8000)

    def _on_edit_failed(self, p: EditProgress) -> None:
        error = p.error or QwenStudioError(self.tr("The edit failed."))
        if isinstance(error, AuthError | ConfigError):
            action, key = self.tr("Open settings"), "settings"
        elif isinstance(error, ModerationError):
            action, key = self.tr("Rephrase"), "rephrase"
        elif isinstance(error, InputImageError):
            action, key = self.tr("Choose another image"), "browse"
        else:
            action, key = self.tr("Retry"), f"retry:{p.edit_id}"
        # The last attempt failed: the hint never says it is still retrying.
        hint = final_hint(error, p.attempt)
        rid = getattr(error, "request_id", "")
        if rid:
            hint = self.tr("{hint} (request id {rid})").format(hint=hint, rid=rid).strip()
        self.banner.show_message("error", error_message(error), hint, action, key)

    def _on_edit_stats(self, _stats: QueueStats) -> None:
        self._refresh_progress()

    def _set_inflight_text(self, n: int) -> None:
        self.inflight_label.setText(self.tr("⟳ {n} running").format(n=n) if n
                                    else self.tr("Idle"))
        self.inflight_label.setAccessibleDescription(
            (self.tr("{n} edits in flight").format(n=n) if n != 1
             else self.tr("1 edit in flight")) if n else self.tr("No edits in flight"))

    def _refresh_progress(self) -> None:
        """The status bar, the in-flight count and the canvas's busy line, from the
        service's own figures: one source of truth."""
        singles = self._single_edits_in_flight()
        stats = self._edits.stats() if self._edits is not None else QueueStats()
        self._set_inflight_text(stats.running)
        self.cancel_button.setEnabled(bool(singles))
        batch_id = self._batch.controller.batch_id if self._batch is not None else None
        batch = self._edits.stats(batch_id) if self._edits is not None and batch_id else None
        busy = busy_text(singles)
        self._cv("set_busy", busy or None)
        lines = [t for t in (busy, batch_text(batch) if batch and batch.active else "") if t]
        line = "  ·  ".join(lines)
        bar = self.statusBar()
        if line:
            if line != bar.currentMessage():
                bar.showMessage(line)
        elif self._busy_line and bar.currentMessage() == self._busy_line:
            bar.clearMessage()  # nothing runs any more; a newer message (done, …) stays
        self._busy_line = line
        if stats.active and not self._status_timer.isActive():
            self._status_timer.start()
        elif not stats.active:
            self._status_timer.stop()

    def _on_banner_action(self, key: str) -> None:
        if key == "settings":
            self.open_settings()
        elif key == "rephrase":
            self.prompt_panel.prompt_edit.setFocus()
            self.prompt_panel.prompt_edit.selectAll()
        elif key == "browse":
            self.browse_inputs()
        elif key.startswith("retry:") and self._edits is not None:
            self._edits.retry(int(key.split(":", 1)[1]))  # the same edit, sent again

    # =========================================================================================
    # history and the compare view
    def _update_history_empty(self, *_: Any) -> None:
        self.history_panel.update_empty()

    def step_history(self, delta: int) -> None:
        n = self.history_model.rowCount()
        if not n:
            return
        cur = self.history_list.currentIndex()
        row = 0 if not cur.isValid() else min(max(cur.row() + delta, 0), n - 1)
        self.history_list.setCurrentIndex(self.history_model.index(row))

    def _on_history_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry: HistoryEntry | None = current.data(EntryRole) if current.isValid() else None
        if entry is None:
            return
        self._show_entry(entry.job_id)

    def _show_entry(self, job: int) -> None:
        entry = self.history_model.entry(job)
        if entry is None:
            return
        self._shown_job = job
        self.spawn(self._load_entry(entry))

    async def _load_entry(self, entry: HistoryEntry) -> None:
        job = entry.job_id
        before: QImage | None = None
        before_path = entry.before_path()  # the library's copy survives the user's file
        # An edit just run from this window shows the input already decoded when it was
        # added: decoding a 24 MP photo again for every finished edit is pool time and GIL.
        if entry.request.inputs:
            before = self._before_cache.get(entry.request.inputs[0])
        if before is None and before_path is not None:
            before = self._before_cache.get(str(before_path))
        if before is None and before_path is not None:
            with contextlib.suppress(QwenStudioError):
                before = await self._pool(il.decode_image, before_path, DISPLAY_MAX_SIDE)
        images: list[QImage] = []
        paths_ok: list[Path] = []
        for p in entry.result_paths:
            try:
                images.append(await self._pool(il.decode_image, p, DISPLAY_MAX_SIDE))
                paths_ok.append(p)
            except QwenStudioError as exc:
                log.warning("could not show result %s: %s", p, exc)
        if self._shown_job != job:
            # The user moved on meanwhile; free the decoded photos in the pool, not here.
            dead: list[object] = [before, images]
            del before, images
            il.release_later(dead)
            return
        self._cv("set_before", before)
        self._set_after(images, paths_ok, job)

    def _set_after(
        self, images: list[QImage], result_paths: list[Path], job: int | None = None
    ) -> None:
        # The job these results belong to: _shown_job moves on as soon as the user selects
        # another entry, while its images are still decoding.
        self._after_job = job
        dead: list[object] = [self._shown_images]  # freed in the pool (il.release_later)
        self._shown_images = images
        self._shown_paths = result_paths
        self._shown_index = 0
        cv: Any = self.compare_view
        if hasattr(cv, "set_results"):
            cv.set_results(images, result_paths)
        else:
            cv.set_after(images[0] if images else None)
        self._cv("set_result_path", result_paths[0] if result_paths else None)
        self._update_result_actions()
        il.release_later(dead)

    def _on_result_selected(self, index: int) -> None:
        if 0 <= index < len(self._shown_paths):
            self._shown_index = index
            self._cv("set_result_path", self._shown_paths[index])

    def _cv(self, method: str, *args: Any) -> None:
        fn = getattr(self.compare_view, method, None)
        if fn is not None:
            fn(*args)

    def _update_result_actions(self) -> None:
        if not self._own_result_actions:
            return  # the compare view enables its own actions
        has = bool(self._shown_paths)
        for a in (self.save_action, self.copy_action, self.reveal_action, self.use_action):
            a.setEnabled(has)

    def current_result(self) -> tuple[Path, QImage] | None:
        if not self._shown_paths:
            return None
        i = min(self._shown_index, len(self._shown_paths) - 1)
        return self._shown_paths[i], self._shown_images[i]

    def after_image(self) -> QImage | None:
        cur = self.current_result()
        return cur[1] if cur else None

    # -- result actions -----------------------------------------------------------------------
    def _shown_entry(self) -> HistoryEntry | None:
        """The entry whose results are on screen (not one still loading)."""
        job = self._after_job
        return self.history_model.entry(job) if job else None

    def save_result(self) -> None:
        cur = self.current_result()
        if cur is None:
            self._status(self.tr("Nothing to save yet: run an edit or pick one in the history."))
            return
        src, _ = cur
        entry = self._shown_entry()
        stem = f"qwen-edit-{entry.edit_id}" if entry and entry.edit_id else "qwen-edit"
        if len(self._shown_paths) > 1:
            stem += f"-{self._shown_index + 1}"
        folder = self.qsettings.value("paths/lastSaveDir", "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation)
        suggestion = str(Path(str(folder)) / f"{stem}{src.suffix or '.png'}")
        # The dialog asks before replacing an existing file: nothing is overwritten silently.
        target, _ = QFileDialog.getSaveFileName(self, self.tr("Save result as"), suggestion,
                                                f"Image (*{src.suffix or '.png'})")
        if target:
            self.qsettings.setValue("paths/lastSaveDir", str(Path(target).parent))
            self.spawn(self._save_to(src, Path(target)))

    async def _save_to(self, src: Path, target: Path) -> None:
        try:
            await self._pool(il.copy_file, src, target)
        except OSError as exc:
            self.banner.show_message("error", self.tr("Could not save {file}: {error}").format(
                file=target.name, error=exc.strerror or exc), self.tr("Choose another folder."))
            return
        self._status(self.tr("Saved {path}").format(path=target))

    def copy_result(self) -> None:
        cur = self.current_result()
        if cur is None:
            self._status(self.tr("Nothing to copy yet."))
            return
        path, image = cur
        mime = QMimeData()
        mime.setImageData(image)
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        QGuiApplication.clipboard().setMimeData(mime)
        self._status(self.tr("Result copied: paste it as an image or as a file"))

    def use_result_as_input(self) -> None:
        cur = self.current_result()
        if cur is None:
            return
        entry = self._shown_entry()
        self.inputs = []
        self.add_inputs([cur[0]], parent_edit_id=entry.edit_id if entry else None)
        self.prompt_panel.prompt_edit.setFocus()
        self._status(self.tr("The result is now the input: describe the next change"))

    def reveal_result(self) -> None:
        cur = self.current_result()
        if cur is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(cur[0].parent)))

    # =========================================================================================
    # dialogs
    def open_settings(self) -> None:
        if self.settings_dialog is None:
            from qwen_studio.ui.settings_dialog import SettingsDialog

            self.settings_dialog = SettingsDialog(self.config_store, self.test_connection,
                                                  self.pool, self, qsettings=self.qsettings)
            self.settings_dialog.profileSaved.connect(
                lambda _name: self.spawn(self.reload_config()))
        self.settings_dialog.show()
        self.settings_dialog.raise_()
        self.settings_dialog.activateWindow()

    def show_shortcuts(self) -> None:
        from qwen_studio.ui.shortcuts import ShortcutsDialog

        if self.shortcuts_dialog is None:
            # Built from the live QActions, so the list always matches the real keys.
            self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()

    def open_log_folder(self) -> None:
        """The rotating log (secrets scrubbed) is what to attach to a bug report."""
        from qwen_studio.core.logs import log_file

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file().parent)))

    def show_about(self) -> None:
        from qwen_studio.ui.about_dialog import AboutDialog

        dlg = AboutDialog(self)
        dlg.setModal(False)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()

    # =========================================================================================
    # persistence and shutdown
    def _restore_settings(self) -> None:
        s = self.qsettings
        geom = s.value("window/geometry")
        if isinstance(geom, QByteArray | bytes) and geom:
            self.restoreGeometry(QByteArray(geom))
        else:
            self.resize(1400, 900)
        state = s.value("window/splitter")
        self._default_split = True
        if isinstance(state, QByteArray | bytes) and state:
            self._default_split = not self.splitter.restoreState(QByteArray(state))
        values = {k: s.value(f"params/{k}") for k in
                  ("model", "size", "n", "seed", "watermark", "prompt_extend", "expanded")}
        if any(v is not None for v in values.values()):
            self.params.set_values(values)
        neg = s.value("prompt/negative")
        if isinstance(neg, str):
            self.prompt_panel.set_negative_prompt(neg)

    def _settings_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "window/geometry": self.saveGeometry(),
            "window/splitter": self.splitter.saveState(),
        }
        values.update({f"params/{k}": v for k, v in self.params.values().items()})
        values["prompt/negative"] = self.prompt_panel.negative_prompt()
        return values

    def save_settings(self) -> None:
        s = self.qsettings
        for k, v in self._settings_values().items():
            s.setValue(k, v)
        s.sync()

    def save_settings_soon(self) -> None:
        """Run remembers the parameters, but writing the file on the GUI thread costs tens
        of ms inside the click: a child timer collects them a moment later and a second
        QSettings on the same file writes them in the pool (quit writes them again)."""
        if self._settings_timer is None:
            self._settings_timer = QTimer(self)
            self._settings_timer.setSingleShot(True)
            self._settings_timer.setInterval(_SETTINGS_DEBOUNCE_MS)
            self._settings_timer.timeout.connect(self._save_settings_in_pool)
        self._settings_timer.start()

    def _save_settings_in_pool(self) -> None:
        if self._closed:
            return
        values = self._settings_values()
        name, fmt = self.qsettings.fileName(), self.qsettings.format()

        def write() -> None:
            # QSettings objects on one file share its cache under a lock: safe per thread.
            s = QSettings(name, fmt)
            for k, v in values.items():
                s.setValue(k, v)
            s.sync()

        with contextlib.suppress(RuntimeError):  # pool shut down at exit
            self.pool.submit(write)

    @property
    def batch(self) -> Any:
        """The BatchUi, built on first access if the post-paint timer has not run yet."""
        return self.ensure_built()

    def ensure_built(self) -> Any:
        """Build what start-up deferred past the first paint (the batch UI); idempotent."""
        if self._batch is None:
            from qwen_studio.ui.batch_panel import BatchUi

            self._batch = BatchUi(self)
        return self._batch

    def _build_deferred(self) -> None:
        if not self._closed:
            self.ensure_built()

    def hold_background_work(self) -> None:
        """app.main paints the window before the asyncio loop exists (asyncio and qasync
        load after the first frame). Until release_background_work(), spawned coroutines
        wait for the loop and the post-paint build does not start."""
        if self._held is None:
            self._held = []

    def release_background_work(self) -> None:
        """The loop runs: start what waited for it. Idempotent."""
        held, self._held = self._held, None
        for coro in held or ():
            self.spawn(coro)
        if self.isVisible():
            self._schedule_deferred_build()

    def _schedule_deferred_build(self) -> None:
        if self._batch is None and self._deferred_timer is None and self._held is None:
            # A child zero timer: fires once the first frame is painted, dies with the window.
            self._deferred_timer = QTimer(self)
            self._deferred_timer.setSingleShot(True)
            self._deferred_timer.setInterval(0)
            self._deferred_timer.timeout.connect(self._build_deferred)
            self._deferred_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._schedule_deferred_build()
        if self._default_split:
            # First start: give the canvas everything the side panels do not need.
            self._default_split = False
            total = max(self.splitter.width(), self.width())
            self.splitter.setSizes([320, max(400, total - 320 - 280), 280])

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self._closed = True
        self.cancel_edits()
        for d in (self.settings_dialog, self.shortcuts_dialog):
            if d is not None:
                d.close()
        super().closeEvent(event)

    async def shutdown(self) -> None:
        """Cancel edits, stop the demo sandbox, close what this window owns. Idempotent."""
        import asyncio

        for coro in self._held or ():
            coro.close()  # never started: closed quietly, no "never awaited" warning
        self._held = None
        self._closed = True
        self._stop_timers()
        if self._deferred_timer is not None:
            self._deferred_timer.stop()
        if self._batch is not None:
            await self._batch.shutdown()
        if self._edits is not None:
            # Before the library closes: edits in flight end INTERRUPTED, queued ones stay
            # QUEUED, so a batch can be resumed; every library write has landed.
            await self._edits.close()
            self.edit_signals.detach()
        for t in list(self._tasks):
            t.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._demo_start is not None:  # closed while the demo sandbox was starting
            pending, self._demo_start = self._demo_start, None
            with contextlib.suppress(Exception):
                started = await pending
                await self._pool(started.stop)
        if self._sandbox is not None:
            server, self._sandbox = self._sandbox, None
            await self._pool(server.stop)
        if self._owns_http and self.http is not None:
            http, self.http = self.http, None
            await http.aclose()
        self.history_model.close()  # no more queries or thumbnails from the pool
        if self._owns_library and self.library is not None:
            lib, self.library = self.library, None
            await self._pool(lib.close)
        self._stop_timers()  # anything a finishing task restarted

    def _stop_timers(self) -> None:
        # A timer left running after shutdown fires into a closed loop or a half-deleted
        # window (a crash in the next test, or at exit): stop every one this window owns.
        for timer in self.findChildren(QTimer):
            timer.stop()


# EditRequest.problems() codes (core.errors.REQUEST_PROBLEMS) the window acts on.
_PROMPT_PROBLEMS = frozenset({"prompt_empty", "prompt_too_long", "prompt_control_char",
                              "prompt_direction_char", "prompt_undecodable"})
_NEGATIVE_PROBLEMS = frozenset({"negative_too_long", "negative_control_char",
                                "negative_direction_char", "negative_undecodable"})
_INPUT_PROBLEMS = INPUT_COUNT_PROBLEMS


def _codes(problems: list[str]) -> set[str]:
    return {getattr(p, "code", "") for p in problems}


def _problem_hint(problems: list[str]) -> str:
    codes = _codes(problems)
    if "text_model_with_input" in codes:
        return QCoreApplication.translate("MainWindow",
            "Remove the input images, or choose a model that edits photos.")
    if codes & _INPUT_PROBLEMS:
        return QCoreApplication.translate("MainWindow",
            "Drop a photo on the Inputs area, paste one (Ctrl+V) or press Ctrl+O.")
    if "prompt_empty" in codes:
        return QCoreApplication.translate("MainWindow",
            "Describe the change in the Prompt box, then press Ctrl+Enter.")
    return QCoreApplication.translate("MainWindow", "Adjust the highlighted setting and run again.")


def _usage_text(usage: dict[str, Any]) -> str:
    parts = []
    for key, label in (("image_count", QT_TRANSLATE_NOOP("MainWindow", "{n} images")),
                       ("input_tokens", QT_TRANSLATE_NOOP("MainWindow", "{n} input tokens")),
                       ("output_tokens", QT_TRANSLATE_NOOP("MainWindow", "{n} output tokens")),
                       ("total_tokens", QT_TRANSLATE_NOOP("MainWindow", "{n} tokens"))):
        if key in usage:
            parts.append(QCoreApplication.translate("MainWindow", label).format(n=usage[key]))
    return ", ".join(parts)


# Kept for type checkers of callers that pass async testers.
ConnectionTester = Callable[[Endpoint], Awaitable[str]]
