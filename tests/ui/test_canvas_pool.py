"""Large photos on the compare canvas: the pixel work is done in the pool, the picture is at
least as good as if the canvas had done it, and replaced photos are freed off the GUI
thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from qwen_studio.ui import image_loading as il
from qwen_studio.ui.compare.compare_view import CompareView
from qwen_studio.ui.compare.result_strip import THUMB


def detailed(w: int, h: int) -> QImage:
    """Fine stripes and blocks: any difference in how it is downscaled shows in the pixels."""
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor(40, 90, 160))
    p = QPainter(img)
    for x in range(0, w, 7):
        p.fillRect(x, 0, 3, h, QColor((x * 13) % 256, 200, (x * 5) % 256))
    for y in range(0, h, 11):
        p.fillRect(0, y, w, 2, QColor(250, (y * 7) % 256, 30))
    p.fillRect(w // 3, h // 3, w // 4, h // 4, QColor(230, 30, 30))
    p.end()
    return img


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("photos") / "large.jpg"
    assert detailed(3400, 2260).save(str(path), "JPEG", 92)
    return path


@pytest.fixture
def view(qtbot) -> CompareView:
    v = CompareView()
    qtbot.addWidget(v)
    v.resize(900, 560)  # side by side: each pane fits the photo to ~430 px
    v.show()
    qtbot.waitExposed(v)
    return v


def test_large_photo_arrives_with_copies_down_to_pane_size(photo: Path) -> None:
    image = il.decode_image(photo, 8192)
    sides = [max(level.width(), level.height()) for level in getattr(image, "levels", ())]
    assert sides[:2] == list(il.DISPLAY_LEVEL_SIDES)
    assert sides == sorted(sides, reverse=True)
    # Small enough for a fitted side-by-side pane, so painting it needs no halving of a
    # 1280 px copy on the GUI thread.
    assert il.SMALLEST_LEVEL_SIDE <= sides[-1] < 2 * il.SMALLEST_LEVEL_SIDE


def _mean_diff(a: QImage, b: QImage) -> float:
    diffs = [abs(ca - cb)
             for y in range(0, a.height(), 2) for x in range(0, a.width(), 2)
             for ca, cb in zip(a.pixelColor(x, y).getRgb()[:3], b.pixelColor(x, y).getRgb()[:3],
                               strict=True)]
    return sum(diffs) / len(diffs)


def test_fitted_photo_looks_as_good_as_when_the_canvas_halved_it(view: CompareView,
                                                                  photo: Path) -> None:
    # The pool halves with Pillow (Lanczos, which releases the GIL), the canvas with Qt's
    # smooth scaling: different pixels on these fine stripes, so both are compared with an
    # ideal downscale (Lanczos from the full photo). Measured: pool 4.4, canvas 8.3 levels.
    pooled = il.decode_image(photo, 8192)
    # What the canvas got before the pool made the small copies: the big levels only.
    again = il.decode_image(photo, 8192)
    decoded_only = il.DecodedImage(again)
    decoded_only.levels = tuple(lv for lv in again.levels
                                if max(lv.width(), lv.height()) >= il.DISPLAY_LEVEL_SIDES[-1])
    shots = []
    for image in (decoded_only, pooled):
        view.set_before(image)
        view.set_after(image)  # side by side: ~430 px panes, painted from a halving
        canvas = view.canvas
        assert canvas._after is not None
        pane = next(rect for rect, role in canvas.panes() if role == "after")
        rect = canvas.image_rect(pane, canvas._after).toAlignedRect()
        shots.append(canvas.grab().toImage().copy(rect.adjusted(2, 2, -2, -2)))
    full = Image.open(photo).convert("RGB").resize((rect.width(), rect.height()),
                                                   Image.Resampling.LANCZOS)
    data = full.tobytes()
    ideal = QImage(data, full.width, full.height, full.width * 3,
                   QImage.Format.Format_RGB888).copy(rect.adjusted(2, 2, -2, -2).translated(
                       -rect.left(), -rect.top()))
    canvas_err, pool_err = (_mean_diff(shot, ideal) for shot in shots)
    assert pool_err <= canvas_err, (pool_err, canvas_err)


def test_painting_a_fitted_photo_builds_no_copies_on_the_gui_thread(view: CompareView,
                                                                      photo: Path) -> None:
    image = il.decode_image(photo, 8192)
    view.set_before(image)
    view.set_after(image)
    before = view.canvas._before
    assert before is not None
    pyramid = len(before._mips)
    view.canvas.grab()
    view.set_mode("wipe")  # a wider pane picks another copy
    view.canvas.grab()
    assert len(before._mips) == pyramid


def test_half_transparent_result_looks_the_same_in_either_alpha_format(view: CompareView,
                                                                         qtbot) -> None:
    # The canvas no longer converts a whole image to premultiplied alpha when it gets it:
    # straight alpha must still show exactly the same colours, fitted and at 100 %.
    straight = QImage(600, 400, QImage.Format.Format_ARGB32)
    straight.fill(QColor(220, 30, 30, 128))
    p = QPainter(straight)
    p.fillRect(100, 100, 200, 100, QColor(30, 60, 220, 200))
    p.end()
    premultiplied = straight.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    shots = []
    for image in (premultiplied, straight):
        view.set_before(QImage())
        view.set_after(image)
        view.fit()
        fitted = view.canvas.grab().toImage()
        view.actual_size()
        shots.append((fitted, view.canvas.grab().toImage()))
    for a, b in zip(shots[0], shots[1], strict=True):
        diff = max(abs(ca - cb)
                   for y in range(0, a.height(), 7) for x in range(0, a.width(), 7)
                   for ca, cb in zip(a.pixelColor(x, y).getRgb(), b.pixelColor(x, y).getRgb(),
                                     strict=True))
        assert diff <= 1


def test_replaced_photo_is_freed_on_a_pool_thread(view: CompareView, qtbot) -> None:
    freed: list[str] = []

    class Tracked(QImage):
        def __del__(self) -> None:
            freed.append(threading.current_thread().name)

    big = Tracked(800, 600, QImage.Format.Format_RGB32)
    big.fill(Qt.GlobalColor.darkGreen)
    view.set_before(big)
    view.set_after(Tracked(big))
    view.canvas.grab()
    del big
    assert freed == []  # still shown
    view.set_before(None)
    view.set_results([])
    qtbot.waitUntil(lambda: len(freed) == 2, timeout=5000)
    assert all(name.startswith("qs-io") for name in freed), freed
    assert view.is_empty()


def test_strip_thumbnails_of_large_results_show_their_picture(view: CompareView,
                                                              photo: Path) -> None:
    results = [il.decode_image(photo, 8192) for _ in range(2)]
    view.set_results(results)
    assert view.strip.isVisible() and view.strip.count() == 2
    icon = view.strip.item(0).icon()
    thumb = icon.pixmap(THUMB, THUMB).toImage()
    assert max(thumb.width(), thumb.height()) == THUMB
    # The red block a third of the way in is where it is in the photo.
    c = thumb.pixelColor(round(thumb.width() * 0.45), round(thumb.height() * 0.45))
    assert c.red() > 150 and c.green() < 90 and c.blue() < 90
