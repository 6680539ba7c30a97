"""The one icon set: every meaning draws, crisp at the asked size, in the theme's colours."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QImage
from PySide6.QtWidgets import QApplication

from qwen_studio.ui import icons, theme


def _ink(image: QImage) -> list[QColor]:
    """The opaque pixels of an icon (its strokes)."""
    out = []
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if c.alpha() == 255:
                out.append(c)
    return out


@pytest.mark.parametrize("name", sorted(icons.ICONS))
def test_every_meaning_draws_strokes(qapp: QApplication, name: str) -> None:
    image = icons.icon(name).pixmap(QSize(24, 24)).toImage()
    assert image.size() == QSize(24, 24)
    assert len(_ink(image)) > 8, f"icon {name!r} drew nothing"


def test_icon_follows_the_theme_at_paint_time(qapp: QApplication) -> None:
    run = icons.icon("run")
    theme.apply_theme(qapp, "dark")
    dark = _ink(run.pixmap(QSize(32, 32)).toImage())
    theme.apply_theme(qapp, "light")
    try:
        light = _ink(run.pixmap(QSize(32, 32)).toImage())
    finally:
        theme.apply_theme(qapp, "dark")
    assert QColor(theme.tokens("dark")["text"]) in dark
    assert QColor(theme.tokens("light")["text"]) in light


def test_disabled_icon_uses_the_disabled_colour(qapp: QApplication) -> None:
    theme.apply_theme(qapp, "dark")
    image = icons.icon("save").pixmap(QSize(32, 32), QIcon.Mode.Disabled).toImage()
    assert QColor(theme.tokens("dark")["disabled_text"]) in _ink(image)


def test_sharp_on_a_high_dpi_screen(qapp: QApplication) -> None:
    pixmap = icons.icon("star").pixmap(QSize(20, 20), 2.0)
    assert pixmap.deviceIndependentSize().toSize() == QSize(20, 20)
    assert pixmap.size() == QSize(40, 40)  # drawn at device pixels, not upscaled


def test_unknown_meaning_is_a_clear_error(qapp: QApplication) -> None:
    with pytest.raises(KeyError, match="add it to ICONS"):
        icons.icon("no-such-thing")
