"""The history row painter keeps what rows share (texts laid out once, the time's text by
its minute of the day): a row painted again after it changed shows the change, and the
kept time is the local time of each row, across daylight saving too."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QImage
from window_helpers import RecordingPainter

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.history import row_text
from qwen_studio.ui.history.entries import HistoryEntry, HistoryFilter
from qwen_studio.ui.history.row_painter import PLAIN, ROW, RowPainter


class _Model:
    filter = HistoryFilter()

    def thumbnail(self, _path: object) -> None:
        return None


def painted_texts(rows: RowPainter, entry: HistoryEntry, qapp, width: int = 420) -> list[str]:
    image = QImage(width, ROW, QImage.Format.Format_RGB32)
    image.fill(QColor("black"))
    painter = RecordingPainter(image)
    frame = rows.frame(painter, qapp.font(), qapp.palette(), _Model())
    rows.paint_row(painter, frame, 0, 0, width, entry, "", PLAIN)
    painter.end()
    return painter.texts


def test_a_row_painted_again_shows_its_new_status_spend_and_time(qapp):
    rows = RowPainter()  # one painter for both paints: what it kept must not stand in
    e = HistoryEntry(edit_id=1, request=EditRequest(inputs=(), prompt="add snow"),
                     created=1.7e9, status=EditStatus.DONE, started=1.7e9,
                     finished=1.7e9 + 3)
    e.spend = "≈ $0.15"
    first = painted_texts(rows, e, qapp)
    assert "done in 3 s" in first and "≈ $0.15" in first
    assert row_text.clock(1.7e9) in first
    e.status, e.spend, e.created = EditStatus.FAILED, "", 1.7e9 + 3600
    again = painted_texts(rows, e, qapp)
    assert "failed" in again and not any("done" in t for t in again), again
    assert "≈ $0.15" not in again
    assert row_text.clock(1.7e9 + 3600) in again and row_text.clock(1.7e9) not in again


def test_a_status_too_long_for_its_room_is_cut_for_that_room_only(qapp):
    rows = RowPainter()
    e = HistoryEntry(edit_id=1, request=EditRequest(inputs=(), prompt="x"), created=1.7e9,
                     status=EditStatus.DONE, started=1.7e9, finished=1.7e9 + 12)
    e.result_paths = []
    assert "done in 12 s" in painted_texts(rows, e, qapp, width=420)
    narrow = painted_texts(rows, e, qapp, width=190)  # "done in 12 s" does not fit here
    assert "done in 12 s" not in narrow and any(t.startswith("done") for t in narrow), narrow
    assert "done in 12 s" in painted_texts(rows, e, qapp, width=420)  # wide again: whole


@pytest.fixture
def zone() -> Iterator[None]:
    before = os.environ.get("TZ")
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()
    row_text._offsets.clear()


@pytest.mark.parametrize("tz", ["Europe/London", "America/St_Johns", "Australia/Lord_Howe",
                                "Asia/Kolkata"])
def test_the_time_of_a_row_is_its_local_time_across_daylight_saving(zone, tz: str):
    os.environ["TZ"] = tz
    time.tzset()
    row_text._offsets.clear()
    # Every 7 minutes over 2024 (both switches of each zone), and densely around them.
    stamps = list(range(1_704_067_200, 1_735_689_600, 421))
    stamps += list(range(1_711_800_000, 1_712_400_000, 59))
    wrong = [ts for ts in stamps
             if row_text.clock(ts) != time.strftime("%H:%M", time.localtime(ts))]
    assert not wrong, [(ts, row_text.clock(ts)) for ts in wrong[:5]]
