"""The history list paints its rows itself (list_view.py): what a user does with it still
lands on the edit they see, selected and hovered rows look it, its scroll bar looks like
the style's own, and a prompt shows in two lines."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from history_helpers import seed
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QScrollBar, QWidget
from window_helpers import until

from qwen_studio.core.library import Library
from qwen_studio.ui import theme
from qwen_studio.ui.history.model import HistoryModel
from qwen_studio.ui.history.panel import HistoryPanel
from qwen_studio.ui.history.row_painter import BAND, ROW
from qwen_studio.ui.history.row_text import Prompt, RowFonts
from qwen_studio.ui.history.scroll_bar import KeptScrollBar


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    ex = ThreadPoolExecutor(max_workers=2)
    yield ex
    ex.shutdown(wait=True)


@pytest.fixture
def panel(tmp_path: Path, pool: ThreadPoolExecutor, qloop, qtbot) -> Iterator[HistoryPanel]:
    with Library(tmp_path / "lib") as lib:
        seed(lib, [f"edit number {i}" for i in range(12)])  # oldest first
        model = HistoryModel(lib, pool)
        panel = HistoryPanel(model)
        qtbot.addWidget(panel)
        panel.resize(360, 700)
        panel.show()
        qtbot.waitExposed(panel)
        qtbot.waitUntil(lambda: model.rowCount() == 12 and not model.is_loading(), timeout=5000)
        yield panel
        # Selecting a row reads its version tree: let those reads finish on the loop.
        qloop.run(until(lambda: not panel.tasks.pending(), 10, "version trees read"))
        model.close()


def row_centre(panel: HistoryPanel, row: int) -> QPoint:
    """Inside the row's own area, left of the star (which stars instead of selecting)."""
    rect = panel.list_view.visualRect(panel.model.index(row))
    return QPoint(rect.left() + rect.width() // 3, rect.top() + BAND + (ROW - BAND) // 2)


def test_clicking_a_row_selects_the_edit_it_shows(panel, qtbot):
    view = panel.list_view
    for row in (0, 3, 5):
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=row_centre(panel, row))
        current = panel.current_entry()
        assert current is not None and current.request.prompt == f"edit number {11 - row}"
        assert [e.edit_id for e in panel.selected_entries()] == [current.edit_id]
    # The keyboard goes on from there, row by row.
    QTest.keyClick(view, Qt.Key.Key_Down)
    current = panel.current_entry()
    assert current is not None and current.request.prompt == "edit number 5"


def _row_ground(panel: HistoryPanel, image: QImage, row: int) -> QColor:
    """The colour of a row's own area where nothing is drawn on it (below the star)."""
    rect = panel.list_view.visualRect(panel.model.index(row))
    return image.pixelColor(rect.right() - 6, rect.top() + ROW - 4)


def test_the_selected_and_the_hovered_row_look_it(panel, qtbot):
    view = panel.list_view
    vp = view.viewport()
    panel.select_row(1)
    QTest.mouseMove(vp, row_centre(panel, 3))
    qtbot.waitUntil(lambda: _row_ground(panel, vp.grab().toImage(), 3) != theme.colour("list"),
                    timeout=3000)
    shot = vp.grab().toImage()
    assert _row_ground(panel, shot, 1) == theme.colour("row_selected")
    hover = view.palette().color(QPalette.ColorRole.AlternateBase)
    assert _row_ground(panel, shot, 3) == hover
    for plain in (0, 2, 4):
        assert _row_ground(panel, shot, plain) == theme.colour("list")
    # The mouse moves on: the row it left is plain again, the one under it hovered.
    QTest.mouseMove(vp, row_centre(panel, 4))
    qtbot.waitUntil(lambda: _row_ground(panel, vp.grab().toImage(), 3) == theme.colour("list"),
                    timeout=3000)
    assert _row_ground(panel, vp.grab().toImage(), 4) == hover


