"""The history's scroll bar draws what lies under it itself and says it is opaque, so a
fling's repaint of the bar no longer repaints the widgets under it (the list's style sheet
background and rounded frame); what the window shows stays the same, also when the frame
changes colour with the focus or the style changes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QLineEdit, QTableView, QVBoxLayout, QWidget

from qwen_studio.ui.history.scroll_bar import KeptScrollBar

OPAQUE = Qt.WidgetAttribute.WA_OpaquePaintEvent
SHEET = ("QTableView {{ background: {bg}; border: 1px solid #555555; border-radius: 4px; }}"
         " QTableView:focus {{ border: 1px solid #3d8bfd; }}")


def window(qtbot, bg: str) -> tuple[QWidget, QTableView, KeptScrollBar, QLineEdit]:
    """A list as the history has it (rounded frame, its colour following the focus) with
    the kept bar, and a line edit to move the focus to."""
    top = QWidget()
    top.setStyleSheet(SHEET.format(bg=bg))
    qtbot.addWidget(top)
    view = QTableView(top)
    model = QStandardItemModel(view)
    for i in range(400):
        model.appendRow(QStandardItem(f"row {i}"))
    view.setModel(model)
    bar = KeptScrollBar(Qt.Orientation.Vertical, plain_paints=0)
    view.setVerticalScrollBar(bar)
    edit = QLineEdit(top)
    layout = QVBoxLayout(top)
    layout.addWidget(view)
    layout.addWidget(edit)
    top.resize(240, 420)
    top.show()
    qtbot.waitExposed(top)
    return top, view, bar, edit


def on_screen(top: QWidget, bar: KeptScrollBar) -> QImage:
    """The window's pixels where the bar is, as painted (the backing store, not a render)."""
    at = bar.mapTo(top, QPoint(0, 0))
    return QApplication.primaryScreen().grabWindow(
        top.winId(), at.x(), at.y(), bar.width(), bar.height()).toImage()


def step(view: QTableView, value: int) -> None:
    view.verticalScrollBar().setValue(value)
    view.viewport().repaint()
    QApplication.processEvents()


def as_qt_paints_it(top: QWidget, bar: KeptScrollBar) -> QImage:
    """The bar's pixels painted the old way (Qt paints what lies under it, the bar its groove
    on that), in the same window and state."""
    bar._drop_ground()
    bar.repaint()  # (which takes the ground again, for the paints after it)
    return on_screen(top, bar)


@pytest.mark.parametrize("bg", ["#1f1f1f", "#f4f1ea"])
def test_the_bar_paints_what_lies_under_it_with_the_same_pixels(qtbot, bg: str):
    top, view, bar, edit = window(qtbot, bg)
    top.activateWindow()
    for v in range(0, 3000, 300):
        step(view, v)
    qtbot.waitUntil(lambda: bar.testAttribute(OPAQUE), timeout=3000)

    def same(where: object) -> None:
        assert bar.testAttribute(OPAQUE), where
        kept = on_screen(top, bar)
        assert kept == as_qt_paints_it(top, bar), where
        assert bar.testAttribute(OPAQUE), where

    for v in (3300, 5000, 10_000, 0, 1):  # both ends: the arrows grey out
        step(view, v)
        same(v)
    # The frame around the bar changes colour with the focus, and back: Qt paints under
    # the bar for that paint, then the bar grabs again.
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=3000)
    for widget in (edit, view):
        assert bar.testAttribute(OPAQUE)
        widget.setFocus()
        qtbot.waitUntil(lambda w=widget: w.hasFocus(), timeout=3000)
        assert not bar.testAttribute(OPAQUE)
        step(view, 2000)
        qtbot.waitUntil(lambda: bar.testAttribute(OPAQUE), timeout=3000)
        step(view, 2300)
        same(widget)
    # A new style (a theme switch) under it.
    top.setStyleSheet(SHEET.format(bg="#3a6ea5"))
    assert not bar.testAttribute(OPAQUE)
    step(view, 900)
    qtbot.waitUntil(lambda: bar.testAttribute(OPAQUE), timeout=3000)
    step(view, 1200)
    same("restyled")
