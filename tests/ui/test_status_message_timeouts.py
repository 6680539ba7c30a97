"""The status bar keeps Qt's message timeouts: a message said again without a timeout stays
(not cleared by the earlier one's timer), and a long message's tooltip goes with it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMainWindow, QStatusBar

from qwen_studio.ui.status_bar import StatusBar

LONG = "Batch: 2 of 5 done · 2 running · 1 saving · 74.0/min · about 2 s left · and more words"


@pytest.fixture
def windows():
    kept: list[QMainWindow] = []  # alive until the test ends
    yield kept
    for w in kept:
        w.close()
        w.deleteLater()


def _window(qtbot, windows: list[QMainWindow], width: int) -> StatusBar:
    w = QMainWindow()
    windows.append(w)
    bar = StatusBar()
    w.setStatusBar(bar)
    w.resize(width, 200)
    w.show()
    qtbot.waitExposed(w)
    return bar


def _after(qtbot, ms: int) -> None:
    """Let the event loop run past `ms` (the timers under test fire in it)."""
    passed: list[bool] = []
    QTimer.singleShot(ms, lambda: passed.append(True))
    qtbot.waitUntil(lambda: bool(passed), timeout=ms + 3000)


def test_a_message_said_again_for_good_stays(qtbot, windows):
    bar = _window(qtbot, windows, 600)
    bar.showMessage("Connected", 100)
    bar.showMessage("Connected")  # now without a timeout
    _after(qtbot, 400)
    assert QStatusBar.currentMessage(bar) == bar.currentMessage() == "Connected"


def test_a_long_message_s_tooltip_goes_with_it(qtbot, windows):
    bar = _window(qtbot, windows, 260)
    bar.showMessage(LONG, 100)
    assert QStatusBar.currentMessage(bar).endswith("…") and bar.toolTip() == LONG
    qtbot.waitUntil(lambda: QStatusBar.currentMessage(bar) == "", timeout=3000)
    assert bar.toolTip() == ""
    bar.showMessage(LONG)
    bar.clearMessage()
    assert bar.toolTip() == ""
