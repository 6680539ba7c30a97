"""Helpers shared by the i18n and accessibility tests: open the real window, walk it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QWidget,
)
from window_helpers import until

CJK = re.compile(r"[\u3400-\u9fff]")


async def demo_window(qloop_unused=None):
    from qwen_studio.app import create_main_window

    w = create_main_window(demo=True, sandbox_latency=0.0)
    w.resize(1400, 900)
    w.show()
    # Settled: the post-paint build (the batch queue UI) ran and nothing is loading.
    await until(lambda: w.built_batch is not None and not w.tasks.pending(), 10, "the window")
    return w


def visible_texts(window: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every user-visible string of the window's visible widgets."""
    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window):
            continue
        name = f"{type(w).__name__}#{w.objectName()}"
        if isinstance(w, QLabel | QAbstractButton):
            yield name, w.text()
        if isinstance(w, QGroupBox):
            yield name, w.title()
        if isinstance(w, QLineEdit | QPlainTextEdit):
            yield name + ".placeholder", w.placeholderText()
        yield name + ".toolTip", w.toolTip()
        yield name + ".accessibleName", w.accessibleName()
        yield name + ".accessibleDescription", w.accessibleDescription()
    for a in window.findChildren(QAction):
        if a.isSeparator():
            continue
        yield f"QAction#{a.objectName()}", a.text()
        yield f"QAction#{a.objectName()}.toolTip", a.toolTip()


def is_internal(w: QWidget) -> bool:
    """Parts of composite controls (a combo's line edit, scroll bars): named by their owner."""
    if isinstance(w, QScrollBar):
        return True
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, QComboBox | QAbstractSpinBox):
            return True
        if isinstance(p, QAbstractScrollArea) and w is p.viewport():
            return True
        p = p.parentWidget()
    return False
