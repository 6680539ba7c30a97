"""The history list stays current without re-reading the library: another process's edits
appear after a poll, the window's own batch edits are told to it, and a busy batch does
not keep the list laying out and repainting."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QListView
from window_helpers import until

from qwen_studio.core.library import EditStatus, Library
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.history.model import DONE, FAILED, QUEUED, RUNNING, HistoryModel
from qwen_studio.ui.history.panel import HistoryDelegate


def request(prompt: str) -> EditRequest:
    return EditRequest(inputs=("photo.png",), prompt=prompt)


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    ex = ThreadPoolExecutor(max_workers=2)
    yield ex
    ex.shutdown(wait=True)


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    with Library(tmp_path / "lib") as library:
        yield library


@pytest.fixture
def model(lib, pool, qloop) -> Iterator[HistoryModel]:
    m = HistoryModel(lib, pool)
    m._poller.setInterval(40)
    qloop.run(until(lambda: m.fully_loaded(), 5, "first load"))
    yield m
    m.close()


def prompts(model: HistoryModel) -> list[str]:
    return [e.request.prompt for e in model.entries()]


class QueryCounter:
    """Counts the library's row queries (what a poll costs)."""

    def __init__(self, lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[dict] = []
        real = lib.query

        def query(*a, **kw):
            self.calls.append(kw)
            return real(*a, **kw)

        monkeypatch.setattr(lib, "query", query)


def test_another_process_edit_shows_up_and_its_progress_follows(model, lib, qloop, tmp_path):
    async def scenario():
        with Library(tmp_path / "lib") as other:  # e.g. `qwen-studio batch` in a terminal
            edit_id = other.create_edit(request("from the terminal"), input_hashes=[])
            other.set_status(edit_id, EditStatus.RUNNING)
            await until(lambda: prompts(model) == ["from the terminal"], 5, "the new row")
            assert model.entries()[0].status == RUNNING
            other.set_status(edit_id, EditStatus.FAILED, error="moderation")
            await until(lambda: model.entries()[0].status == FAILED, 5, "its failure")
            assert model.entries()[0].note == "moderation"
            gone = other.create_edit(request("deleted while running"), input_hashes=[])
            other.set_status(gone, EditStatus.RUNNING)
            await until(lambda: model.rowCount() == 2, 5, "the second row")
            other.delete(gone)
            await until(lambda: prompts(model) == ["from the terminal"], 5, "its deletion")

    qloop.run(scenario())


def test_a_poll_reads_nothing_while_nobody_else_writes(model, lib, qloop, monkeypatch):
    counter = QueryCounter(lib, monkeypatch)

    async def scenario():
        # This window's own writes leave PRAGMA data_version alone: polls stay one PRAGMA.
        lib.create_edit(request("mine, not tracked"), input_hashes=[])
        for _ in range(10):
            await until(lambda: not model._polling, 2)
            model._poll()
        await until(lambda: not model._polling, 2)

    qloop.run(scenario())
    assert counter.calls == []


def test_batch_edits_are_told_not_polled(model, lib, qloop, tmp_path, monkeypatch):
    """All of a batch is listed (in queue order, newest on top), statuses and results
    follow what the queue reports, and polls never read those rows again."""
    ids = [lib.create_edit(request(f"batch photo {i}"), input_hashes=[], batch_id="b1")
           for i in range(120)]
    counter = QueryCounter(lib, monkeypatch)

    async def scenario():
        model.track_edits(ids)
        await until(lambda: model.rowCount() == 120, 5, "the batch rows")
        assert prompts(model)[:2] == ["batch photo 119", "batch photo 118"]
        assert {e.status for e in model.entries()} == {QUEUED}
        result = tmp_path / "result.png"
        model.push_edits({ids[0]: {"status": RUNNING, "started": 1.0}})
        model.push_edits({ids[0]: {"status": DONE, "finished": 4.0,
                                   "result_paths": [result]},
                          ids[1]: {"status": FAILED, "note": "moderation"}})
        first = model.entry_for_edit(ids[0])
        assert first.status == DONE and first.result_paths == [result]
        assert "done in 3 s" in first.status_text()
        assert model.entry_for_edit(ids[1]).note == "moderation"
        # Another process writes: the poll reads its row, never the batch's.
        with Library(tmp_path / "lib") as other:
            other.create_edit(request("from elsewhere"), input_hashes=[])
        await until(lambda: prompts(model)[0] == "from elsewhere", 5, "the foreign row")

    qloop.run(scenario())
    batch_reads = [kw for kw in counter.calls if set(kw.get("ids") or ()) & set(ids)]
    assert len(batch_reads) == 1  # track_edits' one query; polls skip them


def test_a_reload_keeps_the_state_the_queue_reported(model, lib, qloop):
    """The library lags the queue (status writes go through a thread): a reload (filter
    change) must not show a done batch photo as running again."""
    edit_id = lib.create_edit(request("batch photo"), input_hashes=[], batch_id="b1")
    lib.set_status(edit_id, EditStatus.RUNNING)

    async def scenario():
        model.track_edits([edit_id])
        await until(lambda: model.rowCount() == 1, 5, "the row")
        model.push_edits({edit_id: {"status": DONE, "finished": 9e9}})
        model.reload()
        await until(lambda: model.fully_loaded() and model.rowCount() == 1, 5, "reloaded")

    qloop.run(scenario())
    assert model.entries()[0].status == DONE


def test_a_busy_batch_repaints_the_list_a_few_times_not_per_change(model, lib, qloop, qtbot):
    ids = [lib.create_edit(request(f"photo {i}"), input_hashes=[], batch_id="b1")
           for i in range(60)]
    view = QListView()
    qtbot.addWidget(view)
    delegate = HistoryDelegate(view)  # the window's delegate: it paints from EntryRole
    view.setItemDelegate(delegate)
    view.setModel(model)
    view.resize(300, 400)
    view.show()
    paints: list[int] = []

    class Count(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                paints.append(1)
            return False

    counter = Count()
    view.viewport().installEventFilter(counter)

    async def scenario():
        model.track_edits(ids)
        await until(lambda: model.rowCount() == 60, 5, "the rows")
        await until(lambda: len(paints) > 0, 5, "the first paint")
        paints.clear()
        # 10 Hz of status changes for 0.6 s, every photo changing (the queue's flushes).
        for step in range(6):
            model.push_edits({i: {"status": RUNNING if step % 2 else QUEUED} for i in ids})
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.6)

    qloop.run(scenario())
    assert 1 <= len(paints) <= 4  # coalesced to REPAINT_MS, not 6 × 60 row updates
    view.viewport().removeEventFilter(counter)


def test_rows_written_while_a_poll_pages_are_listed_once(model, lib, qloop, tmp_path,
                                                          monkeypatch):
    """A terminal batch keeps writing while the window reads its new rows page by page:
    a row pushed down a place by a newer one must not be listed twice."""
    with Library(tmp_path / "lib") as other:
        for i in range(150):  # more than one page
            other.create_edit(request(f"terminal {i}"), input_hashes=[])
        real = lib.query
        pages: list[int] = []

        def query(*a, **kw):
            rows = real(*a, **kw)
            if kw.get("after_id") is not None:
                pages.append(len(rows))
                if len(pages) == 1:  # between the first and the second page
                    other.create_edit(request("terminal late"), input_hashes=[])
            return rows

        monkeypatch.setattr(lib, "query", query)

        async def scenario():
            await until(lambda: model.rowCount() >= 150, 10, "the terminal's rows")
            await until(lambda: not model._polling, 2)

        qloop.run(scenario())
    assert len(pages) >= 2
    ids = [e.edit_id for e in model.entries()]
    assert len(ids) == len(set(ids)), "a row is listed twice"
