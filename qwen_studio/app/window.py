"""create_main_window(): the services, the theme and the window, wired (the composition)."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from qwen_studio.app.demo import DEMO_LATENCY_S, start_demo_sandbox
from qwen_studio.app.services import build_services
from qwen_studio.core.config import ConfigStore
from qwen_studio.core.http_session import LazyHttpClient
from qwen_studio.ui import theme
from qwen_studio.ui.main_window import MainWindow

if TYPE_CHECKING:
    from qwen_studio.core.library import Library

WARM_HTTP_MS = 300  # after the first frame: build the shared http client in the pool
WARM_EDITS_MS = 1000  # then import what the first edit needs (the edit service), in the pool


def single_shot(ms: int, owner: QObject, slot: Callable[[], object]) -> None:
    """QTimer.singleShot(ms, owner, slot) (not called once `owner` is gone), from a timer
    object: PySide's context overload builds QMetaMethod's Python type and its enums on
    first use (~0.3 ms before the first frame, where start-up calls it first)."""
    timer = QTimer(owner)
    timer.setSingleShot(True)
    timer.timeout.connect(slot)
    timer.timeout.connect(timer.deleteLater)
    timer.start(ms)


def set_qt_environment() -> None:
    """What Qt reads from the environment, set before it first reads it (app.main calls
    this before the QApplication exists; create_main_window again, for other callers).

    Qt 6 splits a smooth scale or a format conversion of any image over ~65k pixels across
    its own thread pool, and the calling thread (the GUI thread, painting) only waits for
    it: on a busy 2-core machine for those helpers to get a core. Paints blocked 50-70 ms
    that way (benchmarks/ui_stall.py --trace: "Thread (pooled) ... waited for a core"); a
    2560 -> 700 px smooth scale next to two busy workers: max 67-87 ms threaded, 16-22 ms
    done by the calling thread (median 5 vs 7 ms). Qt reads it when it first needs the
    pool (the first big image operation)."""
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def create_main_window(
    *,
    demo: bool = False,
    config_store: ConfigStore | None = None,
    http_client: LazyHttpClient | None = None,
    pool: Executor | None = None,
    library: Library | None = None,
    settings: QSettings | None = None,
    sandbox_latency: float = DEMO_LATENCY_S,
    staged: bool = False,
) -> MainWindow:
    """Build the window (QApplication must exist; the qasync loop too unless `staged`).
    `await window.shutdown()` closes it and what was created here (http client, library,
    demo sandbox); what was passed in stays the caller's.

    `staged` is app.main's start: the window is painted before the asyncio loop exists, so
    its TaskRunner holds coroutines until `release_held_work(window)`, and a demo
    sandbox starts in the pool after that (the editor shows "starting" meanwhile).
    Otherwise the demo sandbox is running on return."""
    set_qt_environment()
    app = QApplication.instance()
    themed = isinstance(app, QApplication) and not app.property("qwenStudioThemed")
    services = build_services(config_store=config_store, http_client=http_client, pool=pool,
                              library=library, settings=settings, held=staged)
    if themed:
        assert isinstance(app, QApplication)
        theme.apply_palette(app, theme.saved_choice(services.settings))
    window = MainWindow(
        config_store=services.config_store,
        library=services.library,
        http=services.http,
        tasks=services.tasks,
        connection=services.connection,
        edits=services.edits,
        settings=services.settings,
        close_services=services.close,
    )
    if themed:
        # The style sheet goes on last: set before the widgets exist, every reparenting
        # while the window is assembled re-polishes whole subtrees (~30 ms at start-up).
        assert isinstance(app, QApplication)
        theme.apply_theme(app)
    # Built in the pool right after the first paint (or by the first request, if sooner):
    # creating an httpx client costs 50-90 ms the window need not wait for.
    http, tasks = services.http, services.tasks
    single_shot(WARM_HTTP_MS, window, lambda: http.warm(tasks.pool))
    single_shot(WARM_EDITS_MS, window, services.edits.warm)
    if not staged:
        # The batch UI is built right after the first paint (15-20 ms it need not wait
        # for); staged, app.main does it once the loop runs.
        single_shot(0, window, window.build_deferred)
    if demo and staged:
        window.start_demo(sandbox_latency)
    elif demo:
        services.connection.use_sandbox(start_demo_sandbox(sandbox_latency))
    else:
        window.load_config()
    return window


def release_held_work(window: MainWindow) -> None:
    """The loop runs (app.main): start the coroutines the window's TaskRunner held, then
    the post-paint build."""
    window.tasks.release()
    single_shot(0, window, window.build_deferred)
