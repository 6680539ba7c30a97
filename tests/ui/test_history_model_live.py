"""The history list stays current without re-reading the library: another process's edits
appear when the library watcher sees a write, this window's edits arrive as EditProgress
(apply_progress, the one way in), and a busy batch does not keep the list repainting."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace

import pytest
from history_helpers import library_fixture, pool_fixture  # noqa: F401  (lib, pool)
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QListView
from window_helpers import until

from qwen_studio.core.editing.progress import EditProgress, EditResult, Stage
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.library import EditStatus, Library
from qwen_studio.core.request import EditRequest
from qwen_studio.qt.library_watcher import LibraryWatcher
from qwen_studio.ui.history.delegate import HistoryDelegate
from qwen_studio.ui.history.model import DONE, FAILED, QUEUED, RUNNING, HistoryModel


def request(prompt: str) -> EditRequest:
    return EditRequest(inputs=("photo.png",), prompt=prompt)


@pytest.fixture
def watcher(lib, pool) -> Iterator[LibraryWatcher]:
    w = LibraryWatcher(lib, pool, interval_ms=40)
    yield w
    w.close()


@pytest.fixture
def model(lib, pool, watcher, qloop) -> Iterator[HistoryModel]:
    m = HistoryModel(lib, pool, watcher=watcher)
    qloop.run(until(lambda: m.fully_loaded() and watcher.version is not None, 5, "first load"))
    yield m
    m.close()


def prompts(model: HistoryModel) -> list[str]:
    return [e.request.prompt for e in model.entries()]


class QueryCounter:
    """Counts the library's row queries (what a poll costs)."""

    def __init__(self, lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[dict] = []
        for name in ("query", "query_page", "get"):
            self._wrap(lib, name, monkeypatch)

    def _wrap(self, lib: Library, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
        real = getattr(lib, name)

        def call(*a, **kw):
            self.calls.append({"fn": name, **kw})
            return real(*a, **kw)

        monkeypatch.setattr(lib, name, call)


def queued(lib: Library, prompts_: list[str], batch_id: str | None = None) -> list[EditProgress]:
    """Edits recorded as the edit service records them (QUEUED first), and their progress."""
    out = []
    for p in prompts_:
        req = request(p)
        eid = lib.create_edit(req, input_hashes=[], batch_id=batch_id)
        out.append(EditProgress(eid, req, "photo.png", batch_id=batch_id))
    return out


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


def test_a_poll_reads_nothing_while_nobody_else_writes(model, lib, qloop, watcher,
                                                      monkeypatch):
    counter = QueryCounter(lib, monkeypatch)

    async def scenario():
        # This window's own writes leave PRAGMA data_version alone: polls stay one PRAGMA.
        lib.create_edit(request("mine, not told"), input_hashes=[])
        for _ in range(10):
            await until(lambda: not watcher.busy, 2)
            watcher.poll()
        await until(lambda: not watcher.busy, 2)

    qloop.run(scenario())
    assert counter.calls == []


def test_batch_progress_is_applied_not_polled(model, lib, qloop, tmp_path, monkeypatch):
    """All of a batch is listed (one row; in queue order, newest first, when opened),
    statuses and results follow the progress the service reports, and reads caused by
    another process never read those edits again."""
    live = queued(lib, [f"batch photo {i}" for i in range(120)], batch_id="b1")
    ids = [p.edit_id for p in live]
    counter = QueryCounter(lib, monkeypatch)
    result = tmp_path / "result.png"

    async def scenario():
        for p in live:
            model.apply_progress(p)
        assert model.rowCount() == 1  # at once: no library read needed to list them
        group = model.groups()[0]
        assert len(group.members) == 120 and group.counts()[QUEUED] == 120
        assert prompts(model)[:2] == ["batch photo 119", "batch photo 118"]
        model.apply_progress(replace(live[0], status=RUNNING, stage=Stage.SENDING,
                                     started_at=1.0))
        model.apply_progress(replace(live[0], status=DONE, stage=Stage.FINISHED,
                                     started_at=1.0, finished_at=4.0,
                                     result=EditResult((result,))))
        model.apply_progress(replace(live[1], status=FAILED, stage=Stage.FINISHED,
                                     error=QwenStudioError("moderation")))
        first = model.entry_for_edit(ids[0])
        assert first.status == DONE and first.result_paths == [result]
        assert "done in 3 s" in first.status_text()
        assert model.entry_for_edit(ids[1]).note == "moderation"
        assert "1/120 done" in group.status_text() and "1 failed" in group.status_text()
        await asyncio.sleep(0.2)  # the model's own reads of these edits (records) settle
        counter.calls.clear()
        # Another process writes: the watcher's read finds its row, never the batch's.
        with Library(tmp_path / "lib") as other:
            other.create_edit(request("from elsewhere"), input_hashes=[])
        await until(lambda: model.entries()[0].request.prompt == "from elsewhere", 5,
                    "the foreign row")

    qloop.run(scenario())
    assert counter.calls, "the foreign row was read"
    batch_reads = [kw for kw in counter.calls if set(kw.get("ids") or ()) & set(ids)]
    assert batch_reads == []


def test_a_reload_keeps_the_state_the_service_reported(model, lib, qloop):
    """The library lags the service (status writes go through a thread): a reload (filter
    change) must not show a done batch photo as running again."""
    (p,) = queued(lib, ["batch photo"], batch_id="b1")
    lib.set_status(p.edit_id, EditStatus.RUNNING)

    async def scenario():
        model.apply_progress(replace(p, status=RUNNING))
        model.apply_progress(replace(p, status=DONE, stage=Stage.FINISHED,
                                     result=EditResult(())))
        model.reload()
        await until(lambda: model.fully_loaded() and model.rowCount() == 1, 5, "reloaded")
        await asyncio.sleep(0.2)  # and after its re-read of the (lagging) record

    qloop.run(scenario())
    assert model.entries()[0].status == DONE


def test_a_busy_batch_repaints_the_list_a_few_times_not_per_change(model, lib, qloop, qtbot):
    live = queued(lib, [f"photo {i}" for i in range(60)], batch_id="b1")
    singles = queued(lib, [f"single {i}" for i in range(20)])
    view = QListView()
    qtbot.addWidget(view)
    delegate = HistoryDelegate(view)  # the window's delegate: it paints from the model
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
        for p in [*live, *singles]:
            model.apply_progress(p)
        model.set_expanded(model.groups()[0], True)
        await until(lambda: model.rowCount() == 81, 5, "the rows")
        await until(lambda: len(paints) > 0, 5, "the first paint")
        await asyncio.sleep(0.4)
        paints.clear()
        # 10 Hz of status changes for 0.6 s, every photo changing (the service's reports).
        for step in range(6):
            for p in live:
                model.apply_progress(replace(p, status=RUNNING if step % 2 else QUEUED))
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.6)

    qloop.run(scenario())
    assert 1 <= len(paints) <= 4  # coalesced, not 6 × 60 row updates
    view.viewport().removeEventFilter(counter)


def test_rows_written_while_the_watcher_reads_are_listed_once(model, lib, qloop, tmp_path,
                                                             monkeypatch):
    """A terminal batch keeps writing while the window reads its new rows: a row written
    during a read is read by the next one, and no row is listed twice."""
    with Library(tmp_path / "lib") as other:
        for i in range(150):  # more than one page
            other.create_edit(request(f"terminal {i}"), input_hashes=[])
        real = lib.query
        reads: list[int] = []

        def query(*a, **kw):
            rows = real(*a, **kw)
            if kw.get("after_id") is not None:
                reads.append(len(rows))
                if len(reads) == 1:  # between this read and the next
                    other.create_edit(request("terminal late"), input_hashes=[])
            return rows

        monkeypatch.setattr(lib, "query", query)

        async def scenario():
            await until(lambda: model.rowCount() >= 151, 10, "the terminal's rows")

        qloop.run(scenario())
    assert len(reads) >= 2
    ids = [e.edit_id for e in model.entries()]
    assert len(ids) == len(set(ids)), "a row is listed twice"
    assert prompts(model)[0] == "terminal late"
