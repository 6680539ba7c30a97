"""A check box's box reads on both themes: on the dark one Fusion outlined it in the window
colour darkened, so an unticked "Watermark" was a ~1.1:1 smudge; a ticked one shows its
mark."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QStyle, QStyleOptionButton, QWidget

from qwen_studio.ui import theme


def box_inks(qtbot, checked: bool) -> tuple[QColor, list[QColor]]:
    host = QWidget()
    host.setObjectName("leftPanel")  # the editor's panel: the window colour behind it
    qtbot.addWidget(host)
    box = QCheckBox("Watermark", host)
    box.setChecked(checked)
    host.resize(200, 40)
    box.move(10, 10)
    host.show()
    qtbot.waitExposed(host)
    opt = QStyleOptionButton()
    box.initStyleOption(opt)
    rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, opt, box)
    image = box.grab().toImage()
    window = image.pixelColor(box.width() - 2, box.height() // 2)
    inks = [image.pixelColor(x, y) for x in range(rect.left(), rect.right() + 1)
            for y in range(rect.top(), rect.bottom() + 1)]
    return window, inks


@pytest.mark.parametrize("name", ["dark", "light"])
def test_an_unticked_box_has_an_edge_that_reads(scheme, qtbot, name: str):
    scheme(name)
    window, inks = box_inks(qtbot, checked=False)
    best = max(theme.contrast_ratio(ink, window) for ink in inks)
    assert best >= 3.0, f"{name}: the box's edge reads at {best:.2f}:1 on {window.name()}"


@pytest.mark.parametrize("name", ["dark", "light"])
def test_a_ticked_box_shows_its_mark(scheme, qtbot, name: str):
    scheme(name)
    _window, plain = box_inks(qtbot, checked=False)
    _window, ticked = box_inks(qtbot, checked=True)
    text = QColor(theme.tokens(name)["text"])
    near_text = sum(theme.contrast_ratio(ink, text) < 1.6 for ink in ticked)
    assert near_text > sum(theme.contrast_ratio(ink, text) < 1.6 for ink in plain) + 4
