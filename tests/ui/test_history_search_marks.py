"""The history search marks the words it found in the rows' prompts."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem
from test_history_panel import loaded, seed
from window_helpers import until

from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest
from qwen_studio.ui import theme
from qwen_studio.ui.history.delegate import HistoryDelegate, match_spans, search_terms
from qwen_studio.ui.history.entries import HistoryFilter
from qwen_studio.ui.history.model import DONE, EntryRole, HeaderRole, HistoryEntry

_ROOT = QModelIndex()


class _Rows(QAbstractListModel):
    """One row, and the search the list was filtered by (as HistoryModel.filter)."""

    def __init__(self, entry: HistoryEntry, text: str) -> None:
        super().__init__()
        self.entry, self.filter = entry, HistoryFilter(text=text)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 1

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        return {EntryRole: self.entry, HeaderRole: ""}.get(role)


def _paint(qapp, text: str) -> QImage:
    entry = HistoryEntry(edit_id=1, request=EditRequest(inputs=(), prompt="add snow to the roof"),
                         status=DONE)
    model = _Rows(entry, text)  # kept alive while its index is painted
    return _paint_index(qapp, model.index(0))


def _paint_index(qapp, index) -> QImage:
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 360, 100)
    option.font = qapp.font()
    option.palette = qapp.palette()
    option.state = QStyle.StateFlag.State_Enabled
    image = QImage(360, 100, QImage.Format.Format_RGB32)
    image.fill(theme.colour("list"))
    painter = QPainter(image)
    HistoryDelegate().paint(painter, option, index)
    painter.end()
    return image


def _changed_columns(a: QImage, b: QImage) -> list[int]:
    return [x for x in range(a.width())
            if any(a.pixel(x, y) != b.pixel(x, y) for y in range(a.height()))]


def test_the_found_word_is_marked_and_only_it(qapp):
    plain = _paint(qapp, "")
    assert _changed_columns(plain, _paint(qapp, "chimney")) == []  # no match: no mark
    cols = _changed_columns(plain, _paint(qapp, "SNOW"))  # the search ignores case
    assert cols, "the matched word is not marked"
    fm = QFontMetrics(qapp.font())
    left = HistoryDelegate.PAD * 2 + HistoryDelegate.THUMB + 2
    snow_x = left + fm.horizontalAdvance("add ")
    # The row's text is laid out by QTextLayout (sub-pixel advances), the mark by the font's
    # metrics: a few pixels apart at most. The neighbouring words stay unmarked.
    assert snow_x - 3 <= min(cols) and max(cols) <= snow_x + fm.horizontalAdvance("snow") + 3
    assert min(cols) > left + fm.horizontalAdvance("ad")  # not "add"
    assert max(cols) < left + fm.horizontalAdvance("add snow t")  # nor "to"


def test_match_spans_words_and_overlaps():
    assert search_terms('pink  "Sky" pink') == ("pink", "sky")
    assert match_spans("Make the sky pink", ("pink", "sky")) == [(9, 12), (13, 17)]
    assert match_spans("pinkpink", ("pink",)) == [(0, 4), (4, 8)]
    assert match_spans("nothing", ("pink",)) == []


def test_search_in_the_window_marks_rows(make_window, qloop, qapp):
    """Through the real HistoryModel: its search text is what the rows mark."""
    with Library() as lib:
        seed(lib, ["make the sky pink"])
    window = make_window()
    panel = window.history_panel
    images: list[QImage] = []

    async def scenario() -> None:
        await loaded(window, 1)
        # The row's spend ("≈ ¥0.20") comes with the prices, which may load after the
        # rows: paint once the row is whole, so the two paints differ by the mark only.
        await until(lambda: window.history_model.index(0).data(EntryRole).spend, 5, "the spend")
        images.append(_paint_index(qapp, window.history_model.index(0)))
        panel.search.setText("pink")
        await until(lambda: window.history_model.filter.text == "pink", 5, "the search")
        await loaded(window, 1)
        images.append(_paint_index(qapp, window.history_model.index(0)))

    qloop.run(scenario())
    fm = QFontMetrics(qapp.font())
    left = HistoryDelegate.PAD * 2 + HistoryDelegate.THUMB + 2
    # The text only: the thumbnail may arrive between the two paints.
    cols = [x for x in _changed_columns(images[0], images[1]) if x >= left]
    pink_x = left + fm.horizontalAdvance("make the sky ")
    assert cols, "the matched word is not marked"
    assert pink_x - 1 <= min(cols) and max(cols) <= pink_x + fm.horizontalAdvance("pink") + 1
