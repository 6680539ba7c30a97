"""The history sidebar over the real library, in the real window (and the sandbox where an
edit has to run): search, filters, recall, chaining, delete/undo, export, paging."""

from __future__ import annotations

import time
import zipfile

from history_helpers import png_bytes, seed
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QHeaderView
from window_helpers import drop_files, make_jpeg, sandbox_endpoint, until

from qwen_studio.core.library import Library
from qwen_studio.core.png_metadata import request_from_png
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.history.model import HeaderRole


# -- helpers -----------------------------------------------------------------------------------
def prompts_shown(window) -> list[str]:
    return [e.request.prompt for e in window.history_model.entries()]


def edit_ids_shown(window) -> list[int]:
    return [e.edit_id for e in window.history_model.entries()]


async def loaded(window, n: int) -> None:
    await until(lambda: window.history_model.rowCount() >= n and not
                window.history_model.is_loading(), 10, f"{n} rows")


# -- tests -------------------------------------------------------------------------------------
def test_search_narrows_the_list_and_clearing_brings_everything_back(make_window, qloop):
    with Library() as lib:
        seed(lib, ["make the sky pink", "add a red hat", "pink flamingo on the lake",
                   "remove the background"])
    window = make_window()
    panel = window.history_panel

    async def scenario():
        await loaded(window, 4)
        QTest.keyClicks(panel.search, "pink")
        await until(lambda: window.history_model.rowCount() == 2, 5, "two pink edits")
        assert prompts_shown(window) == ["pink flamingo on the lake", "make the sky pink"]
        assert "2" in panel.count_label.text()
        panel.search.clear()
        QTest.keyClicks(panel.search, "zebra")
        await until(lambda: window.history_model.rowCount() == 0 and
                    not window.history_model.is_loading(), 5, "no match")
        assert panel.empty_label.isVisible() and "zebra" in panel.empty_label.text()
        panel.search.clear()
        await loaded(window, 4)

    qloop.run(scenario())
    assert prompts_shown(window)[0] == "remove the background"
    assert window.findChild(object, "historySearch") is panel.search


def test_ctrl_f_focuses_search(make_window, qloop, qtbot):
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.run_button.setFocus()
    QTest.keyClick(window.run_button, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.history_panel.search,
                    timeout=3000)


def test_favourite_and_failed_filters(make_window, qloop):
    with Library() as lib:
        ok = seed(lib, ["one", "two", "three"])
        bad = seed(lib, ["broken"], status="failed", start=3)
        lib.set_favourite(ok[0], True)
    window = make_window()
    panel = window.history_panel

    async def scenario():
        await loaded(window, 4)
        # Star "three" from the list: persisted in the library at once (through the pool).
        panel.select_row(window.history_model.row_of_edit(ok[2]))
        panel.star_action.trigger()
        await until(lambda: is_starred(window, ok[2]), 5, "star persisted")
        panel.fav_button.click()
        await until(lambda: window.history_model.rowCount() == 2 and
                    not window.history_model.is_loading(), 5, "starred only")
        assert prompts_shown(window) == ["three", "one"]
        panel.fav_button.click()
        panel.failed_button.click()
        await until(lambda: prompts_shown(window) == ["broken"], 5, "failed only")
        panel.failed_button.click()
        await loaded(window, 4)

    qloop.run(scenario())
    assert edit_ids_shown(window) == [bad[0], ok[2], ok[1], ok[0]]
    acc = window.history_model.data(window.history_model.index(1),
                                    Qt.ItemDataRole.AccessibleTextRole)
    assert "starred" in acc and "done" in acc


def is_starred(window, edit_id: int) -> bool:
    rec = window.library.get(edit_id)
    return bool(rec and rec.favourite)


