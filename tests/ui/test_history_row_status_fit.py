"""A done row too narrow for "done in 12 s" beside its price (the history at 1400 px once its
scroll bar shows) says a whole "done", not "done in …". (At the panel's minimum width even
"done" is cut: the price keeps its room.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem
from window_helpers import OneRowModel, RecordingPainter

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.request import EditRequest
from qwen_studio.ui import theme
from qwen_studio.ui.history.delegate import HistoryDelegate
from qwen_studio.ui.history.model import HistoryEntry


def painted_texts(width: int, results: int = 0) -> list[str]:
    entry = HistoryEntry(edit_id=1, request=EditRequest(inputs=(), prompt="add snow"),
                         status=EditStatus.DONE, created=1000.0, started=1000.0,
                         finished=1012.0,
                         result_paths=[Path(f"r{k}.png") for k in range(results)])
    entry.spend = "≈ ¥0.20"
    model = OneRowModel(entry)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, width, HistoryDelegate.ROW)
    option.font = QApplication.font()
    option.palette = QApplication.palette()
    option.state = QStyle.StateFlag.State_Enabled
    image = QImage(width, HistoryDelegate.ROW, QImage.Format.Format_RGB32)
    image.fill(theme.colour("list"))
    painter = RecordingPainter(image)
    HistoryDelegate().paint(painter, option, model.index(0))
    painter.end()
    return painter.texts


@pytest.mark.parametrize("width", [230, 245, 260, 300, 400])
def test_a_done_row_says_done_whole_at_every_width(qapp, width: int):
    texts = painted_texts(width)
    status = [t for t in texts if t.startswith("done")]
    assert status, texts
    assert status[0] in ("done in 12 s", "done"), status  # never "done in …"
    assert "≈ ¥0.20" in texts  # the price stays whole beside it


def test_a_wide_row_keeps_the_time_it_took(qapp):
    assert "done in 12 s" in painted_texts(400)


@pytest.mark.parametrize("width", [230, 245, 260, 300, 330, 360, 400, 600])
def test_an_edit_with_several_results_keeps_its_time_where_one_result_does(qapp, width: int):
    """A row of an edit that made 3 images said a bare "done" where a 1-image edit's row
    beside it said "done in 12 s" ("done in 12 s · 3 images" did not fit, and its short form
    was "done"): the count goes first, the time it took stays as long as it fits."""
    one = [t for t in painted_texts(width, 1) if t.startswith("done")]
    three = [t for t in painted_texts(width, 3) if t.startswith("done")]
    assert one and three, (one, three)
    if one[0] == "done in 12 s":
        assert three[0] in ("done in 12 s", "done in 12 s · 3 images"), (width, three)
    else:
        assert three[0] == one[0], (width, one, three)
    if width >= 600:
        assert three[0] == "done in 12 s · 3 images"
