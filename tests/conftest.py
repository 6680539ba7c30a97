"""Shared fixtures. Qt must be told to run offscreen before any QApplication exists."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never touch the developer's real keyring or settings from tests.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

import asyncio
import faulthandler
import gc
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# As in the app (qwen_studio/ui/main_thread_gc.py): cyclic garbage is collected on the main
# thread only. A collection that happens to run in a worker thread destroys Qt objects off
# their thread (each test's closed qasync loop holds some); their timers stay registered
# and the next timer event crashes the run (SIGSEGV in QTimerInfoList::activateTimers).
gc.disable()

# A hang at interpreter exit (executor threads are joined then) is past every per-test
# timeout (pyproject: pytest-timeout, and faulthandler_timeout for a hang that holds the
# GIL). faulthandler's watchdog is a C thread: it dumps every stack and ends the process.
EXIT_HANG_S = 120


E2E_DIR = Path(__file__).resolve().parent / "e2e"
# The window's fault, input and secret tests (tests/ui) reuse the core tests' tables
# (`from test_faults import FAULTS`): core's folder is importable from every test, as
# tests/ itself is (basenames are unique across the folders).
sys.path.insert(0, str(Path(__file__).resolve().parent / "core"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything in tests/e2e (subprocesses, SIGKILL, the bundle) is `slow`:
    `pytest -m "not slow"` is the quick inner loop, plain `pytest` runs it all."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Armed for the rest of the process: a normal exit ends the watchdog with it.
    faulthandler.dump_traceback_later(EXIT_HANG_S, exit=True, file=sys.__stderr__)


@pytest.fixture(autouse=True)
def studio_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own QWEN_STUDIO_HOME and no endpoint/key from the environment."""
    home = tmp_path / "studio-home"
    monkeypatch.setenv("QWEN_STUDIO_HOME", str(home))
    for var in ("QWEN_STUDIO_ENDPOINT", "QWEN_STUDIO_API_KEY", "QWEN_STUDIO_STYLE",
                "QWEN_STUDIO_MODEL"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture(autouse=True)
def _dispose_leftover_widgets() -> Iterator[None]:
    """After each test, stop and delete any top-level widget it left behind.

    A window whose timers outlive its test fires into the next test's event processing
    (or a closed loop) and can crash the whole run; this keeps tests independent.
    """
    yield
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    for widget in app.topLevelWidgets():
        for timer in widget.findChildren(QTimer):
            timer.stop()
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def _detach_app_logging() -> Iterator[None]:
    """CLI tests call setup_logging; its file handler must not outlive the test's home."""
    yield
    from qwen_studio.core.logs import remove_handlers

    remove_handlers()


@pytest.fixture
def sandbox() -> Iterator[object]:
    """A sandbox server on a free loopback port, stopped after the test."""
    from qwen_studio.sandbox import SandboxServer

    server = SandboxServer(api_key="test-key").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def run_async():
    """Run a coroutine to completion on a fresh plain asyncio loop (for Qt-free core tests)."""

    def runner(coro, timeout: float = 60.0):
        return asyncio.run(asyncio.wait_for(coro, timeout))

    return runner


@pytest.fixture
def qloop(qapp):
    """The window's loop (qasync, qt/event_loop.py) over the test QApplication;
    `qloop.run(coro)` drives a coroutine."""
    from qwen_studio.app import event_loop

    loop = event_loop(qapp)

    class Runner:
        def __init__(self) -> None:
            self.loop = loop

        def run(self, coro, timeout: float = 60.0):
            return loop.run_until_complete(asyncio.wait_for(coro, timeout))

    try:
        yield Runner()
    finally:
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture(autouse=True)
def _collect_on_main_thread() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture
def make_window(qloop, qtbot):
    """A factory of real main windows (optionally pointed at an endpoint), each shut down
    and deleted after the test; `make_window.close(w)` quits one early (a restart).
    window_helpers.Windows; test files with other needs define their own."""
    from window_helpers import Windows

    windows = Windows(qloop)
    yield windows
    windows.close_all()


@pytest.fixture
def scheme(qapp) -> Iterator[Callable[[str], None]]:
    """Switch the app's theme inside a test; the suite's default (dark) comes back after."""
    from PySide6.QtWidgets import QApplication

    from qwen_studio.ui import theme

    before = qapp.property("qwenStudioThemeChoice") or "dark"

    def use(name: str) -> None:
        assert theme.apply_theme(qapp, name) == name
        QApplication.processEvents()

    yield use
    theme.apply_theme(qapp, before)


@pytest.fixture
def chinese(qapp, monkeypatch) -> Iterator[None]:
    """The app's zh_CN translation installed, as a Chinese start loads it; removed after."""
    from qwen_studio import i18n

    monkeypatch.setenv(i18n.ENV_LANG, "zh_CN")
    assert i18n.install(qapp) == "zh_CN"
    yield
    i18n.uninstall(qapp)
