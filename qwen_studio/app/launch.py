"""QApplication + qasync loop + the first frame: how the window process starts and ends.

`main()` owns the whole lifecycle: the window is painted before asyncio, qasync and httpx
load (tests/test_app_launch.py proves it), then the loop starts, held work is released,
and at exit the window and its services are closed.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from qwen_studio.app.services import settings_store
from qwen_studio.app.window import (
    create_main_window,
    release_held_work,
    set_qt_environment,
    single_shot,
)
from qwen_studio.ui import image_loading, theme

if TYPE_CHECKING:
    import asyncio

    from qwen_studio.ui.main_window import MainWindow

log = logging.getLogger(__name__)

# A window that is not exposed (minimised, another workspace) must not hold start-up; if it
# paints later, it does so in the qasync loop, which is merely the old order.
FIRST_FRAME_WAIT_MS = 500


def event_loop(app: QApplication) -> asyncio.AbstractEventLoop:
    """The qasync loop over `app` (with asyncio's ready queue: qt/event_loop.py), made
    current (main() and the GUI benchmarks).

    Its default executor stays qasync's own: core's `run_in_executor(None, …)` (the
    client's check of each downloaded result) on the app's two-thread, low-priority pool
    measured slower batches (19.4 -> 23.4 s for 200 photos) and no smaller stalls."""
    import asyncio

    from qwen_studio.qt.event_loop import StudioEventLoop

    loop = StudioEventLoop(app)
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
            single_shot(0, self._loop, self._loop.quit)
        return False


def show_first_frame(window: QWidget, timeout_ms: int = FIRST_FRAME_WAIT_MS) -> None:
    """Show `window` and run Qt's own event loop until it has painted, or `timeout_ms`.

    User input waits in the queue meanwhile: a click or shortcut handled now would start
    coroutines before the asyncio loop exists."""
    loop = QEventLoop()
    watch = _FirstFrame(window, loop)
    window.installEventFilter(watch)  # before show(): a platform may paint inside it
    single_shot(timeout_ms, loop, loop.quit)
    window.show()
    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    window.removeEventFilter(watch)
    watch.deleteLater()


_FLAGS = frozenset({"--demo", "-v", "--verbose"})


def _parse(argv: list[str]) -> argparse.Namespace:
    if _FLAGS.issuperset(argv):
        # The everyday start: building the parser costs ~3 ms before the first frame
        # (gettext looks for catalogs of its messages); anything else goes through it.
        return argparse.Namespace(demo="--demo" in argv,
                                  verbose=bool({"-v", "--verbose"} & set(argv)))
    parser = argparse.ArgumentParser(prog="qwen-studio", description="Qwen Studio window")
    parser.add_argument("--demo", action="store_true",
                        help="use a local sandbox service (no API key needed)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    return parser.parse_args(argv)


class _EarlyRecords(logging.Handler):
    """Holds the log records made before the first frame: the log file's handler (and
    logging.handlers, which imports socket and pickle: ~5 ms) is set up after it; then the
    held records go through it in order, redacted like every other record."""

    def __init__(self, verbose: bool) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        root = logging.getLogger()
        root.setLevel(logging.DEBUG if verbose else logging.INFO)  # setup_logging's levels
        root.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def detach(self) -> None:
        logging.getLogger().removeHandler(self)

    def replay(self) -> None:
        self.detach()
        records, self.records = self.records, []
        for record in records:
            logging.getLogger(record.name).handle(record)


def setup_logging(verbose: bool) -> None:
    """The log file and stderr (core/logs.py)."""
    try:
        from qwen_studio.core.logs import setup_logging

        setup_logging(verbose=verbose)
    except ImportError:
        logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING)


def _first_frame(args: argparse.Namespace) -> MainWindow:
    """The QApplication and the window, painted (in Qt's own loop: asyncio is not loaded)."""
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    set_qt_environment()  # before Qt reads it
    app = QApplication.instance()
    if app is None:
        # The style by argument, not app.setStyle(): see theme.apply_palette.
        app = QApplication([*sys.argv[:1], "-style", theme.FUSION])
        app.setProperty("qwenStudioStyle", theme.FUSION)
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
    # work it defers past the first paint is held until then (release_held_work).
    window = create_main_window(demo=args.demo, staged=True)
    if window.window_settings.first_start:  # nothing remembered yet: all room to the image
        window.setWindowState(Qt.WindowState.WindowMaximized)
    show_first_frame(window)
    return window


def main(argv: list[str] | None = None) -> int:
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    early = _EarlyRecords(args.verbose)
    try:
        window = _first_frame(args)
    finally:
        early.detach()  # setup_logging's own records go straight to its handlers
        setup_logging(args.verbose)  # after the first frame (or its failure)
        early.replay()
    from qwen_studio.core import dataclass_code, module_bundle, regex_code
    from qwen_studio.qt import support_code

    regex_code.uninstall()  # what re compiled before the frame is kept, not what follows
    dataclass_code.save()  # what the next start defines before its frame, compiled
    module_bundle.save()  # and the code of the modules it imports before it, in one file
    support_code.save()  # ... and of PySide's own support modules
    regex_code.save()  # ... and the regular expressions it compiles
    from qwen_studio.ui import icons

    icons.save_pixels()  # ... and the icons it draws, rendered
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    loop = event_loop(app)

    async def run() -> int:
        import asyncio

        closed = asyncio.Event()
        app.lastWindowClosed.connect(closed.set)
        if not window.isVisible():
            closed.set()  # closed before the loop ran: Qt emits lastWindowClosed only in exec()
        release_held_work(window)
        from qwen_studio.core.allocator import use_mmap_for_large_blocks

        use_mmap_for_large_blocks()  # image buffers: no GIL-held zeroing (core/allocator.py)
        # Start-up objects live as long as the app: keep them out of every later full GC
        # pass (25-60 ms each, seen as stalls while edits run).
        gc.freeze()
        from qwen_studio.ui.main_thread_gc import MainThreadCollector

        # Cycles die on this thread, never a worker's; what the deferred imports load is
        # frozen too once they are done (refreeze).
        collector = MainThreadCollector(app, refreeze=True)
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
