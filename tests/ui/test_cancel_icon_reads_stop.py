"""The Cancel button's icon is a filled stop square: as an outline beside the word it read
as an unticked check box ("☐ Cancel")."""

from __future__ import annotations

from qwen_studio.ui.icons import icon


def test_cancel_icon_is_filled(qapp):
    image = icon("cancel").pixmap(32, 32).toImage()
    centre = image.pixelColor(16, 16)
    assert centre.alpha() > 200, "the stop mark is hollow: it looks like a check box"
    corner = image.pixelColor(1, 1)
    assert corner.alpha() < 50  # still a mark on the button, not a filled tile
