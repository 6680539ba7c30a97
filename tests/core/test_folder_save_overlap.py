"""An output folder's edit gives its slot back once its result's bytes are written (a full
disk has refused them by then), so the next edit is sent while the result is synced. Real
sandbox over loopback, real library and output folder; only the fsync is held back."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from qwen_studio.core import atomic
from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
from qwen_studio.core.editing.batches import new_batch_id
from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.editing.service import EditService
from qwen_studio.core.editing.sinks import FolderSink
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.library import Library
from qwen_studio.core.output_folder import OutputFolder
from qwen_studio.core.request import EditRequest
from qwen_studio.sandbox import SandboxServer

KEY = "sk-save-overlap-1234"
FAST = ClientSettings(backoff_base=0.01, backoff_max=0.05, max_attempts=2, read_timeout=20)


@pytest.fixture
def sb() -> Iterator[SandboxServer]:
    server = SandboxServer(api_key=KEY).start()
    try:
        yield server
    finally:
        server.stop()


async def run_batch(base_url: str, library: Library, out: Path, sources: list[Path],
                    concurrency: int = 1) -> list[EditProgress]:
    events: list[EditProgress] = []
    endpoint = Endpoint(base_url, "bailian", KEY)
    with ThreadPoolExecutor(max_workers=2) as pool:
        async with make_http_client(FAST) as http:
            client = ImageClient(http, endpoint, FAST)
            sink = FolderSink(OutputFolder(out), endpoint, pool, library=library)
            service = EditService(lambda: client, EditRecorder(library), sink, pool,
                                  concurrency=concurrency)
            service.subscribe(events.append)
            await service.submit([EditRequest(inputs=(str(p),), prompt="dusk")
                                  for p in sources], batch_id=new_batch_id())
            await service.wait_idle()
            await service.close()
    return list({e.edit_id: e for e in events}.values())


def test_the_next_edit_is_sent_while_a_result_is_synced(
        sb: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = []
    for i in range(3):
        sources.append(tmp_path / f"p{i}.jpg")
        Image.new("RGB", (300, 200), (i * 60, 80, 120)).save(sources[-1], quality=80)
    out = tmp_path / "out"
    out.mkdir()
    real_fsync = os.fsync
    sent_while_syncing: list[int] = []

    def slow_first_result_sync(fd: int) -> None:
        # The first result's fsync waits (up to 10 s) for the next edit to be sent: at
        # concurrency 1 that happens only if the slot was given back before the sync.
        # (The folder's write probe, before anything is sent, is synced as ever.)
        name = os.readlink(f"/proc/self/fd/{fd}")
        if not sent_while_syncing and Path(name).parent == out and sb.request_count:
            deadline = time.monotonic() + 10
            while sb.request_count < 2 and time.monotonic() < deadline:
                time.sleep(0.005)
            sent_while_syncing.append(sb.request_count)
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", slow_first_result_sync)
    with Library(tmp_path / "lib") as library:
        edits = asyncio.run(run_batch(sb.base_url, library, out, sources))
    assert sent_while_syncing == [2]  # the second edit went out during the first's sync
    assert [e.status for e in edits] == [EditStatus.DONE] * 3
    assert len(list(out.glob("*.png"))) == 3 and len(list(out.glob("*.json"))) == 3
    assert sb.request_count == 3


def test_no_more_than_the_concurrency_save_with_their_slots_given_back(run_async) -> None:
    """Concurrency 2, six edits whose saves never end until released: a bounded release
    (the output folder's) frees two slots, no more; the others keep theirs, so at most
    four results are paid for and not yet on disk, however slow the disk."""
    from qwen_studio.core.editing.progress import EditResult, Stage
    from qwen_studio.core.editing.queue import EditContext, EditQueue

    async def main() -> tuple[int, int]:
        save_may_end = asyncio.Event()

        async def fn(ctx: EditContext) -> EditResult:
            ctx.stage(Stage.SAVING)
            ctx.release_slot(bounded=True)
            await save_may_end.wait()
            return EditResult(())

        q = EditQueue(fn, concurrency=2)
        r = EditRequest(inputs=("a.jpg",), prompt="p")
        for i in range(1, 7):
            q.add(EditProgress(i, r, f"{i}.jpg", batch_id="b"))
        q.start()
        for _ in range(20):
            await asyncio.sleep(0)
        started = sum(p.status is EditStatus.RUNNING for p in q.ordered())
        queued = sum(p.status is EditStatus.QUEUED for p in q.ordered())
        save_may_end.set()
        await asyncio.wait_for(q.wait_idle(), 5)
        assert all(p.status is EditStatus.DONE for p in q.ordered())
        return started, queued

    assert run_async(main(), timeout=10) == (4, 2)


def test_a_sync_the_disk_refuses_stops_sends_at_once_and_keeps_what_was_paid(
        sb: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first result's bytes are written, its slot goes, the second edit is sent; then
    the disk refuses the first's fsync. Sends stop as soon as that is known, before the
    refused result is kept elsewhere (slow here): the second edit ends meanwhile, yet the
    third is never sent. The paid result is kept and in the history."""
    from qwen_studio.core import unsaved
    from qwen_studio.core.output_folder import OutputUnavailableError

    sources = []
    for i in range(3):
        sources.append(tmp_path / f"p{i}.jpg")
        Image.new("RGB", (300, 200), (i * 60, 80, 120)).save(sources[-1], quality=80)
    out = tmp_path / "out"
    out.mkdir()
    real_fsync, real_keep = os.fsync, unsaved.keep_unsaved
    refused: list[int] = []

    def refuse_first_result_sync(fd: int) -> None:
        if (not refused and sb.request_count
                and Path(os.readlink(f"/proc/self/fd/{fd}")).parent == out):
            deadline = time.monotonic() + 10  # once the second edit is out
            while sb.request_count < 2 and time.monotonic() < deadline:
                time.sleep(0.005)
            refused.append(sb.request_count)
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    def slow_keep(*args: object, **kwargs: object) -> list[Path]:
        # Keeping the refused result takes a while (up to 3 s, unless a third edit is sent
        # first): the sends must have stopped before it, not after it.
        deadline = time.monotonic() + 3
        while sb.request_count < 3 and time.monotonic() < deadline:
            time.sleep(0.005)
        return real_keep(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic.os, "fsync", refuse_first_result_sync)
    monkeypatch.setattr(unsaved, "keep_unsaved", slow_keep)
    with Library(tmp_path / "lib") as library:
        first, second, third = sorted(asyncio.run(run_batch(sb.base_url, library, out,
                                                             sources)),
                                      key=lambda e: e.edit_id)
        assert refused == [2]  # the second edit was out when the disk refused the first
        assert sb.request_count == 2
        assert first.status is EditStatus.FAILED
        assert isinstance(first.error, OutputUnavailableError)
        assert first.error.kept and all(p.is_file() for p in first.error.kept)
        record = library.get(first.edit_id)
        assert record is not None and record.status is EditStatus.DONE
        assert second.status is EditStatus.DONE  # sent before the refusal: saved
        assert third.status is EditStatus.CANCELLED
        assert third.note is not None and third.note.code == "output_unavailable"
    assert len(list(out.glob("*.png"))) == 1


def test_the_historys_copies_of_folder_results_are_not_queued_on_the_database_thread(
        sb: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each result's copy in the library (hash, write, fsync, a transaction) is written in
    the pool, side by side, not one after another behind the status writes on the single
    database thread; the run still waits for them before it ends (the history has them)."""
    import threading

    sources = []
    for i in range(3):
        sources.append(tmp_path / f"p{i}.jpg")
        Image.new("RGB", (300, 200), (i * 60, 80, 120)).save(sources[-1], quality=80)
    threads: list[str] = []
    real = EditRecorder.complete

    def complete(self: EditRecorder, *args: object, **kwargs: object) -> tuple[Path, ...]:
        threads.append(threading.current_thread().name)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(EditRecorder, "complete", complete)
    with Library(tmp_path / "lib") as library:
        edits = asyncio.run(run_batch(sb.base_url, library, tmp_path / "out", sources,
                                      concurrency=2))
        for e in edits:
            record = library.get(e.edit_id)
            assert record is not None and record.status is EditStatus.DONE
            assert record.result_files and record.result_files[0].is_file()
    assert len(threads) == 3 and not any(t.startswith("qs-edit-db") for t in threads)
