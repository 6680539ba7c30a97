"""QApplication + qasync loop + the main window.

`create_main_window()` builds the window for an existing QApplication whose qasync loop is
already set (tests, scripts); `main()` owns the whole lifecycle: one shared httpx client,
one thread pool, one Library, and the demo sandbox, all closed at exit.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from qwen_studio.core import paths
from qwen_studio.core.config import ConfigStore
from qwen_studio.ui import image_loading, theme
from qwen_studio.ui.main_window import MainWindow

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Executor

log = logging.getLogger(__name__)

SETTINGS_FILE = "qwen-studio.ini"
DEMO_LATENCY_S = 1.5
WARM_HTTP_MS = 300  # after the first frame: build the shared http client in the pool
# A window that is not exposed (minimised, another workspace) must not hold start-up; if it
# paints later, it does so in the qasync loop, which is merely the old order.
FIRST_FRAME_WAIT_MS = 500

def apply_palette(app: QApplication, choice: str | None = None) -> None:
    """Fusion and the palette of the chosen scheme (qwen_studio.ui.theme): cheap to set
    before widgets exist (no style sheet yet)."""
    theme.apply_palette(app, choice)


def apply_theme(app: QApplication, choice: str | None = None) -> None:
    """Palette + style sheet: neutral greys, colour judgement needs neutral chrome."""
    theme.apply_theme(app, choice)


def settings_store() -> QSettings:
    """QSettings in our own ini file, so QWEN_STUDIO_HOME moves it like everything else."""
    return QSettings(str(paths.config_dir() / SETTINGS_FILE), QSettings.Format.IniFormat)


def create_main_window(
    *,
    demo: bool = False,
    config_store: ConfigStore | None = None,
    http_client: Any = None,
    pool: Executor | None = None,
    library: Any = None,
    settings: QSettings | None = None,
    sandbox_latency: float = DEMO_LATENCY_S,
    staged: bool = False,
) -> MainWindow:
    """Build the window (QApplication and qasync loop must exist). Call `await
    window.shutdown()` when done: it closes what was created here (http client, library,
    demo sandbox).

    `staged` is app.main's start: the window is painted before the asyncio loop exists, so
    it holds coroutines until `window.release_background_work()`, and a demo sandbox starts
    in the pool after that (the editor shows "starting" meanwhile). Otherwise the demo
    sandbox is running on return."""
    from qwen_studio.core.http_session import LazyHttpClient
    from qwen_studio.core.library import Library

    app = QApplication.instance()
    themed = isinstance(app, QApplication) and not app.property("qwenStudioThemed")
    if themed:
        assert isinstance(app, QApplication)
        apply_palette(app, theme.saved_choice(settings))
    owns_http = http_client is None
    owns_library = library is None
    pool = pool or image_loading.executor()
    if http_client is None:
        # Built in the pool right after the first paint (or by the first request, if
        # sooner): creating an httpx client costs 50-90 ms the window need not wait for.
        http_client = LazyHttpClient()
    window = MainWindow(
        config_store=config_store or ConfigStore(),
        library=library or Library(),
        http=http_client,
        pool=pool,
        settings=settings or settings_store(),
        owns_http=owns_http,
        owns_library=owns_library,
    )
    if themed:
        # The style sheet goes on last: set before the widgets exist, every reparenting
        # while the window is assembled re-polishes whole subtrees (~30 ms at start-up).
        assert isinstance(app, QApplication)
        apply_theme(app)
    if isinstance(http_client, LazyHttpClient):
        lazy = http_client
        QTimer.singleShot(WARM_HTTP_MS, window, lambda: lazy.warm(pool))
    if staged:
        window.hold_background_work()
    if demo and staged:
        window.start_demo(sandbox_latency)
    elif demo:
        from qwen_studio.ui.main_window import start_demo_sandbox

        window.use_sandbox(start_demo_sandbox(sandbox_latency))
    else:
        window.load_config()
    return window


def event_loop(app: QApplication) -> asyncio.AbstractEventLoop:
    """The qasync loop over `app`, made current (main() and the GUI benchmarks).

    Its default executor stays qasync's own: core's `run_in_executor(None, …)` (the
    client's check of each downloaded result) on the app's two-thread, low-priority pool
    measured slower batches (19.4 -> 23.4 s for 200 photos) and no smaller stalls."""
    import asyncio

    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    return loop


class _FirstFrame(QObject):
    """Ends `loop` once `window` has painted its first frame (a zero timer after the
    window's own paint event: the children paint in the same pass)."""

    def __init__(self, window: QObject, loop: QEventLoop) -> None:
        super().__init__(window)
        self._window, self._loop = window, loop

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self._window and event.type() == QEvent.Type.Paint:
            self._window.removeEventFilter(self)
            QTimer.singleShot(0, self._loop, self._loop.quit)
        return False


def show_first_frame(window: QWidget, timeout_ms: int = FIRST_FRAME_WAIT_MS) -> None:
    """Show `window` and run Qt's own event loop until it has painted, or `timeout_ms`.

    User input waits in the queue meanwhile: a click or shortcut handled now would start
    coroutines before the asyncio loop exists."""
    loop = QEventLoop()
    watch = _FirstFrame(window, loop)
    window.installEventFilter(watch)  # before show(): a platform may paint inside it
    QTimer.singleShot(timeout_ms, loop, loop.quit)
    window.show()
    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    window.removeEventFilter(watch)
    watch.deleteLater()


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="qwen-studio", description="Qwen Studio window")
    parser.add_argument("--demo", action="store_true",
                        help="use a local sandbox service (no API key needed)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    try:
        from qwen_studio.core.logs import setup_logging

        setup_logging(verbose=args.verbose)
    except ImportError:
        logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Qwen Studio")
    app.setOrganizationName("QwenStudio")
    from qwen_studio import i18n

    i18n.install(app, settings_store())  # before any widget exists: texts are set once
    from qwen_studio import resources

    app.setDesktopFileName(resources.APP_ID)  # Wayland/AppStream match the window by it
    app.setWindowIcon(resources.app_icon())
    # Closing the window must not stop the loop before shutdown() has closed the http
    # client and the sandbox; run() returns after that, which ends the loop.
    app.setQuitOnLastWindowClosed(False)
    # The window is built and painted before asyncio and qasync are imported (~45 ms that
    # need not delay the first frame): nothing in it awaits until the loop runs, and the
    # work it defers past the first paint is held until then (release_background_work).
    window = create_main_window(demo=args.demo, staged=True)
    show_first_frame(window)
    loop = event_loop(app)

    async def run() -> int:
        import asyncio

        closed = asyncio.Event()
        app.lastWindowClosed.connect(closed.set)
        if not window.isVisible():
            closed.set()  # closed before the loop ran: Qt emits lastWindowClosed only in exec()
        window.release_background_work()
        from qwen_studio.core.allocator import use_mmap_for_large_blocks

        use_mmap_for_large_blocks()  # image buffers: no GIL-held zeroing (core/allocator.py)
        # Start-up objects live as long as the app: keep them out of every later full GC
        # pass (25-60 ms each, seen as stalls while edits run).
        gc.freeze()
        from qwen_studio.ui.main_thread_gc import MainThreadCollector

        collector = MainThreadCollector(app)  # cycles die on this thread, never a worker's
        collector.start()
        try:
            await closed.wait()
        finally:
            await window.shutdown()
            collector.stop()
        return 0

    try:
        code = loop.run_until_complete(run())
    except KeyboardInterrupt:
        code = 130
    finally:
        image_loading.executor().shutdown(wait=False, cancel_futures=True)
        loop.close()
    return code
