"""Flinging through a long history in the real list view: rows scrolled past in a fling cost
no decodes, the rows where the list comes to rest get their pictures, the next page is on
its way before the end is reached, and the end of the list is the oldest edit."""

from __future__ import annotations

import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from history_helpers import bare_panel_fixture  # noqa: F401  (the bare_panel fixture)
from PIL import Image
from PySide6.QtGui import QFont, QFontMetrics

from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.history.delegate import HistoryDelegate, HistoryListView
from qwen_studio.ui.history.model import HistoryModel
from qwen_studio.ui.history.row_text import elide_two_lines


def png(color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (48, 32), color).save(buf, "PNG")
    return buf.getvalue()


def seed(lib: Library, n: int) -> list[int]:
    ids = []
    for i in range(n):
        sha, path = lib.store_bytes(png((i % 256, 60, 120)), "png")
        eid = lib.create_edit(EditRequest(inputs=(str(path),), prompt=f"edit {i}"),
                              input_hashes=(sha,))
        lib.complete_edit(eid, [png((200, i % 256, (i * 7) % 256))])
        ids.append(eid)
    return ids


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    ex = ThreadPoolExecutor(max_workers=2)
    yield ex
    ex.shutdown(wait=True)


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    with Library(tmp_path / "lib") as library:
        yield library


def shown(model: HistoryModel, qtbot) -> HistoryListView:
    view = HistoryListView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegate(HistoryDelegate(view))
    view.setVerticalScrollMode(view.ScrollMode.ScrollPerPixel)  # as the panel shows it
    view.resize(400, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_a_fling_decodes_only_the_rows_where_the_list_comes_to_rest(lib, pool, qtbot):
    seed(lib, 150)
    model = HistoryModel(lib, pool, page_size=200)
    qtbot.waitUntil(lambda: model.fully_loaded() and model.rowCount() == 150, timeout=5000)
    view = shown(model, qtbot)
    top = view.paths_on_screen()
    qtbot.waitUntil(lambda: len(model.thumbnails) == len(top), timeout=10_000)  # at rest
    bar = view.verticalScrollBar()
    # A screenful a frame, top to bottom: every row is painted for one frame only.
    for value in range(0, bar.maximum() + 1, view.viewport().height()):
        bar.setValue(value)
        view.viewport().repaint()
    bar.setValue(bar.maximum())
    view.viewport().repaint()
    bottom = view.paths_on_screen()
    assert bottom and not bottom & top
    qtbot.waitUntil(lambda: model.thumbnails.pending == 0
                    and len(model.thumbnails) >= len(top | bottom), timeout=10_000)
    # The rows at rest have their pictures, and no row the fling went past was decoded.
    assert len(model.thumbnails) == len(top | bottom)
    assert all(model.thumbnail(Path(p)) is not None for p in bottom)
    model.close()


def test_scrolling_near_the_end_of_what_is_loaded_asks_for_the_next_page(lib, pool, qtbot):
    ids = seed(lib, 130)
    model = HistoryModel(lib, pool, page_size=50)
    qtbot.waitUntil(lambda: model.rowCount() == 50 and not model.is_loading(), timeout=5000)
    view = shown(model, qtbot)
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
    # Still a couple of screenfuls above the end: the next page is already being read.
    view.scrollTo(model.index(50 - 2 * view.viewport().height() // view.rowHeight(0)),
                  view.ScrollHint.PositionAtBottom)
    assert view.rowAt(view.viewport().height() - 1) < 49
    assert model.is_loading() or model.rowCount() > 50
    # Flung on to the very end, the list ends at the oldest edit, each edit once.
    while not (model.fully_loaded() and bar.value() == bar.maximum()):
        bar.setValue(bar.value() + view.viewport().height())
        view.viewport().repaint()
        qtbot.wait(1)  # a frame: pages and layout arrive between frames
    listed = [e.edit_id for e in model.entries()]
    assert listed == sorted(ids, reverse=True)
    last = model.entry_at(view.rowAt(view.viewport().height() - 1))
    assert last is not None and last.edit_id == ids[0]  # the oldest edit, on screen
    model.close()


def test_a_long_prompt_breaks_after_the_most_words_the_first_line_holds(qapp):
    fm = QFontMetrics(QFont(qapp.font()))
    words = [f"word{i}" for i in range(40)]
    width = fm.horizontalAdvance(" ".join(words[:9])) + 2
    first, second = elide_two_lines(" ".join(words), fm, width).split("\n")
    assert first == " ".join(words[:9])
    assert second.startswith("word9 ") and second.endswith("…")
    assert fm.horizontalAdvance(second) <= width


def test_going_to_an_edit_far_down_the_list_loads_the_pages_up_to_it(lib, pool, qloop,
                                                                     bare_panel, qtbot):
    ids = seed(lib, 130)
    model = HistoryModel(lib, pool, page_size=50)
    panel = bare_panel(model)
    qtbot.waitUntil(lambda: model.rowCount() == 50 and not model.is_loading(), timeout=5000)
    # The oldest edit is two pages further down (as "Go to parent" of a late edit asks).
    assert qloop.run(panel.select_edit(ids[0]), timeout=20)
    current = panel.current_entry()
    assert current is not None and current.edit_id == ids[0]
    model.close()


def test_loaded_pages_ask_to_leave_the_full_gc_passes(lib, pool, qtbot):
    """10,000 rows of ~10 objects each made the once-a-minute full pass 40-60 ms (a stall
    in a fling): each page loaded asks the running collector to freeze what is alive."""
    import gc

    from qwen_studio.ui.main_thread_gc import MainThreadCollector

    seed(lib, 30)
    collector = MainThreadCollector()
    collector.start()
    try:
        model = HistoryModel(lib, pool, page_size=10)
        qtbot.waitUntil(lambda: model.rowCount() == 10 and not model.is_loading(), timeout=5000)
        assert collector.freeze_wanted
        collector.collect()
        assert collector.freezes == 1
        row = model.item(0)
        assert not any(obj is row for obj in gc.get_objects(generation=2))
        model.close()
    finally:
        collector.stop()
        gc.unfreeze()
        gc.disable()
