"""Issue #17: the light theme's combo and spin box arrows can be seen, and spin boxes are as
tall as the combos beside them with their text where the combos' starts (1400×900)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QWidget

from qwen_studio.ui import theme


@pytest.fixture
def light(qapp):
    before = qapp.property("qwenStudioThemeChoice") or "dark"
    theme.apply_theme(qapp, "light")
    yield
    theme.apply_theme(qapp, before)


def darkest_contrast(image: QImage, area: QRect, bg: QColor) -> float:
    return max(theme.contrast_ratio(image.pixelColor(x, y), bg)
               for x in range(area.left(), area.right()) for y in range(area.top(), area.bottom()))


def first_ink_x(widget: QWidget, bg: QColor) -> int:
    """The leftmost column of the widget's text (inside its border) that is not background."""
    image = widget.grab().toImage()
    for x in range(2, image.width()):
        if any(theme.contrast_ratio(image.pixelColor(x, y), bg) > 2.0
               for y in range(3, image.height() - 3)):
            return x
    raise AssertionError("no text drawn")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_arrows_show_and_spin_boxes_match_the_combos(make_window, qtbot, qapp, light, scheme):
    theme.apply_theme(qapp, scheme)
    w = make_window()
    qtbot.waitUntil(lambda: w.width() == 1400 and w.params.seed_spin.isVisible())
    QApplication.processEvents()
    params = w.params
    combo, seed, count = params.size_combo, params.seed_spin, params.count_spin
    base = theme.colour("base", scheme)
    # As tall as the combos (not the old 18 px, nor taller), text starting where theirs does.
    for spin in (seed, count):
        assert spin.height() == combo.height() >= 24, (spin.height(), combo.height())
    assert abs(first_ink_x(seed, base) - first_ink_x(combo, base)) <= 2
    # The arrows read against the box (>= 3:1, what a control's parts need), not a faint
    # hairline.
    shot = combo.grab().toImage()
    arrow = QRect(shot.width() - 22, 2, 20, shot.height() - 4)
    assert darkest_contrast(shot, arrow, base) >= 3.0
    shot = seed.grab().toImage()  # "Random" is the lowest: only the up arrow is live
    up = QRect(shot.width() - 19, 2, 17, shot.height() // 2 - 2)
    assert darkest_contrast(shot, up, base) >= 3.0
