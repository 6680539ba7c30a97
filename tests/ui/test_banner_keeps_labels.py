"""A notice banner over the canvas leaves the "Before"/"After" labels readable: they move
below it while it shows and back to the corner when it goes (left8ui)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QColor, QImage

from qwen_studio.ui.compare.canvas_area import CanvasArea
from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel, Notices


def _photo(color: str) -> QImage:
    img = QImage(1200, 800, QImage.Format.Format_RGB32)
    img.fill(QColor(color))
    return img


@pytest.fixture
def area(qtbot) -> CanvasArea:
    area = CanvasArea(Notices())
    qtbot.addWidget(area)
    area.resize(1000, 700)
    area.show()
    qtbot.waitExposed(area)
    view = area.compare_view
    view.set_before(_photo("#d9a070"))
    view.set_after(_photo("#70a0d9"))
    return area


def _banner_on_canvas(area: CanvasArea) -> QRectF:
    banner, canvas = area.banner, area.compare_view.canvas
    return QRectF(QRect(canvas.mapFrom(area, banner.geometry().topLeft()), banner.size()))


@pytest.mark.parametrize("mode", ["side", "wipe", "flip"])
def test_labels_move_below_a_banner_and_back(area, qtbot, mode):
    view, canvas = area.compare_view, area.compare_view.canvas
    view.set_mode(mode)
    corner = canvas.label_rects()
    assert corner and all(r.top() <= 12 for r in corner)

    area.notices.show(Notice(
        NoticeKind.TASK_FAILED, NoticeLevel.ERROR,
        "The service had an internal error (HTTP 500): An internal error has occured, please "
        "try again later or contact service support. — retrying in 1 s (attempt 2 of 4)",
        "Retrying automatically — nothing to do. Esc cancels."))
    qtbot.waitUntil(lambda: area.banner.isVisible())
    cover = _banner_on_canvas(area)
    assert cover.bottom() > 20  # the banner does lie over the canvas' top edge
    labels = canvas.label_rects()
    assert len(labels) == len(corner)
    for r in labels:
        assert not r.intersects(cover), f"label {r} under the banner {cover}"
        assert r.top() < canvas.height() / 3  # still a corner label, just lower

    # What the user sees (banner drawn over the canvas) shows each label as painted.
    whole, alone = area.grab().toImage(), canvas.grab().toImage()
    at = canvas.mapTo(area, canvas.rect().topLeft())
    for r in labels:
        box = r.toAlignedRect()
        assert whole.copy(box.translated(at)) == alone.copy(box), f"label {r} covered"

    area.notices.clear()
    qtbot.waitUntil(lambda: not area.banner.isVisible())
    assert canvas.label_rects() == corner  # back in the corner
