"""Before connecting, a photo the user adds is shown: the canvas takes over from the
first-run welcome panel, which becomes a compact bar above it that still offers both next
steps (it hid the photo behind the panel until the user connected)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QPushButton
from window_helpers import drop_files, make_jpeg, until


def _buttons(panel) -> dict[str, QPushButton]:
    return {b.text(): b for b in panel.findChildren(QPushButton) if b.isVisibleTo(panel)}


def test_a_photo_dropped_before_connecting_is_shown(make_window, qloop, tmp_path: Path):
    w = make_window()  # first start: no profile, no key, not the demo
    assert w.canvas_stack.currentWidget() is w.welcome
    drop_files(w.drop_zone, [make_jpeg(tmp_path / "portrait.jpg", (800, 1000))])
    qloop.run(until(lambda: w.inputs and w.compare_view.canvas.has_before(), 10, "the photo"))

    # The photo is on screen, not behind the welcome panel.
    assert w.canvas_stack.currentWidget() is w.compare_view
    assert w.compare_view.canvas.isVisible() and not w.welcome.isVisible()
    assert w.compare_view.canvas.visible_labels() == ["Before"]
    # Connecting stays one click away: a bar over the canvas with both next steps.
    bar = w.canvas_area.welcome_bar
    assert bar.isVisible()
    qloop.run(until(lambda: bar.geometry().bottom() < w.canvas_stack.geometry().top(), 5,
                    "the bar above the canvas, not over it"))
    assert {"Set up your API", "Try the demo"} <= set(_buttons(bar))
    assert bar.height() < 80  # a bar, not a panel: the canvas keeps the room
    # Run says what is missing.
    assert w.run_edit() is None
    assert w.banner.isVisible() and "not connected" in w.banner.message()

    # The bar's demo button connects; the bar goes and the photo stays.
    _buttons(bar)["Try the demo"].click()
    qloop.run(until(lambda: w.endpoint is not None, 15, "the demo endpoint"))
    assert not bar.isVisible()
    assert w.canvas_stack.currentWidget() is w.compare_view
    assert w.compare_view.canvas.has_before()


def test_nothing_on_the_canvas_keeps_the_full_welcome(make_window, qloop):
    w = make_window()
    qloop.run(until(w.welcome.isVisible, 5, "the welcome panel"))
    assert w.canvas_area.built_welcomes == [w.welcome]  # no bar built on an empty canvas


def test_a_banner_shown_over_the_welcome_moves_below_the_bar(make_window, qloop,
                                                              tmp_path: Path):
    w = make_window()
    assert w.run_edit() is None  # "not connected" over the full welcome panel
    banner = w.banner
    assert banner.isVisible()
    drop_files(w.drop_zone, [make_jpeg(tmp_path / "a.jpg")])
    qloop.run(until(lambda: w.canvas_area.built_welcomes[-1].isVisible(), 10, "the bar"))
    bar = w.canvas_area.welcome_bar
    toolbar = w.compare_view.toolbar

    def below_toolbar() -> bool:
        top = toolbar.mapTo(w.canvas_area, toolbar.rect().bottomLeft()).y()
        return banner.geometry().top() > top and banner.geometry().top() > bar.geometry().bottom()

    qloop.run(until(below_toolbar, 5, "the banner under the bar and the compare toolbar"))
    assert banner.isVisible()
