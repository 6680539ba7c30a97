"""The history at scale and with batches: a batch is one row you can open, live progress
reaches a row without asking the library, paging is keyset (stable while other processes
write), and row thumbnails stay few however far the user scrolls."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from history_helpers import library_fixture, pool_fixture  # noqa: F401  (lib, pool)
from history_helpers import seed as seed_edits
from PySide6.QtCore import Qt
from window_helpers import until

from qwen_studio.core.editing.progress import EditProgress, Stage
from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.history.entries import BatchGroup
from qwen_studio.ui.history.model import RUNNING, HistoryModel
from qwen_studio.ui.history.thumbnails import IN_FLIGHT, MAX_WAITING


def seed(lib: Library, n: int, *, batch_id: str | None = None, prefix: str = "edit",
         done: bool = True) -> list[int]:
    return seed_edits(lib, [f"{prefix} {i}" for i in range(n)], batch_id=batch_id,
                      status="done" if done else "queued")


def test_a_20_photo_batch_is_one_row_and_a_member_shows_its_before_and_after(make_window,
                                                                           qloop):
    with Library() as lib:
        seed(lib, 1, prefix="before the batch")
        members = seed(lib, 20, batch_id="folder-1", prefix="studio backdrop")
        seed(lib, 1, prefix="after the batch")
    window = make_window()
    model, panel = window.history_model, window.history_panel

    async def scenario():
        await until(lambda: model.fully_loaded() and model.rowCount() == 3, 10, "3 rows")
        group = model.item(1)
        assert isinstance(group, BatchGroup) and len(group.members) == 20
        text = model.data(model.index(1), Qt.ItemDataRole.AccessibleTextRole)
        assert "20/20 done" in text
        panel.select_row(1)
        model.set_expanded(group, True)  # what a click or → on the row does
        assert model.rowCount() == 23
        # Newest first inside the batch too; pick the 5th photo of the batch.
        member = model.entry_at(2 + 15)
        assert member is not None and member.edit_id == members[4]
        panel.select_row(2 + 15)
        await until(lambda: window.current_result() is not None
                    and window.current_result()[0] == member.result_paths[0], 10,
                    "the member's result on the canvas")
        await until(lambda: window.compare_view.before_image() is not None, 10, "its input")
        model.set_expanded(group, False)
        assert model.rowCount() == 3

    qloop.run(scenario())


def test_a_batch_run_live_is_one_row_as_its_progress_arrives(lib, pool, qloop):
    model = HistoryModel(lib, pool)
    qloop.run(until(model.fully_loaded, 5, "empty history"))
    reqs = [EditRequest(inputs=(f"p{i}.jpg",), prompt="white backdrop") for i in range(20)]
    ids = [lib.create_edit(r, input_hashes=[], batch_id="b-live") for r in reqs]
    for eid, r in zip(ids, reqs, strict=True):
        model.apply_progress(EditProgress(eid, r, r.inputs[0], batch_id="b-live"))
    assert model.rowCount() == 1
    model.apply_progress(EditProgress(ids[3], reqs[3], "p3.jpg", batch_id="b-live",
                                      status=RUNNING, stage=Stage.SENDING))
    group = model.groups()[0]
    assert "1 running" in group.status_text() and "19 queued" in group.status_text()
    model.close()


def test_apply_progress_changes_a_row_without_asking_the_library(lib, pool, qloop,
                                                                 monkeypatch):
    req = EditRequest(inputs=("street.jpg",), prompt="make it night")
    eid = lib.create_edit(req, input_hashes=[])
    model = HistoryModel(lib, pool)
    qloop.run(until(lambda: model.fully_loaded() and model.rowCount() == 1, 5, "the row"))
    calls: list[str] = []
    for name in ("query", "query_page", "get", "count", "data_version", "max_id"):
        real = getattr(lib, name)
        monkeypatch.setattr(lib, name, lambda *a, _r=real, _n=name, **k: (calls.append(_n),
                                                                             _r(*a, **k))[1])
    changed: list[int] = []
    model.dataChanged.connect(lambda tl, _br, *_: changed.append(tl.row()))
    model.apply_progress(EditProgress(eid, req, "street.jpg", status=RUNNING,
                                      stage=Stage.DOWNLOADING, started_at=0.0))
    # At once, on the row the user sees: no poll, no query.
    assert model.entry_at(0).status == RUNNING
    assert "running" in model.data(model.index(0), Qt.ItemDataRole.AccessibleTextRole)
    qloop.run(until(lambda: 0 in changed, 2, "the row repainted"))
    assert calls == []
    model.close()


def test_keyset_paging_reaches_the_oldest_edit_while_another_process_deletes(lib, pool,
                                                                             qloop,
                                                                             tmp_path):
    ids = seed(lib, 350, done=False)
    model = HistoryModel(lib, pool, page_size=100)

    async def scenario():
        await until(lambda: model.rowCount() == 100 and not model.is_loading(), 5, "page 1")
        with Library(tmp_path / "lib") as other:  # the CLI tidies up meanwhile
            other.delete(ids[-10:])  # ten of the rows already shown
        while not model.fully_loaded():
            model.fetchMore()
            await until(lambda: not model.is_loading(), 5, "a page")

    qloop.run(scenario())
    shown = [e.edit_id for e in model.entries()]
    assert shown[-1] == ids[0]  # the oldest edit is reached
    assert set(ids[:-10]) <= set(shown), "an edit was skipped by the paging"
    assert len(shown) == len(set(shown))
    model.close()


def test_thumbnails_stay_bounded_however_far_the_user_flings(lib, pool, qloop):
    seed(lib, 120)
    model = HistoryModel(lib, pool, page_size=200)
    model.thumbnails.max_items = 24
    qloop.run(until(lambda: model.fully_loaded() and model.rowCount() == 120, 5, "rows"))
    entries = model.entries()
    most_waiting = 0
    # A fling: every row is painted once, top to bottom, faster than decodes finish.
    for e in entries:
        model.thumbnail(e.after_path())
        model.thumbnail(e.before_path())
        most_waiting = max(most_waiting, model.thumbnails.pending)
    assert most_waiting <= MAX_WAITING + IN_FLIGHT
    qloop.run(until(lambda: model.thumbnails.pending == 0, 10, "decodes done"))
    assert model.cached_thumbnails() <= 24 + 24 // 8  # trimmed in batches, never beyond
    # What is on screen at the end (the last rows painted) is what got decoded.
    last = entries[-1]
    assert model.thumbnail(last.after_path()) is not None
    # Stored small in the library, named by content: a few KB each.
    thumbs = list((lib.root / "thumbs").rglob("*.webp"))
    assert thumbs and max(p.stat().st_size for p in thumbs) < 8_000
    model.close()


def test_progress_for_an_edit_hidden_by_the_filter_is_kept_for_later(lib, pool, qloop):
    seed(lib, 3, prefix="golden")
    model = HistoryModel(lib, pool)
    qloop.run(until(model.fully_loaded, 5, "rows"))
    from qwen_studio.ui.history.entries import HistoryFilter

    model.set_filter(HistoryFilter(text="golden"))
    qloop.run(until(lambda: model.fully_loaded() and model.rowCount() == 3, 5, "search"))
    req = EditRequest(inputs=("x.jpg",), prompt="night city")
    eid = lib.create_edit(req, input_hashes=[])
    p = EditProgress(eid, req, "x.jpg")
    model.apply_progress(replace(p, status=RUNNING))
    assert model.rowCount() == 3  # not a match: not listed
    assert model.entry_for_edit(eid).status == RUNNING  # but known (the window asks)
    model.set_filter(HistoryFilter())
    qloop.run(until(lambda: model.fully_loaded() and model.rowCount() == 4, 5, "all"))
    assert model.entry_at(0).edit_id == eid and model.entry_at(0).status == RUNNING
    model.close()


def test_a_batch_written_by_another_process_arrives_as_one_row(lib, pool, qloop, tmp_path):
    from qwen_studio.qt.library_watcher import LibraryWatcher

    watcher = LibraryWatcher(lib, pool, interval_ms=40)
    model = HistoryModel(lib, pool, watcher=watcher)
    qloop.run(until(model.fully_loaded, 5, "empty history"))
    with Library(tmp_path / "lib") as other:  # `qwen-studio batch` in a terminal
        seed(other, 5, batch_id="cli-batch", done=False)
        seed(other, 1, prefix="a single edit", done=False)
    qloop.run(until(lambda: model.rowCount() == 2, 5, "the batch row and the single"))
    group = model.item(1)
    assert isinstance(group, BatchGroup) and len(group.members) == 5
    assert model.entry_at(0).request.prompt == "a single edit 0"
    model.close()
    watcher.close()


def test_a_click_or_the_arrow_keys_open_and_close_a_batch(make_window, qloop):
    from PySide6.QtTest import QTest

    with Library() as lib:
        seed(lib, 4, batch_id="folder-2", prefix="backdrop")
    window = make_window()
    model, view = window.history_model, window.history_list
    qloop.run(until(lambda: model.fully_loaded() and model.rowCount() == 1, 10, "the row"))
    group = model.item(0)
    centre = view.visualRect(model.index(0)).center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert model.is_expanded(group) and model.rowCount() == 5
    view.setFocus()
    view.setCurrentIndex(model.index(0))
    QTest.keyClick(view, Qt.Key.Key_Left)
    assert not model.is_expanded(group) and model.rowCount() == 1
    QTest.keyClick(view, Qt.Key.Key_Right)
    assert model.is_expanded(group) and model.rowCount() == 5


def test_the_batch_filter_shows_the_batch_open_and_the_count_counts_edits(make_window,
                                                                          qloop):
    with Library() as lib:
        seed(lib, 2, prefix="single")
        seed(lib, 6, batch_id="folder-3", prefix="backdrop")
    window = make_window()
    model, panel = window.history_model, window.history_panel

    async def scenario():
        await until(lambda: model.fully_loaded() and model.rowCount() == 3, 10, "3 rows")
        assert panel.count_label.text() == "8"  # edits, not rows
        model.set_expanded(model.groups()[0], True)
        assert panel.count_label.text() == "8"
        panel.select_row(1)  # an edit of the batch
        panel.batch_button.click()
        await until(lambda: model.fully_loaded() and model.rowCount() == 7, 10, "the batch")
        assert all(e.batch_id == "folder-3" for e in model.entries())

    qloop.run(scenario())


def test_every_status_the_service_reports_reads_in_a_row_and_in_its_batch(lib, pool, qloop):
    from qwen_studio.core.editing.progress import EditResult
    from qwen_studio.core.editing.status import EditStatus
    from qwen_studio.core.errors import QwenStudioError

    model = HistoryModel(lib, pool)
    qloop.run(until(model.fully_loaded, 5, "empty history"))
    req = EditRequest(inputs=("a.jpg",), prompt="backdrop")
    ids = [lib.create_edit(req, input_hashes=[], batch_id="b-all") for _ in range(7)]
    base = [EditProgress(i, req, "a.jpg", batch_id="b-all") for i in ids]
    finals = [
        replace(base[0], status=EditStatus.DONE, stage=Stage.FINISHED,
                result=EditResult((Path("r.png"),))),
        replace(base[1], status=EditStatus.FAILED, stage=Stage.FINISHED,
                error=QwenStudioError("moderation")),
        replace(base[2], status=EditStatus.CANCELLED, stage=Stage.FINISHED),
        replace(base[3], status=EditStatus.SKIPPED, stage=Stage.FINISHED),
        replace(base[4], status=EditStatus.INTERRUPTED, stage=Stage.FINISHED),
        replace(base[5], status=EditStatus.RUNNING, stage=Stage.RETRYING),
        base[6],
    ]
    for p in finals:
        model.apply_progress(p)
    text = model.groups()[0].status_text()
    for part in ("1/7 done", "2 failed", "1 running", "1 queued", "1 skipped"):
        assert part in text, (part, text)
    words = {model.entry_for_edit(p.edit_id).status_text() for p in finals}
    assert all(w.strip() for w in words) and len(words) == 7
    model.close()
