"""The compare view's Changes mode: a region edit's changed pixels in red over the grey
original, so a designer sees that nothing outside the region moved (issue #15)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtTest import QTest

from qwen_studio.ui.compare.compare_view import CompareView

REGION = (120, 90, 60, 40)  # x, y, w, h of the pixels the "edit" changed


def photo() -> QImage:
    img = QImage(400, 300, QImage.Format.Format_RGB32)
    p = QPainter(img)
    for x in range(0, 400, 20):  # stripes: an original with structure, not one colour
        p.fillRect(x, 0, 20, 300, QColor(40 + x // 3, 90, 160 - x // 4))
    p.end()
    return img


def edited(before: QImage) -> QImage:
    after = before.copy()
    p = QPainter(after)
    p.fillRect(*REGION, QColor(30, 200, 60))
    p.end()
    return after


@pytest.fixture
def view(qtbot) -> CompareView:
    v = CompareView()
    qtbot.addWidget(v)
    v.resize(900, 560)
    v.show()
    qtbot.waitExposed(v)
    return v


def test_changes_mode_shows_only_the_changed_pixels_in_red(view: CompareView, qtbot) -> None:
    before = photo()
    view.set_before(before)
    view.set_after(edited(before))
    assert "changes" in view.mode_buttons  # a mode next to side by side, wipe and flip
    with qtbot.waitSignal(view.modeChanged):
        QTest.keyClick(view, Qt.Key.Key_4)
    assert view.mode() == "changes"
    qtbot.waitUntil(lambda: view.changes.count is not None, timeout=10_000)
    x, y, w, h = REGION
    assert view.changes.count == w * h
    assert view.changes.box == (x, y, x + w, y + h)
    assert view.visible_labels() == ["Changes"]
    assert f"{w * h:,} pixels changed" in view.changes.caption()
    assert view.changes.caption() in view.canvas.accessibleDescription()

    shot = view.canvas.grab().toImage()
    rect = view.canvas.image_rect(view.canvas.panes()[0][0], view.canvas._before)

    def at(ix: float, iy: float) -> QColor:
        return shot.pixelColor(round(rect.x() + ix * rect.width() / 400),
                               round(rect.y() + iy * rect.height() / 300))

    inside = at(x + w / 2, y + h / 2)
    assert inside.red() > 200 and inside.green() < 90  # changed: red
    for ix, iy in ((40, 250), (350, 40), (x - 20, y + h / 2), (x + w + 20, y + h / 2)):
        c = at(ix, iy)  # unchanged: the original in grey
        assert abs(c.red() - c.green()) <= 3 and abs(c.green() - c.blue()) <= 3, (ix, iy, c)

    # Another result: the heatmap follows it; nothing changed says so.
    view.set_after(before.copy())
    qtbot.waitUntil(lambda: view.changes.count == 0, timeout=10_000)
    assert view.changes.caption() == "No pixel changed"
    # Back to side by side: no heatmap is kept or computed.
    view.set_mode("side")
    assert view.visible_labels() == ["Before", "After"] and not view.canvas.has_changes()


def test_a_whole_image_edit_is_not_painted_as_a_red_region(view: CompareView, qtbot) -> None:
    """Red marks a region's changes. A whole-image edit (here an answer of another size,
    scaled back, so every pixel differs) filled the pane with one red block the size of the
    photo, which read as a region covering it all."""
    before = photo()
    after = before.scaled(416, 312).copy()  # the service's ~1 MP answer of another size
    p = QPainter(after)
    p.fillRect(0, 0, 416, 312, QColor(255, 220, 120, 90))  # a warmer look, all over
    p.end()
    view.set_before(before)
    view.set_after(after)
    view.set_mode("changes")
    qtbot.waitUntil(lambda: view.changes.count is not None, timeout=10_000)
    assert view.changes.caption().startswith("The whole image changed (120,000 pixels)")
    assert view.changes.caption() in view.canvas.accessibleDescription()

    shot = view.canvas.grab().toImage()
    shown = view.canvas._before
    assert shown is not None
    rect = view.canvas.image_rect(view.canvas.panes()[0][0], shown).toRect()
    red = sum(1 for y in range(rect.top() + 2, rect.bottom() - 2, 7)
              for x in range(rect.left() + 2, rect.right() - 2, 7)
              if (c := shot.pixelColor(x, y)).red() > 200 and c.green() < 90)
    assert red == 0  # the result as it is, not a red block
    assert view.changes.whole

    # A region edit is still red inside its region.
    view.set_after(edited(before))
    qtbot.waitUntil(lambda: view.changes.count == REGION[2] * REGION[3], timeout=10_000)
    assert not view.changes.whole and "all within" in view.changes.caption()