def test_recall_fills_prompt_and_parameters(make_window, qloop):
    with Library() as lib:
        seed(lib, ["studio white backdrop"], model="qwen-image-edit-plus",
             negative_prompt="blurry", size="1328*1328", n=2, seed=1234, watermark=True)
    window = make_window()
    panel = window.history_panel

    async def scenario():
        await loaded(window, 1)

    qloop.run(scenario())
    panel.select_row(0)
    panel.recall_action.trigger()
    assert window.prompt_panel.prompt() == "studio white backdrop"
    assert window.prompt_panel.negative_prompt() == "blurry"
    assert window.params.model() == "qwen-image-edit-plus"
    assert window.params.size() == "1328*1328"
    assert window.params.count_spin.value() == 2
    assert window.params.seed() == 1234
    assert window.params.watermark_check.isChecked()


def test_use_as_input_chains_and_lineage_navigates(make_window, sandbox, qloop, tmp_path):
    window = make_window(sandbox_endpoint(sandbox))
    panel = window.history_panel
    photo = make_jpeg(tmp_path / "street.jpg")

    async def scenario():
        drop_files(window.drop_zone, [photo])
        await until(lambda: window.inputs, what="input")
        window.prompt_panel.prompt_edit.setPlainText("make it night")
        window.run_edit()
        await until(lambda: [e.status for e in window.history_model.entries()] == ["done"],
                    30, "first edit done")
        first = window.history_model.entries()[0]
        panel.select_row(0)
        panel.use_input_action.trigger()
        await until(lambda: window.inputs and window.inputs[0].path == first.result_paths[0],
                    10, "the result as input")
        window.prompt_panel.prompt_edit.setPlainText("add falling snow")
        window.run_edit()
        await until(lambda: [e.status for e in window.history_model.entries()] ==
                    ["done", "done"], 30, "second edit done")
        second = window.history_model.entries()[0]
        assert window.library.get(second.edit_id).parent_id == first.edit_id

        panel.select_row(0)
        await until(lambda: panel.lineage.isVisible(), 5, "the version tree")
        assert panel.lineage.edit_ids() == [first.edit_id, second.edit_id]
        # The row learns its parent when the finished edit's record is re-read.
        await until(lambda: panel.parent_action.isEnabled(), 5, "the parent to be known")
        panel.parent_action.trigger()
        await until(lambda: panel.current_entry().edit_id == first.edit_id, 5, "parent")
        panel.children_action.trigger()
        await until(lambda: panel.current_entry().edit_id == second.edit_id, 5, "child")

    qloop.run(scenario())


def test_delete_then_undo_restores_rows_and_library(make_window, qloop):
    with Library() as lib:
        ids = seed(lib, ["a", "b", "c", "d"])
    window = make_window()
    panel = window.history_panel
    lv = window.history_list

    async def scenario():
        await loaded(window, 4)
        panel.select_rows([1, 2])  # "c" and "b"
        QTest.keyClick(lv, Qt.Key.Key_Delete)
        assert prompts_shown(window) == ["d", "a"]
        assert panel.undo_bar.isVisible() and "Deleted 2 edits" in panel.undo_label.text()
        await until(lambda: window.library.get(ids[1]).deleted, 5, "soft delete")
        assert window.library.count() == 2
        QTest.keyClick(lv, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert prompts_shown(window) == ["d", "c", "b", "a"]
        await until(lambda: not window.library.get(ids[1]).deleted, 5, "undelete")

    qloop.run(scenario())
    assert not panel.undo_bar.isVisible()
    assert window.library.count() == 4


def test_export_selection_as_zip_from_the_window(make_window, qloop, tmp_path, monkeypatch):
    with Library() as lib:
        seed(lib, ["first look", "second look", "third look"])
    window = make_window()
    panel = window.history_panel
    target = tmp_path / "gallery.zip"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), "Zip archive (*.zip)"))

    async def scenario():
        await loaded(window, 3)
        panel.select_rows([0, 2])
        window.findChild(object, "exportGalleryAction").trigger()
        await until(lambda: "Exported" in window.banner.message(), 15, "export report")

    qloop.run(scenario())
    assert "Exported 2 images" in window.banner.message()
    assert window.banner.action_text() == "Show"
    with zipfile.ZipFile(target) as z:
        images = sorted(n for n in z.namelist() if n.startswith("images/"))
        prompts = sorted(request_from_png(z.read(n)).prompt for n in images)
        assert "index.html" in z.namelist() and "gallery.json" in z.namelist()
    assert prompts == ["first look", "third look"]
    assert window.findChild(object, "exportGalleryAction") in window.menuBar().actions()[
        0].menu().actions()


