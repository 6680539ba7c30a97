"""The history's list is not in the first frame (issue 18): an empty history shows its
placeholder text, and the list is built when the first rows arrive from the pool, after the
first frame (the post-paint build), or when first used. Rows that arrive after the frame
show, and the list's actions (attached when it is built) work from its keys and menu."""

from __future__ import annotations

import threading

import pytest
from history_helpers import seed
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from window_helpers import until

from qwen_studio.app.window import release_held_work
from qwen_studio.core.library import Library
from qwen_studio.ui.history import model as history_model


def _staged(make_window, qtbot):
    """A window made as app.main makes it (the post-paint build held), active, painted."""
    w = make_window(staged=True)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=3000)
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def held_pages(monkeypatch):
    """The history's page reads wait in the pool until `set()`: the rows arrive after the
    window's first frame, as from a slow disk. Released at teardown whatever happened."""
    gate = threading.Event()
    read = history_model.read_page

    def slow_read(*args, **kwargs):
        gate.wait(20)
        return read(*args, **kwargs)

    monkeypatch.setattr(history_model, "read_page", slow_read)
    yield gate
    gate.set()


def test_rows_arriving_after_the_first_frame_show_and_their_actions_work(
        make_window, qloop, qtbot, held_pages):
    with Library() as lib:
        ids = seed(lib, ["make the sky pink", "add a red hat"], seed=1234)
    w = _staged(make_window, qtbot)
    panel = w.history_panel
    # The first frame: no list (nor its modules' work), the placeholder in its place.
    assert w.findChild(QWidget, "historyList") is None
    assert panel.empty_label.isVisible() and panel.empty_label.text() == "Loading…"
    assert panel.selected_entries() == [] and panel.current_entry() is None
    assert not panel.rerun_action.isEnabled()  # nothing selected: the actions say so

    held_pages.set()  # the first page lands

    async def rows_shown() -> None:
        await until(lambda: w.findChild(QWidget, "historyList") is not None
                    and w.findChild(QWidget, "historyList").isVisible(), 10, "the list")

    qloop.run(rows_shown())
    lv = w.findChild(QWidget, "historyList")
    assert lv is panel.list_view is w.history_list  # one list, the one rows built
    assert not panel.empty_label.isVisible()
    assert w.history_model.rowCount() == 2
    assert lv.rowAt(0) == 0 and lv.rowAt(lv.rowViewportPosition(1)) == 1  # both on screen
    # In the panel where the list always was: under the filters, the undo bar below it.
    assert panel.search.geometry().bottom() < lv.geometry().top()
    assert lv.geometry().bottom() > panel.height() // 2
    # Tab from the search box goes to the list (reading order), as before.
    panel.search.setFocus()
    qtbot.waitUntil(panel.search.hasFocus, timeout=3000)
    QTest.keyClick(panel.search, Qt.Key.Key_Tab)
    qtbot.waitUntil(lv.hasFocus, timeout=3000)

    # Its actions were attached when it was built: their keys work while it has focus.
    release_held_work(w)  # the loop runs (the actions' reads and writes are tasks)
    panel.select_row(w.history_model.row_of_edit(ids[1]))
    assert panel.current_entry() is not None and panel.current_entry().edit_id == ids[1]
    assert panel.rerun_action.isEnabled()
    QTest.keyClick(lv, Qt.Key.Key_S)  # Star

    def starred() -> bool:
        rec = w.library.get(ids[1])
        return bool(rec and rec.favourite)

    qloop.run(until(starred, 5, "the star written"))
    QTest.keyClick(lv, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)  # Copy prompt
    assert QApplication.clipboard().text() == "add a red hat"
    for name in ("historyReuseSeedAction", "historyVaryAction", "historyRetryDownloadAction",
                 "historyRerunAction", "historyDeleteAction"):
        assert name in {a.objectName() for a in lv.actions()}, name
    reuse = next(a for a in lv.actions() if a.objectName() == "historyReuseSeedAction")
    assert reuse.isEnabled()
    w.params.seed_spin.setValue(7)
    reuse.trigger()
    qloop.run(until(lambda: w.params.seed_spin.value() == 1234, 5, "the seed reused"))
    # The context menu offers them too.
    panel._context_menu(lv.visualRect(w.history_model.index(0)).center())
    names = {a.objectName() for a in panel._menu.actions()}
    assert {"historyReuseSeedAction", "historyRetryDownloadAction", "historyStarAction"} <= names
    panel._menu.close()


def test_an_empty_history_shows_its_text_and_gets_its_list_after_the_first_frame(
        make_window, qloop, qtbot):
    w = _staged(make_window, qtbot)
    panel = w.history_panel

    async def loaded() -> None:
        await until(lambda: not w.history_model.is_loading(), 10, "the first page")

    qloop.run(loaded())
    assert w.findChild(QWidget, "historyList") is None  # no rows: no list
    assert panel.empty_label.isVisible()
    assert panel.empty_label.text() == "Your edits will appear here,\nnewest first."
    assert panel.selected_entries() == []
    w.history.clear_selection()  # new inputs with no list: nothing to clear, no error
    release_held_work(w)  # the post-paint build makes it, hidden while there are no rows
    qloop.run(until(lambda: panel.built_list is not None, 5, "the post-paint build"))
    lv = panel.built_list
    assert lv is not None and not lv.isVisible() and panel.empty_label.isVisible()
    assert "historyRerunAction" in {a.objectName() for a in lv.actions()}