@pytest.mark.parametrize("value", [0, 1, 3_000, 10_000, 19_000, 20_000])
def test_the_lists_scroll_bar_looks_like_the_styles_own(qtbot, value: int):
    """Drawn from kept pictures, the bar still shows its handle where the style puts it,
    and its ends as the style draws them (a few antialiased edge pixels may differ by a
    shade)."""
    top = QWidget()
    qtbot.addWidget(top)
    bars = [QScrollBar(Qt.Orientation.Vertical, top),
            KeptScrollBar(Qt.Orientation.Vertical, top, plain_paints=0)]
    for x, bar in zip((10, 50), bars, strict=True):
        bar.setGeometry(x, 0, 14, 600)
        bar.setRange(0, 20_000)
        bar.setPageStep(600)
        bar.setValue(value)
    top.resize(100, 620)
    top.show()
    qtbot.waitExposed(top)
    plain, kept = (bar.grab().toImage() for bar in bars)
    far = [(x, y) for x in range(plain.width()) for y in range(plain.height())
           if max(abs(a - b) for a, b in zip(plain.pixelColor(x, y).getRgb(),
                                             kept.pixelColor(x, y).getRgb(), strict=True)) > 8]
    assert not far, [(x, y, plain.pixelColor(x, y).name(), kept.pixelColor(x, y).name())
                     for x, y in far[:6]]
    # And it is drawn from its pictures: moving the handle asks the style for nothing new.
    bars[1].setValue(min(value + 700, 20_000))
    bars[1].repaint()
    assert bars[1]._groove is not None and bars[1]._handle is not None


def test_a_long_prompt_without_spaces_fills_two_lines(qapp):
    """A Chinese prompt has no spaces to break at: it fills the first line and the rest is
    cut on the second, as a Latin one is (it was cut after the first line)."""
    fonts = RowFonts(QFont(qapp.font()))
    width = 150
    text = "把天空换成傍晚的晚霞再加一点温暖的金色光线让湖面反射出城市的霓虹灯倒影" * 2
    prompt = Prompt(text, fonts, width)
    first, second = prompt.shown.split("\n")
    assert text.startswith(first) and len(first) > 3
    assert second.endswith("…") and text[len(first):].startswith(second[:-1])
    assert fonts.text_fm.horizontalAdvance(first) <= width
    assert fonts.text_fm.horizontalAdvance(second) <= width
    # A Latin prompt still breaks between words.
    latin = Prompt("add snow to the roof of the old house by the lake at sunset " * 3, fonts,
                   width)
    line1, line2 = latin.shown.split("\n")
    assert not line1.endswith(" ") and (line1 + " " + line2[:-1]).startswith(line1)
    assert ("add snow to the roof of the old house " * 3).startswith(line1 + " ")


def test_a_page_arriving_below_the_screen_extends_the_list_without_repainting_it(
        tmp_path: Path, pool: ThreadPoolExecutor, qtbot):
    """Scrolling on, the next page arrives below what is on screen: the scroll bar makes
    room for it, and the rows on screen are not painted again for it (a fling through
    10,000 edits painted 100 screens more); a change on screen still shows at once."""
    from PySide6.QtWidgets import QApplication

    from qwen_studio.ui.history.delegate import HistoryDelegate, HistoryListView

    with Library(tmp_path / "lib") as lib:
        seed(lib, [f"edit {i}" for i in range(45)])
        model = HistoryModel(lib, pool, page_size=20)
        qtbot.waitUntil(lambda: model.rowCount() == 20 and not model.is_loading(), timeout=5000)
        view = HistoryListView()
        qtbot.addWidget(view)
        view.setModel(model)
        view.setItemDelegate(HistoryDelegate(view))
        view.setVerticalScrollMode(view.ScrollMode.ScrollPerPixel)  # as the panel shows it
        view.resize(360, 400)
        view.show()
        qtbot.waitExposed(view)
        QApplication.processEvents()
        rows = view.row_painter()
        assert rows is not None
        painted: list[object] = []
        original = rows.paint_rows
        rows.paint_rows = lambda p, f, x, top, w, specs, *rest: (  # type: ignore[method-assign]
            painted.extend(spec[0] for spec in specs) or original(p, f, x, top, w, specs, *rest))
        bar = view.verticalScrollBar()
        before = bar.maximum()
        model.fetchMore()
        qtbot.waitUntil(lambda: model.rowCount() == 40 and not model.is_loading(), timeout=5000)
        qtbot.waitUntil(lambda: bar.maximum() > before, timeout=3000)
        QApplication.processEvents()
        assert bar.maximum() == 40 * view.rowHeight(0) - view.viewport().height()
        assert painted == []
        # An edit on screen goes (deleted): the list shows it at once.
        gone = model.entry_at(1)
        assert gone is not None
        model.remove([gone])
        qtbot.waitUntil(lambda: bool(painted), timeout=3000)
        assert gone not in painted and model.entry_at(1) in painted
        model.close()