def test_export_search_result_to_folder_then_drop_png_recalls(make_window, qloop, tmp_path,
                                                               monkeypatch):
    with Library() as lib:
        seed(lib, ["golden hour glow", "night city", "golden retriever portrait"],
             seed=77, size="1024*1024")
    window = make_window()
    panel = window.history_panel
    out = tmp_path / "golden"

    async def scenario():
        await loaded(window, 3)
        panel.search.setText("golden")
        panel.apply_filter()
        await until(lambda: window.history_model.rowCount() == 2 and
                    not window.history_model.is_loading(), 5, "search")
        assert await panel.export_gallery("search", out) == out
        pngs = sorted((out / "images").glob("*.png"))
        assert len(pngs) == 2
        # Dropping an exported PNG offers to recall what it was made with.
        window.prompt_panel.prompt_edit.setPlainText("something else")
        drop_files(window.drop_zone, [pngs[0]])
        await until(lambda: window.banner.action_text() == "Recall parameters", 10,
                    "the recall offer")
        window.banner.action_button.click()

    qloop.run(scenario())
    assert window.prompt_panel.prompt().startswith("golden")
    assert window.params.seed() == 77 and window.params.size() == "1024*1024"


def test_paging_loads_more_on_scroll_and_thumbnails_only_for_visible_rows(make_window, qloop):
    with Library() as lib:
        ids = seed(lib, [f"edit number {i}" for i in range(250)])
    window = make_window()
    model = window.history_model
    lv = window.history_list

    async def scenario():
        await loaded(window, 100)
        assert model.rowCount() == 100 and model.canFetchMore()
        await until(lambda: model.cached_thumbnails() > 0, 10, "visible thumbnails")
        for target in (200, 250):
            lv.scrollToBottom()
            await until(lambda t=target: model.rowCount() >= t, 10, f"{target} rows")
        await until(lambda: model.fully_loaded(), 5, "the end")

    qloop.run(scenario())
    assert edit_ids_shown(window) == list(reversed(ids))  # newest first, no duplicates
    assert model.cached_thumbnails() < 120  # thumbnails for what was on screen, not all 500


def test_day_headers_group_rows(make_window, qloop):
    with Library() as lib:
        ids = seed(lib, ["older", "yesterday one", "today one"])
        day = 86400
        now = time.time()
        with lib._tx() as conn:  # backdate two edits, as if made on earlier days
            conn.execute("UPDATE edits SET created_at = ? WHERE id = ?", (now - 40 * day, ids[0]))
            conn.execute("UPDATE edits SET created_at = ? WHERE id = ?", (now - day, ids[1]))
    window = make_window()
    qloop.run(loaded(window, 3))
    m = window.history_model
    headers = [m.data(m.index(r), HeaderRole) for r in range(3)]
    assert headers[0] == "Today" and headers[1] == "Yesterday"
    assert headers[2] not in ("", "Today", "Yesterday")


def test_edits_from_another_process_appear_live(make_window, qloop):
    window = make_window()
    window.library_watcher.set_interval(50)

    async def scenario():
        await until(lambda: not window.history_model.is_loading(), 5, "first load")
        with Library() as other:  # e.g. `qwen-studio batch` writing to the same library
            seed(other, ["from the terminal"])
        await until(lambda: prompts_shown(window) == ["from the terminal"], 10, "new row")

    qloop.run(scenario())


