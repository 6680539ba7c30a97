"""The compare toolbar shows one zoom value: the reading ("68 %"). The actual-size button
beside it said "100 %", so the toolbar read as two zooms, "100 %  68 %"; it says "1:1"
and its tooltip says what it does."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QLabel

from qwen_studio import i18n
from qwen_studio.ui.compare.compare_view import CompareView


def make_view(qtbot) -> CompareView:
    v = CompareView()
    qtbot.addWidget(v)
    v.resize(900, 560)
    v.show()
    qtbot.waitExposed(v)
    image = QImage(2000, 1500, QImage.Format.Format_RGB32)
    image.fill(QColor(40, 90, 200))
    v.set_after(image)
    return v


def percent_texts(view: CompareView) -> list[str]:
    """Every text with a "%" the toolbar shows (buttons and labels)."""
    out = []
    for w in view.toolbar.findChildren(QAbstractButton) + view.toolbar.findChildren(QLabel):
        if w.isVisible() and "%" in w.text():
            out.append(w.text())
    return out


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_toolbar_shows_one_zoom_value(qapp, qtbot, lang: str):
    if lang != "en":
        assert i18n.install(qapp, language=lang) == lang
    try:
        view = make_view(qtbot)
        view.set_zoom(0.68)
        assert view.zoom_label.text() == "68 %"
        assert percent_texts(view) == ["68 %"]  # not "100 %" beside it
        button = view.actual_button
        assert button.isVisible() and button.text() == "1:1"
        tip = button.toolTip()
        assert "100 %" in tip and "Ctrl+1" in tip
        assert ("实际大小" in tip) == (lang == "zh_CN"), tip
        button.click()
        assert percent_texts(view) == ["100 %"] and button.isChecked()
    finally:
        if lang != "en":
            i18n.uninstall(qapp)
