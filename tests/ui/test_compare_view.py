"""CompareView: what a designer sees and can do, checked on rendered pixels and the public API."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from qwen_studio.ui.compare.compare_view import CompareView
from qwen_studio.ui.compare.image_canvas import BACKGROUND, CHECKER_DARK, CHECKER_LIGHT

RED = QColor(220, 30, 30)
BLUE = QColor(30, 60, 220)
GREEN = QColor(30, 200, 60)
YELLOW = QColor(230, 210, 20)


def solid(w: int, h: int, color: QColor) -> QImage:
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(color)
    return img


def split(w: int, h: int, left: QColor, right: QColor, at: float) -> QImage:
    """Two colours with a vertical boundary at fraction `at` of the width: a position marker."""
    img = solid(w, h, right)
    p = QPainter(img)
    p.fillRect(0, 0, round(w * at), h, left)
    p.end()
    return img


def near(c: QColor, ref: QColor, tol: int = 12) -> bool:
    return all(abs(a - b) <= tol for a, b in
               ((c.red(), ref.red()), (c.green(), ref.green()), (c.blue(), ref.blue())))


@pytest.fixture
def view(qtbot) -> CompareView:
    v = CompareView()
    qtbot.addWidget(v)
    v.resize(900, 560)
    v.show()
    qtbot.waitExposed(v)
    return v


def shot(view: CompareView) -> QImage:
    return view.canvas.grab().toImage()


def px(img: QImage, x: float, y: float) -> QColor:
    return img.pixelColor(round(x), round(y))


def wheel(widget, pos: QPointF, steps: int) -> None:
    ev = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0),
                     QPoint(0, 120 * steps), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, ev)


def test_empty_state_teaches_shortcuts_and_disables_result_actions(view: CompareView) -> None:
    assert view.is_empty()
    text = view.placeholder_text()
    for hint in ("Ctrl+V", "Ctrl+Enter", "Hold Space"):
        assert hint in text
    img = shot(view)
    # The hint is painted, not just stored: the centre of the canvas is not plain grey.
    cx, cy = img.width() // 2, img.height() // 2
    inked = sum(1 for x in range(cx - 150, cx + 150, 2) for y in range(cy - 60, cy + 60, 2)
                if not near(img.pixelColor(x, y), BACKGROUND, 6))
    assert inked > 40
    for button in (view.save_button, view.copy_button, view.use_button, view.reveal_button,
                   view.drag_button):
        assert not button.isEnabled()
    assert view.sizes_label.full_text() == ""


def test_before_only_is_shown_alone_and_labelled(view: CompareView) -> None:
    view.set_before(solid(400, 300, RED))
    assert not view.is_empty() and view.placeholder_text() == ""
    assert view.visible_labels() == ["Before"]
    img = shot(view)
    assert near(px(img, img.width() / 2, img.height() / 2), RED)
    assert view.sizes_label.full_text() == "400×300"
    assert view.sizes_label.toolTip() == "Before 400×300"
    assert not view.save_button.isEnabled()


def test_side_by_side_before_left_after_right(view: CompareView) -> None:
    view.set_before(solid(400, 300, RED))
    view.set_after(solid(400, 300, BLUE))
    assert view.mode() == "side"
    assert view.visible_labels() == ["Before", "After"]
    img = shot(view)
    mid = img.height() / 2
    assert near(px(img, img.width() * 0.25, mid), RED)
    assert near(px(img, img.width() * 0.75, mid), BLUE)
    assert view.sizes_label.full_text() == "400×300"  # the same size is said once
    assert view.sizes_label.toolTip() == "Before 400×300 · After 400×300"
    view.set_after(solid(800, 600, BLUE))
    assert view.sizes_label.full_text() == "400×300 → 800×600"


def _boundary_x(img: QImage, x0: int, x1: int, y: int, left: QColor) -> int:
    """First x in [x0, x1) where the colour stops being `left`."""
    for x in range(x0, x1):
        if not near(img.pixelColor(x, y), left, 40):
            return x
    return x1


def test_panes_show_the_same_region_when_pixel_sizes_differ(view: CompareView) -> None:
    # Same framing, before has 3× the pixels: a marker at 30 % must line up in both panes.
    view.set_before(split(1200, 900, RED, GREEN, 0.3))
    view.set_after(split(400, 300, BLUE, YELLOW, 0.3))
    for _ in range(2):
        img = shot(view)
        half = img.width() // 2
        y = img.height() // 2
        left_edge = _boundary_x(img, 20, half - 10, y, RED)
        right_edge = _boundary_x(img, half + 20, img.width() - 10, y, BLUE)
        assert abs((right_edge - (img.width() - half)) - left_edge) <= 2
        assert near(px(img, left_edge + 8, y), GREEN, 40)
        # Zoom in around a point off-centre and check again.
        wheel(view.canvas, QPointF(half * 0.35, y), 3)


def test_wipe_divider_splits_at_position_and_survives_mode_switch(view: CompareView,
                                                                   qtbot) -> None:
    view.set_before(solid(1600, 800, RED))
    view.set_after(solid(1600, 800, BLUE))
    with qtbot.waitSignal(view.modeChanged) as sig:
        view.set_mode("wipe")
    assert sig.args == ["wipe"]
    view.set_wipe_position(0.3)
    img = shot(view)
    y = img.height() / 2
    assert near(px(img, img.width() * 0.25, y), RED)
    assert near(px(img, img.width() * 0.35, y), BLUE)
    assert view.visible_labels() == ["Before", "After"]

    view.set_mode("side")
    view.set_mode("wipe")
    assert view.wipe_position() == pytest.approx(0.3)
    img = shot(view)
    assert near(px(img, img.width() * 0.25, y), RED)

    # Drag the divider with the mouse to 60 %.
    w = view.canvas.width()
    start = QPoint(round(w * 0.3), round(y) + 40)
    QTest.mousePress(view.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     start)
    QTest.mouseMove(view.canvas, QPoint(round(w * 0.6), start.y()))
    QTest.mouseRelease(view.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       QPoint(round(w * 0.6), start.y()))
    assert view.wipe_position() == pytest.approx(0.6, abs=0.01)
    img = shot(view)
    assert near(px(img, img.width() * 0.5, y), RED)
    assert near(px(img, img.width() * 0.7, y), BLUE)


def test_flip_shows_after_and_space_held_shows_before(view: CompareView) -> None:
    view.set_before(solid(400, 300, RED))
    view.set_after(solid(400, 300, BLUE))
    view.set_mode("flip")
    centre = (view.canvas.width() / 2, view.canvas.height() / 2)
    assert near(px(shot(view), *centre), BLUE)
    assert view.visible_labels() == ["After"]

    QTest.keyPress(view, Qt.Key.Key_Space)
    assert view.showing_before()
    assert view.visible_labels() == ["Before"]
    assert near(px(shot(view), *centre), RED)
    # Auto-repeat while held changes nothing.
    QTest.keyPress(view, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, -1)
    QTest.keyRelease(view, Qt.Key.Key_Space)
    assert not view.showing_before()
    assert near(px(shot(view), *centre), BLUE)

    # Pressing and holding the mouse on the canvas flips too.
    QTest.mousePress(view.canvas, Qt.MouseButton.LeftButton)
    assert near(px(shot(view), *centre), RED)
    QTest.mouseRelease(view.canvas, Qt.MouseButton.LeftButton)
    assert near(px(shot(view), *centre), BLUE)
    assert view.visible_labels() == ["After"]


def test_space_in_side_by_side_shows_before_full_frame(view: CompareView) -> None:
    view.set_before(solid(400, 300, RED))
    view.set_after(solid(400, 300, BLUE))
    QTest.keyPress(view, Qt.Key.Key_Space)
    img = shot(view)
    assert near(px(img, img.width() * 0.6, img.height() / 2), RED)
    assert view.visible_labels() == ["Before"]
    QTest.keyRelease(view, Qt.Key.Key_Space)
    assert view.visible_labels() == ["Before", "After"]


def _pane_boundaries(view: CompareView, first: QColor, second: QColor) -> tuple[int, int]:
    """Where the marker boundary sits in each pane, relative to the pane's left edge."""
    img = shot(view)
    y = img.height() // 2
    (left, _), (right, _) = view.canvas.panes()
    lb = _boundary_x(img, int(left.left()) + 12, int(left.right()), y, first)
    rb = _boundary_x(img, int(right.left()) + 12, int(right.right()), y, second)
    return lb - int(left.left()), rb - int(right.left())