def test_a_row_changing_repaints_it_without_laying_out_every_row(make_window, qloop):
    """A status or thumbnail change must not make the list measure all its rows again
    (that cost 15-20 ms per change at the end of a batch); rows still show the change.
    Rows are all one height (the day label has its band in every row) and the view's rows
    are fixed, so even a full layout measures no row one by one, not 10,000."""
    with Library() as lib:
        seed(lib, [f"edit {i}" for i in range(30)])
    window = make_window()
    qloop.run(loaded(window, 30))
    view = window.history_list
    window.show()
    QApplication.processEvents()
    delegate = view.itemDelegate()
    rows = view.row_painter()  # the view paints its rows itself, with the delegate's painter
    assert rows is not None
    model = window.history_model
    calls: list[int] = []
    painted: list[int] = []
    original, original_paint = delegate.sizeHint, rows.paint_rows
    delegate.sizeHint = lambda option, index: calls.append(index.row()) or original(option, index)
    rows.paint_rows = lambda painter, frame, x, top, width, specs, *rest: (
        painted.extend(model.row_of(spec[0]) for spec in specs)
        or original_paint(painter, frame, x, top, width, specs, *rest))
    try:
        index = model.index(3)
        assert view.visualRect(index).intersects(view.viewport().rect())  # on screen
        model.dataChanged.emit(index, index)
        QApplication.processEvents()
        assert set(calls) <= {3}, sorted(set(calls))  # the changed row at most
        assert 3 in painted, sorted(set(painted))  # and it shows the change
        calls.clear()
        # Rows arriving or going lay the list out: with fixed rows, no row is measured...
        model.layoutChanged.emit()
        view.doItemsLayout()
        QApplication.processEvents()
        assert len(set(calls)) <= 1, sorted(set(calls))
        assert view.rowHeight(3) == view.rowHeight(0) > 0  # and every row still shows whole
        # ...while measuring is seen when it happens (the probe is not blind).
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.doItemsLayout()
        QApplication.processEvents()
        assert len(set(calls)) > 3, sorted(set(calls))
    finally:
        del delegate.sizeHint
        del rows.paint_rows


def test_rerun_from_the_history_runs_the_edit_again_as_a_sibling(make_window, sandbox, qloop):
    """Ctrl+R on a history row: the window sends the same request (the library's copy of
    the input) through the one edit service; the new edit is another version of the same
    parent (a sibling of the old one in the version tree)."""
    with Library() as lib:
        (parent,) = seed(lib, ["make it brighter"])
        sha, path = lib.store_bytes(png_bytes((9, 9, 9)), "png")
        old = lib.create_edit(EditRequest(inputs=(str(path),), prompt="paint the door red"),
                              input_hashes=(sha,), parent_id=parent)
        lib.complete_edit(old, [png_bytes((200, 9, 30))])
    window = make_window(sandbox_endpoint(sandbox))
    panel = window.history_panel

    async def scenario():
        await loaded(window, 2)
        assert window.history_model.entries()[0].edit_id == old
        panel.select_row(0)
        panel.rerun_action.trigger()
        await until(lambda: len(window.history_model.entries()) == 3
                    and window.history_model.entries()[0].status == "done", 30, "re-run done")
        new = window.history_model.entries()[0]
        assert new.edit_id not in (old, parent) and new.request.prompt == "paint the door red"
        assert new.result_paths and new.result_paths[0].is_file()
        with Library() as lib:
            rec = lib.get(new.edit_id)
        assert rec is not None and rec.parent_id == parent

    qloop.run(scenario())


def test_rerun_without_a_connection_says_so(make_window, qloop):
    with Library() as lib:
        seed(lib, ["paint the door red"])
    window = make_window()
    panel = window.history_panel

    async def scenario():
        await loaded(window, 1)
        panel.select_row(0)
        panel.rerun_action.trigger()
        await until(lambda: window.notices.current() is not None, 5, "the notice")

    qloop.run(scenario())
    notice = window.notices.current()
    assert notice is not None and notice.kind == "not_connected"
    assert "not connected" in window.banner.message()
    assert len(window.history_model.entries()) == 1  # nothing was sent
