"""A compare view narrowed between two docks: Save, the one result action a designer
reaches for most, leaves the toolbar for the ⋯ menu only after the image sizes text has
given way, never while "1248×832" still takes its room (kit-spend-meter.png at 1400 px with
a 330 px history showed sizes but no Save)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from qwen_studio.ui.compare.compare_view import CompareView


def test_save_outranks_the_sizes_text(qtbot) -> None:
    view = CompareView()
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    before, after = (QImage(w, h, QImage.Format.Format_RGB32) for w, h in ((1200, 800),
                                                                           (1248, 832)))
    before.fill(0x993322)
    after.fill(0x336699)
    view.set_before(before)
    view.set_after(after)
    seen_save_in_menu = False
    for width in range(1000, 480, -6):
        view.resize(width, 600)
        QApplication.processEvents()
        save_shown = view.save_button.isVisible()
        if save_shown:  # wholly on the bar, not cut at its edge nor under the sizes
            bar, button = view.toolbar, view.save_button
            assert bar.rect().contains(QRect(button.mapTo(bar, QPoint(0, 0)), button.size()))
            label = view.sizes_label
            assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
        else:
            seen_save_in_menu = True
            assert view.save_action in view.overflow_actions()
            # The sizes show only in room Save could not have used.
            label = view.sizes_label
            layout = view.toolbar.layout()
            assert layout is not None
            room_for_save = view.save_button.sizeHint().width() + layout.spacing()
            assert label.text() == "" or label.width() < room_for_save, \
                (width, label.text(), label.width())
    assert seen_save_in_menu  # the scan went narrow enough for the rule to matter
