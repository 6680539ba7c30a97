"""Issue #17: the window's statuses are the themed icon set beside a word, no Unicode
glyphs (★ ✗ ⟳) standing in for icons, at 1400×900."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton
from window_helpers import sandbox_endpoint

GLYPHS = "★✗⟳✓⚠"


def test_history_filters_and_in_flight_show_icons_beside_words(make_window, sandbox, qtbot):
    w = make_window(sandbox_endpoint(sandbox))
    hp = w.history_panel
    for button, word in ((hp.fav_button, "Starred"), (hp.failed_button, "Failed")):
        assert button.text() == word and not any(g in button.text() for g in GLYPHS)
        assert not button.icon().isNull()
        assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    label = w.inflight_label
    icon_button = label.findChild(QToolButton, "inFlightIcon")
    assert icon_button is not None and not icon_button.icon().isNull()
    assert label.text() == "Idle" and not icon_button.isVisible()
    w.feedback.set_inflight_text(2)
    qtbot.waitUntil(icon_button.isVisible)
    assert label.text() == "2 running" and not any(g in label.text() for g in GLYPHS)
    # The word starts right of the icon: nothing is drawn over the text.
    assert label.indent() >= icon_button.width() or label.indent() >= 16
    w.feedback.set_inflight_text(0)
    assert label.text() == "Idle" and not icon_button.isVisible()