def test_wheel_zoom_changes_both_panes_and_emits(view: CompareView, qtbot) -> None:
    view.set_before(split(400, 300, RED, GREEN, 0.5))
    view.set_after(split(400, 300, BLUE, YELLOW, 0.5))
    fit_zoom = view.zoom()
    left0, right0 = _pane_boundaries(view, RED, BLUE)
    assert abs(left0 - right0) <= 1
    pane = view.canvas.panes()[0][0]
    with qtbot.waitSignal(view.zoomChanged) as sig:
        # Over the left (before) pane, left of the marker: the marker moves right.
        wheel(view.canvas, QPointF(pane.width() * 0.3, pane.height() / 2), 2)
    assert sig.args[0] == pytest.approx(view.zoom())
    assert view.zoom() > fit_zoom and not view.is_fit()
    left1, right1 = _pane_boundaries(view, RED, BLUE)
    assert left1 > left0 + 20
    assert abs(left1 - right1) <= 2  # the after pane followed


def test_fit_keeps_aspect_letterboxing_with_background(qtbot) -> None:
    view = CompareView()
    qtbot.addWidget(view)
    view.set_before(solid(800, 400, GREEN))
    view.resize(500, 500)
    view.show()
    qtbot.waitExposed(view)
    toolbar_h = view.height() - view.canvas.height()
    view.resize(500, 500 + toolbar_h)
    qtbot.waitUntil(lambda: view.canvas.width() == view.canvas.height())
    img = shot(view)
    s = img.width()
    assert near(px(img, s / 2, s * 0.1), BACKGROUND, 2)  # letterbox rows stay grey
    assert near(px(img, s / 2, s * 0.9), BACKGROUND, 2)
    assert near(px(img, s / 2, s / 2), GREEN)
    cols = [x for x in range(s) if near(img.pixelColor(x, s // 2), GREEN)]
    rows = [y for y in range(s) if near(img.pixelColor(s // 2, y), GREEN)]
    assert len(cols) / len(rows) == pytest.approx(2.0, abs=0.03)


def test_before_with_other_aspect_is_not_distorted(view: CompareView) -> None:
    view.set_before(solid(800, 600, RED))  # 4:3
    view.set_after(solid(900, 600, BLUE))  # 3:2 frame
    img = shot(view)
    half = img.width() // 2
    cy = img.height() // 2
    cx = half // 2
    cols = [x for x in range(half) if near(img.pixelColor(x, cy), RED)]
    rows = [y for y in range(img.height()) if near(img.pixelColor(cx, y), RED)]
    assert len(cols) / len(rows) == pytest.approx(4 / 3, abs=0.03)


def test_fit_and_actual_size(view: CompareView, qtbot) -> None:
    view.set_after(solid(2000, 1500, BLUE))
    assert view.is_fit() and view.fit_button.isChecked()
    with qtbot.waitSignal(view.zoomChanged):
        view.actual_button.click()
    assert view.zoom() == pytest.approx(1.0)
    assert view.zoom_label.text() == "100 %"
    assert view.actual_button.isChecked() and not view.fit_button.isChecked()
    view.set_zoom(0.5)
    assert view.zoom_label.text() == "50 %"
    view.fit()
    assert view.is_fit() and view.zoom() < 0.5


def test_zoomed_in_past_200_percent_shows_hard_pixels(view: CompareView) -> None:
    tiny = QImage(4, 4, QImage.Format.Format_RGB32)
    for x in range(4):
        for y in range(4):
            tiny.setPixelColor(x, y, QColor("white") if (x + y) % 2 else QColor("black"))
    view.set_after(tiny)
    view.set_zoom(40.0)  # clamped to the maximum; far beyond 200 %
    img = shot(view)
    y = img.height() // 2 + 5
    values = {img.pixelColor(x, y).red() for x in range(img.width() // 2 - 60,
                                                         img.width() // 2 + 60)}
    assert values <= {0, 255}, "nearest-neighbour: no blended edge pixels"
    assert values == {0, 255}


def test_checkerboard_behind_transparent_after(view: CompareView) -> None:
    clear = QImage(400, 300, QImage.Format.Format_ARGB32)
    clear.fill(Qt.GlobalColor.transparent)
    view.set_before(solid(400, 300, RED))
    view.set_after(clear)
    img = shot(view)
    right = range(img.width() * 5 // 8, img.width() * 7 // 8)
    y = img.height() // 2
    colours = {img.pixelColor(x, y).rgb() for x in right}
    assert QColor(CHECKER_LIGHT).rgb() in colours and QColor(CHECKER_DARK).rgb() in colours
    assert QColor(BACKGROUND).rgb() not in colours


def test_mode_keys_and_exclusive_buttons(view: CompareView, qtbot) -> None:
    view.set_before(solid(40, 30, RED))
    view.set_after(solid(40, 30, BLUE))
    for key, mode in ((Qt.Key.Key_2, "wipe"), (Qt.Key.Key_3, "flip"), (Qt.Key.Key_1, "side")):
        with qtbot.waitSignal(view.modeChanged) as sig:
            QTest.keyClick(view, key)
        assert sig.args == [mode] and view.mode() == mode
        assert [m for m, b in view.mode_buttons.items() if b.isChecked()] == [mode]
    view.mode_buttons["flip"].click()
    assert view.mode() == "flip"
    assert not view.mode_buttons["side"].isChecked()
    with pytest.raises(ValueError):
        view.set_mode("diagonal")


def test_result_strip_only_for_several_results_and_selection_emits(view: CompareView,
                                                                   qtbot) -> None:
    view.set_before(solid(400, 300, RED))
    view.set_results([solid(400, 300, BLUE)])
    assert not view.strip.isVisible()
    view.set_results([solid(400, 300, BLUE), solid(400, 300, GREEN), solid(400, 300, YELLOW)])
    assert view.strip.isVisible() and view.strip.count() == 3
    assert view.current_result_index() == 0
    assert "Result 2 of 3" in view.strip.item(1).data(Qt.ItemDataRole.AccessibleTextRole)
    view.strip.setFocus()
    with qtbot.waitSignal(view.resultSelected) as sig:
        QTest.keyClick(view.strip, Qt.Key.Key_Right)
    assert sig.args == [1] and view.current_result_index() == 1
    img = shot(view)
    assert near(px(img, img.width() * 0.75, img.height() / 2), GREEN)
    view.set_after(solid(400, 300, BLUE))
    assert not view.strip.isVisible() and view.current_result_index() == 0


def test_result_actions_enabled_with_result_and_emit(view: CompareView, qtbot) -> None:
    for button in (view.save_button, view.copy_button, view.use_button, view.reveal_button):
        assert not button.isEnabled()
    view.set_after(solid(40, 30, BLUE))
    pairs = ((view.save_button, view.saveRequested), (view.copy_button, view.copyRequested),
             (view.use_button, view.useAsInputRequested),
             (view.reveal_button, view.revealRequested))
    for button, signal in pairs:
        assert button.isEnabled()
        assert button.accessibleName() and button.accessibleDescription()
        with qtbot.waitSignal(signal):
            button.click()
    assert view.save_action.shortcut().toString() == "Ctrl+S"
    assert view.copy_action.shortcut().toString() == "Ctrl+Shift+C"


def test_drag_out_offers_file_url_and_image(view: CompareView, tmp_path: Path) -> None:
    view.set_after(solid(40, 30, BLUE))
    assert view.result_mime_data() is None and not view.drag_button.isEnabled()
    saved = tmp_path / "result.png"
    saved.write_bytes(b"")
    view.set_result_path(saved)
    assert view.drag_button.isEnabled()
    mime = view.result_mime_data()
    assert mime is not None
    assert [u.toLocalFile() for u in mime.urls()] == [str(saved)]
    assert mime.hasImage()
    view.set_after(solid(40, 30, GREEN))  # a new result is not that file any more
    assert view.result_mime_data() is None


def test_busy_line_is_drawn_on_canvas_and_cleared(view: CompareView) -> None:
    view.set_before(solid(400, 300, RED))
    plain = shot(view)
    view.set_busy("Editing… 12 s")
    assert view.busy_text() == "Editing… 12 s"
    assert "Editing… 12 s" in view.canvas.accessibleDescription()
    busy = shot(view)
    w, h = busy.width(), busy.height()
    changed = sum(1 for x in range(w // 2 - 40, w // 2 + 40)
                  for y in range(h - 50, h - 15) if busy.pixelColor(x, y) != plain.pixelColor(x, y))
    assert changed > 50
    view.set_busy(None)
    assert view.busy_text() is None
    assert shot(view) == plain


def test_narrow_view_moves_buttons_into_the_overflow_menu(view: CompareView, qtbot) -> None:
    view.set_after(solid(40, 30, BLUE))
    view.resize(1400, 400)  # wide enough for every button, with or without a theme
    qtbot.waitUntil(lambda: view.reveal_button.isVisible())
    assert view.use_button.isVisible() and view.reveal_button.isVisible()
    assert not view.more_button.isVisible() and view.overflow_actions() == []
    view.resize(480, 400)
    qtbot.waitUntil(lambda: view.width() == 480)
    # Nothing vanishes: what does not fit is one click away in the ⋯ menu.
    assert not view.reveal_button.isVisible() and view.more_button.isVisible()
    assert view.reveal_action in view.overflow_actions()
    for button in (view.save_button, view.copy_button, view.use_button, view.reveal_button):
        assert button.isVisible() or button.defaultAction() in view.overflow_actions()
    assert view.drag_button.isVisible() and view.mode_buttons["flip"].isVisible()
    bar = view.findChild(QWidget, "compareToolbar")
    assert bar is not None
    visible = [w for w in bar.findChildren(QWidget) if w.isVisible()]
    assert all(w.geometry().right() <= bar.width() for w in visible)
    view.resize(1400, 400)
    qtbot.waitUntil(lambda: view.reveal_button.isVisible())
    assert view.use_button.isVisible() and not view.more_button.isVisible()


def test_controls_are_named_for_assistive_tech(view: CompareView) -> None:
    assert view.objectName() == "compareView"
    assert view.accessibleName() == "Before and after comparison"
    buttons = [*view.mode_buttons.values(), view.fit_button, view.actual_button,
               view.save_button, view.copy_button, view.use_button, view.reveal_button,
               view.drag_button]
    for b in buttons:
        assert b.objectName() and b.accessibleName() and b.accessibleDescription(), b
        assert b.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_sizes_shorten_by_whole_forms_and_zoom_says_whose(view: CompareView, qtbot) -> None:
    view.set_before(solid(600, 400, RED))
    view.set_after(solid(1248, 832, BLUE))
    view.resize(1300, 400)  # room for every button and both sizes, in any test order
    qtbot.waitUntil(lambda: view.sizes_label.text() == "600×400 → 1248×832")
    # Different sizes: the zoom shown is the after image's, and the toolbar says so.
    assert view.zoom_label.text().endswith("of after")
    for width in (1100, 900, 700, 560, 480, 400):
        view.resize(width, 400)
        qtbot.waitUntil(lambda w=width: view.width() == w)
        text = view.sizes_label.text()
        assert text in ("600×400 → 1248×832", "1248×832", ""), text  # never "600×4…8×832"
        assert "…" not in text
        shown = view.sizes_label.fontMetrics().horizontalAdvance(text)
        assert shown <= view.sizes_label.width()
        if not text:  # the buttons moved into ⋯ before the result's size went
            assert not any(b.isVisible() for b in (view.save_button, view.copy_button,
                                                   view.use_button, view.reveal_button))
    view.set_after(solid(600, 400, BLUE))
    assert not view.zoom_label.text().endswith("of after")


def test_running_placeholder_counts_seconds_and_marks_the_previous(view: CompareView,
                                                                   qtbot) -> None:
    view.set_before(solid(400, 300, RED))
    view.set_after(solid(400, 300, BLUE))
    now = [100.0]
    view.show_running(88.0, clock=lambda: now[0])
    assert view.busy_text() == "Editing… 12 s"
    now[0] = 101.0
    qtbot.waitUntil(lambda: view.busy_text() == "Editing… 13 s", timeout=3000)
    # One pill, and the result on screen is labelled as the previous one.
    assert view.canvas._after_word() == "Previous"
    view.show_running(None, more=2)
    assert view.busy_text().startswith("Waiting to start…") and "+2" in view.busy_text()
    view.set_busy(None)
    assert view.busy_text() is None and view.canvas._after_word() == "After"
