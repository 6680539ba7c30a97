"""A history row as painted: the day label ("TODAY") is whole, also on a selected row and
in Chinese, and the star and the status are icons of the icon set, not glyphs (issue #17)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem
from window_helpers import OneRowModel, RecordingPainter

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.request import EditRequest
from qwen_studio.ui import theme
from qwen_studio.ui.history.delegate import HistoryDelegate
from qwen_studio.ui.history.entries import BatchGroup
from qwen_studio.ui.history.model import HistoryEntry

WIDTH = 300
GLYPHS = "★☆✓✗⟳⚠◷⊘↷▸▾"


def paint(header: str, *, selected: bool, status: EditStatus = EditStatus.DONE,
          favourite: bool = False, batch: bool = False,
          ) -> tuple[QImage, RecordingPainter, HistoryDelegate, QRect]:
    entry = HistoryEntry(edit_id=1, request=EditRequest(inputs=(), prompt="add snow"),
                         status=status, finished=None, favourite=favourite)
    model = OneRowModel(BatchGroup("b1", [entry, entry]) if batch else entry, header)
    delegate = HistoryDelegate()
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, WIDTH, HistoryDelegate.ROW)
    option.font = QApplication.font()
    option.palette = QApplication.palette()
    option.state = QStyle.StateFlag.State_Enabled | (
        QStyle.StateFlag.State_Selected if selected else QStyle.StateFlag(0))
    image = QImage(WIDTH, HistoryDelegate.ROW, QImage.Format.Format_RGB32)
    image.fill(theme.colour("list"))
    painter = RecordingPainter(image)
    delegate.paint(painter, option, model.index(0))
    painter.end()
    return image, painter, delegate, QRect(option.rect)  # the option dies here


def ink_box(image: QImage, area: QRect, bg: QColor) -> QRect:
    """The bounding box of the pixels in `area` that differ from `bg`."""
    xs, ys = [], []
    for y in range(area.top(), area.bottom() + 1):
        for x in range(area.left(), area.right() + 1):
            if image.pixelColor(x, y) != bg:
                xs.append(x)
                ys.append(y)
    assert xs, "nothing drawn there"
    return QRect(min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


@pytest.mark.parametrize("header", ["Today", "今天"])
def test_the_day_label_is_whole_also_on_a_selected_row(qapp, header: str):
    plain, _, delegate, full = paint(header, selected=False)
    chosen, _, _, _ = paint(header, selected=True)
    band = delegate.header_rect(full)
    fonts = delegate._fonts_for(QApplication.font())
    label = header.upper()
    # The label's line fits its band, and the band ends where the row's own area (which a
    # selected or hovered row fills) begins.
    assert fonts.header_fm.height() <= band.height()
    assert band.top() >= full.top()
    row_top = full.top() + HistoryDelegate.HEADER - HistoryDelegate.PAD
    assert band.bottom() < row_top, (band, row_top)
    # As painted: the label's ink lies inside the band, and the selected row draws it the
    # same, pixel for pixel (nothing painted over its lower half).
    text = QRect(band.left(), full.top(), fonts.header_fm.horizontalAdvance(label),
                 HistoryDelegate.HEADER)
    ink = ink_box(plain, text, theme.colour("list"))
    assert band.contains(ink), (ink, band)
    assert ink.top() > full.top() and ink.bottom() < row_top
    for y in range(ink.top(), ink.bottom() + 1):
        for x in range(ink.left(), ink.right() + 1):
            assert chosen.pixelColor(x, y) == plain.pixelColor(x, y), (x, y)


@pytest.mark.parametrize(("favourite", "batch"), [(False, False), (True, False), (False, True)])
def test_star_and_status_are_icons_not_glyphs(qapp, favourite: bool, batch: bool):
    image, painter, delegate, full = paint("", selected=False, status=EditStatus.FAILED,
                                           favourite=favourite, batch=batch)
    # The words are there, no glyph drawn as text.
    assert any("failed" in t.lower() for t in painter.texts), painter.texts
    assert not [t for t in painter.texts if any(g in t for g in GLYPHS)], painter.texts
    # The star is drawn (an icon in the star's colour when starred).
    star = delegate.star_rect(full)
    ink = ink_box(image, star, theme.colour("list"))
    assert ink.width() >= 8 and ink.height() >= 8
    if favourite:
        colours = {image.pixelColor(x, y).name() for x in range(star.left(), star.right())
                   for y in range(star.top(), star.bottom())}
        assert theme.colour("star_on").name() in colours
    # No result: the thumbnail shows the status's icon in the status colour.
    thumb = QRect(HistoryDelegate.PAD, full.top() + HistoryDelegate.HEADER,
                  HistoryDelegate.THUMB, HistoryDelegate.THUMB)
    colours = {image.pixelColor(x, y).name() for x in range(thumb.left(), thumb.right())
               for y in range(thumb.top(), thumb.bottom())}
    from qwen_studio.ui.theme.status import status_colour

    wanted = theme.readable(QColor(status_colour(EditStatus.FAILED)), theme.colour("list"))
    assert wanted.name() in colours
