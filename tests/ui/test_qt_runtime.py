"""Guard against a Qt binding that corrupts Python's refcounts (PySide6 6.12.0 on 3.11).

That release drops a reference to None on each Qt call returning nothing; the app then
aborts after a few seconds of use. The check is cheap and catches any such regression.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    fired = Signal()


def test_qt_calls_keep_refcounts_of_none_and_true(qapp) -> None:
    label, emitter = QLabel(), _Emitter()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(500):
        label.setText("x")
        label.update()
        emitter.fired.emit()
    assert sys.getrefcount(None) - none_before > -100, "Qt binding leaks references to None"
    assert sys.getrefcount(True) - true_before > -100, "Qt binding leaks references to True"
