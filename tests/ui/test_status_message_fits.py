"""A status message longer than the room left of the permanent widgets ends in "…" before
them and is whole in the tooltip: Qt cut it mid-letter under "⟳ 3 running" ("… · Batch: 2 of
5 done · 2 runni⟳ 3 running"), at 1400 px with a single edit and a batch running."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QStatusBar

LONG = ("Editing… 3 s — retrying in 3 s (attempt 3 of 4)  ·  Batch: 2 of 5 done · 2 running "
        "· 1 saving · 74.0/min · about 2 s left · and a little more to say about it")


def test_a_long_message_ends_before_the_permanent_widgets(make_window, qtbot):
    w = make_window()
    bar = w.statusBar()
    w.inflight_label.setText("⟳ 3 running")
    QApplication.processEvents()
    bar.showMessage(LONG)
    QApplication.processEvents()
    drawn = QStatusBar.currentMessage(bar)  # what Qt paints
    first = min(c.x() for c in (w.inflight_label, w.profile_label, w.spend.meter))
    assert bar.fontMetrics().horizontalAdvance(drawn) <= first - 6, drawn
    assert drawn.endswith("…") and LONG.startswith(drawn[:-1])
    assert bar.currentMessage() == LONG  # callers still read what they said
    assert bar.toolTip() == LONG

    w.resize(2400, 900)  # room enough: the whole message, no tooltip
    qtbot.waitUntil(lambda: QStatusBar.currentMessage(bar) == LONG, timeout=3000)
    assert bar.toolTip() == ""
    bar.showMessage("Edit done in 4 s", 5000)
    assert QStatusBar.currentMessage(bar) == bar.currentMessage() == "Edit done in 4 s"
