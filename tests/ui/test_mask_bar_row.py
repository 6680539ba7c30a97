"""The mask bar's row under the compare toolbar: the canvas keeps its place when the first
photo brings the bar (built after the first frame) and when the last photo goes, and a
notice floats below the bar, not over its buttons."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication
from window_helpers import make_jpeg, sandbox_endpoint, until

from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel


def canvas_in_window(w) -> QRect:
    canvas = w.compare_view.canvas
    return QRect(canvas.mapTo(w, QPoint(0, 0)), canvas.size())


def settle(qtbot, w) -> None:
    """Built, shown and laid out: the canvas's place the same over three event passes (the
    post-paint build's splitter is shown at once and lays out over the next passes)."""
    w.ensure_built()
    qtbot.waitUntil(lambda: w.compare_view.canvas.isVisible() and w.width() == 1400)
    seen: list[QRect] = []

    def steady() -> bool:
        QApplication.processEvents()
        seen.append(canvas_in_window(w))
        return len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]

    qtbot.waitUntil(steady)


def test_canvas_keeps_its_place_when_the_first_photo_brings_the_mask_bar(
        make_window, sandbox, qloop, qtbot, tmp_path):
    w = make_window(sandbox_endpoint(sandbox))
    settle(qtbot, w)
    view = w.compare_view
    empty = canvas_in_window(w)
    assert view.parts.region_built is None or not view.region.bar.isVisibleTo(w)

    w.add_inputs([make_jpeg(tmp_path / "lake.jpg")])
    qloop.run(until(lambda: view.before_image() is not None))
    QApplication.processEvents()
    assert view.region.bar.isVisibleTo(w)  # the tools are there for the photo ...
    assert canvas_in_window(w) == empty  # ... and the canvas did not jump down a row

    w.clear_inputs()
    qloop.run(until(lambda: view.before_image() is None))
    QApplication.processEvents()
    assert not view.region.bar.isVisibleTo(w)
    assert canvas_in_window(w) == empty  # nor up when the photo goes


def test_notice_leaves_the_mask_bar_usable(make_window, sandbox, qloop, qtbot, tmp_path):
    w = make_window(sandbox_endpoint(sandbox))
    settle(qtbot, w)
    view = w.compare_view
    w.add_inputs([make_jpeg(tmp_path / "lake.jpg")])
    qloop.run(until(lambda: view.before_image() is not None))
    w.notices.show(Notice(NoticeKind.TASK_FAILED, NoticeLevel.ERROR, "Something failed",
                          "Details are in the log."))
    qtbot.waitUntil(w.banner.isVisible)
    QApplication.processEvents()
    bar = view.region.bar
    bar_rect = QRect(bar.mapTo(w, QPoint(0, 0)), bar.size())
    banner_rect = QRect(w.banner.mapTo(w, QPoint(0, 0)), w.banner.size())
    assert not banner_rect.intersects(bar_rect), (banner_rect, bar_rect)
    assert canvas_in_window(w).contains(banner_rect.topLeft())  # still over the canvas


def window_with_photo(make_window, sandbox, qloop, qtbot, tmp_path):
    """A 1400 px window with a photo in: the mask bar at its width."""
    w = make_window(sandbox_endpoint(sandbox))
    settle(qtbot, w)
    w.add_inputs([make_jpeg(tmp_path / "lake.jpg")])
    qloop.run(until(lambda: w.compare_view.before_image() is not None))
    QApplication.processEvents()
    return w


def test_brush_sliders_have_room_to_drag_at_1400(make_window, sandbox, qloop, qtbot, tmp_path):
    """The bar at 1400 px was short of room and squeezed both sliders to ~28 px nubs."""
    w = window_with_photo(make_window, sandbox, qloop, qtbot, tmp_path)
    view = w.compare_view
    tools = view.region.toolbar
    for slider in (tools.size_slider, tools.hardness_slider):
        assert slider.isVisibleTo(w) and slider.width() >= 56, slider.width()
    # The brush's [ and ] buttons give way first (their keys stay); the tools stay whole.
    for action in tools.tool_actions.values():
        button = tools.widgetForAction(action)
        assert button is not None and button.isVisibleTo(w)
    assert view.region.feather_spin.isVisibleTo(w)


def test_undo_and_a_labelled_hardness_are_on_the_bar_at_1400(make_window, sandbox, qloop,
                                                             qtbot, tmp_path):
    """At 1400 px "Undo stroke" fell into the ⋯ overflow, and the hardness slider had no
    words beside it (the size slider has its "110 px")."""
    w = window_with_photo(make_window, sandbox, qloop, qtbot, tmp_path)
    view = w.compare_view
    tools = view.region.toolbar
    for action in (tools.undo_action, tools.redo_action, tools.show_action):
        button = tools.widgetForAction(action)
        assert button is not None and button.isVisibleTo(w), action.text()
        # An icon on the bar; its words are still what a screen reader and the tooltip say.
        assert button.accessibleName() == action.text() or action.text() in button.text()
        assert action.text() in button.toolTip()
    label = tools.hardness_label
    assert label.isVisibleTo(w) and label.text() == "Hardness" and label.width() > 0
    assert label.buddy() is tools.hardness_slider
    assert tools.hardness_slider.accessibleName() == "Brush hardness"
    # Next to its slider, left of it.
    assert 0 < tools.hardness_slider.x() - (label.x() + label.width()) < 16
