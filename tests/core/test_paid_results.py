"""A result the service billed whose download failed is kept, not lost: its links are
recorded (core/paid_results.py), the user is told, Retry downloads it without sending the
edit again (the sandbox's generation count does not grow), spend counts it as billed, and
only a dead or too old link makes Retry send (and pay) again. Against the sandbox over
loopback, with a real library, as the window and `qwen-studio batch` build the service."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from service_helpers import FAST, KEY, Harness, photos, request

from qwen_studio.core import paid_results, spend
from qwen_studio.core.client import Endpoint, ImageClient, make_http_client
from qwen_studio.core.editing.batches import new_batch_id, skipped_for_budget, summarize
from qwen_studio.core.editing.budget import BudgetGate
from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.editing.recorder import BestEffortRecorder
from qwen_studio.core.editing.service import EditService
from qwen_studio.core.editing.sinks import FolderSink
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import NoteError, Reason
from qwen_studio.core.library import Library
from qwen_studio.core.library_schema import MIGRATIONS
from qwen_studio.core.output_folder import OutputFolder
from qwen_studio.core.spend import UnitPrice
from qwen_studio.sandbox import SandboxServer


def price(_model: str) -> UnitPrice:
    return UnitPrice(0.5, "USD")


@pytest.fixture
def flaky() -> Iterator[SandboxServer]:
    """A sandbox whose result host drops as many downloads as the client tries (FAST: 3)."""
    server = SandboxServer(api_key=KEY, dropped_fetches=FAST.max_attempts).start()
    yield server
    server.stop()


def batch_images(library: Library, batch: str) -> int:
    """Images billed for the batch, as the spend meter counts them."""
    found = spend.summary(library, price, batch_id=batch).batch
    assert found is not None
    return found.images


def last(events: list[EditProgress], edit_id: int) -> EditProgress:
    return [e for e in events if e.edit_id == edit_id][-1]


def test_a_billed_result_whose_download_fails_is_kept_and_retry_downloads_it_free(
        flaky: SandboxServer, tmp_path: Path, run_async, caplog) -> None:
    caplog.set_level(logging.INFO)
    [shot] = photos(tmp_path / "in", 1)
    h = Harness(flaky.base_url, tmp_path / "lib")
    batch = new_batch_id()
    flaky.inject("dropped")

    async def main() -> int:
        async with h as service:
            [edit_id] = await service.submit([request(shot)], batch_id=batch)
            await service.wait_idle()
            failed = last(h.events, edit_id)
            assert failed.status is EditStatus.FAILED
            assert isinstance(failed.error, NoteError)
            message = failed.error.user_message
            assert message.startswith("Paid result not downloaded:")
            assert "Retry downloads it again without a new charge" in message
            assert flaky.request_count == 1
            rec = h.library.get(edit_id)
            assert rec is not None and rec.status is EditStatus.FAILED
            assert rec.reason == "paid_not_downloaded" and rec.billed_unsaved == 1
            # Spend (and a resumed batch's budget) counts what was billed, not downloaded.
            assert batch_images(h.library, batch) == 1
            gate = BudgetGate.for_batch(h.library, batch, UnitPrice(5, "USD"), price)
            assert gate.spent == pytest.approx(0.5)

            assert service.retry(edit_id)
            await service.wait_idle()
            done = last(h.events, edit_id)
            assert done.status is EditStatus.DONE, done.error
            assert flaky.request_count == 1  # downloaded, not sent again
            assert done.result is not None and all(p.is_file() for p in done.result.paths)
            rec = h.library.get(edit_id)
            assert rec is not None and rec.status is EditStatus.DONE
            assert rec.billed_unsaved == 0 and len(rec.result_files) == 1 and not rec.reason
            # Billed once: the downloaded result, not the kept links as well.
            assert batch_images(h.library, batch) == 1
            return edit_id

    run_async(main())
    # The links are signed: the app never logs their query string (httpx's own request
    # log, off in the app, is not ours).
    ours = "\n".join(r.getMessage() for r in caplog.records
                     if r.name.startswith("qwen_studio"))
    assert "paid result" in ours and "not downloaded" in ours
    assert "Signature=" not in ours and "Expires=" not in ours and KEY not in ours


def test_resuming_the_batch_downloads_what_was_paid_for(
        flaky: SandboxServer, tmp_path: Path, run_async) -> None:
    shots = photos(tmp_path / "in", 2)
    batch = new_batch_id()
    flaky.inject("dropped")  # the first edit's result only

    async def fail_then_quit() -> list[int]:
        async with Harness(flaky.base_url, tmp_path / "lib", concurrency=1) as service:
            ids = await service.submit([request(p) for p in shots], batch_id=batch)
            await service.wait_idle()
            return ids

    ids = run_async(fail_then_quit())
    h = Harness(flaky.base_url, tmp_path / "lib")

    async def resume() -> None:
        async with h as service:
            [offered] = await service.interrupted_batches()
            assert (offered.batch_id, offered.done, offered.pending, offered.failed) == \
                (batch, 1, 1, 0)
            await service.resume_batch(batch)
            await service.wait_idle()
            assert last(h.events, ids[0]).status is EditStatus.DONE

    run_async(resume())
    assert flaky.request_count == 2  # one per photo: the resume sent nothing


def test_a_single_edit_left_waiting_for_its_download_is_retried_after_a_restart(
        flaky: SandboxServer, tmp_path: Path, run_async) -> None:
    """A window edit (no batch) is in no resume list: its Retry after a restart loads it
    from the library and downloads what was paid for; an edit in any other state is not
    taken (Re-run is the way to send one again)."""
    shots = photos(tmp_path / "in", 2)
    flaky.inject("dropped")  # the first edit's result only

    async def fail_then_quit() -> list[int]:
        async with Harness(flaky.base_url, tmp_path / "lib", concurrency=1) as service:
            ids = [(await service.submit([request(p)]))[0] for p in shots]
            await service.wait_idle()
            return ids

    paid, done = run_async(fail_then_quit())
    h = Harness(flaky.base_url, tmp_path / "lib")

    async def retry_in_a_new_session() -> None:
        async with h as service:
            assert await service.interrupted_batches() == []  # nothing resumes it
            assert not service.retry(paid)  # the queue of this session does not hold it
            assert not await service.retry_stored(done)  # done: nothing to download
            # Retry pressed twice at once: one download.
            assert sorted(await asyncio.gather(service.retry_stored(paid),
                                               service.retry_stored(paid))) == [False, True]
            await service.wait_idle()
            finished = last(h.events, paid)
            assert finished.status is EditStatus.DONE, finished.error
            assert finished.result is not None and all(p.is_file()
                                                       for p in finished.result.paths)
            rec = h.library.get(paid)
            assert rec is not None and rec.status is EditStatus.DONE and not rec.reason
            assert rec.billed_unsaved == 0 and len(rec.result_files) == 1
            assert not await service.retry_stored(paid)  # done now

    run_async(retry_in_a_new_session())
    assert flaky.request_count == 2  # one per photo: the retry sent nothing


def test_a_dead_link_says_so_and_retry_sends_again(tmp_path: Path, run_async) -> None:
    server = SandboxServer(api_key=KEY).start()
    [shot] = photos(tmp_path / "in", 1)
    batch = new_batch_id()
    h = Harness(server.base_url, tmp_path / "lib")
    server.inject("expired")  # the result host answers 403 AccessDenied

    async def main() -> None:
        async with h as service:
            [edit_id] = await service.submit([request(shot)], batch_id=batch)
            await service.wait_idle()
            failed = last(h.events, edit_id)
            assert failed.status is EditStatus.FAILED and failed.error is not None
            assert failed.error.user_message.startswith(
                "Paid result lost: The result link has expired or was not found (HTTP 403)")
            assert "Retry sends the edit again, at a new charge" in failed.error.user_message
            rec = h.library.get(edit_id)
            assert rec is not None and rec.reason == "paid_result_lost"
            assert rec.billed_unsaved == 1  # lost, but paid for
            assert service.retry(edit_id)
            await service.wait_idle()
            assert last(h.events, edit_id).status is EditStatus.DONE
            assert server.request_count == 2  # sent again: the link was dead
            # Both bills count: the lost image and the downloaded one.
            assert batch_images(h.library, batch) == 2

    try:
        run_async(main())
    finally:
        server.stop()


def test_a_result_that_is_not_an_image_is_lost_not_fetched_forever(
        tmp_path: Path, run_async) -> None:
    """A link whose download cannot heal (not an image, too large, a hostile redirect) is
    paid for and lost: Retry sends the edit again rather than fetch the same garbage."""
    server = SandboxServer(api_key=KEY).start()
    [shot] = photos(tmp_path / "in", 1)
    h = Harness(server.base_url, tmp_path / "lib")
    server.inject("not_image")

    async def main() -> None:
        async with h as service:
            [edit_id] = await service.submit([request(shot)])
            await service.wait_idle()
            failed = last(h.events, edit_id)
            assert failed.error is not None
            assert failed.error.user_message.startswith(
                "Paid result lost: The downloaded result is not an image")
            assert service.retry(edit_id)
            await service.wait_idle()
            assert last(h.events, edit_id).status is EditStatus.DONE
            assert server.request_count == 2

    try:
        run_async(main())
    finally:
        server.stop()


def test_a_link_older_than_the_contract_allows_is_not_fetched(
        flaky: SandboxServer, tmp_path: Path, run_async,
        monkeypatch: pytest.MonkeyPatch) -> None:
    [shot] = photos(tmp_path / "in", 1)
    h = Harness(flaky.base_url, tmp_path / "lib")
    flaky.inject("dropped")

    async def main() -> None:
        async with h as service:
            [edit_id] = await service.submit([request(shot)])
            await service.wait_idle()
            monkeypatch.setattr(paid_results, "LINK_LIFETIME_S", -1.0)  # a day later
            assert service.retry(edit_id)
            await service.wait_idle()
            expired = last(h.events, edit_id)
            assert expired.status is EditStatus.FAILED and expired.error is not None
            assert "its link has expired" in expired.error.user_message
            assert flaky.request_count == 1  # said so, sent nothing
            assert service.retry(edit_id)  # now Retry sends the edit again
            await service.wait_idle()
            assert last(h.events, edit_id).status is EditStatus.DONE
            assert flaky.request_count == 2

    run_async(main())


def test_a_rerun_of_a_folder_batch_downloads_what_the_run_before_paid_for(
        flaky: SandboxServer, tmp_path: Path, run_async) -> None:
    """`qwen-studio batch` resumes by running again: new edits, the same identities."""
    [shot] = photos(tmp_path / "in", 1)
    out = tmp_path / "out"
    endpoint = Endpoint(flaky.base_url, "bailian", KEY)
    flaky.inject("dropped")

    async def run() -> EditProgress:
        events: list[EditProgress] = []
        with ThreadPoolExecutor(max_workers=2) as pool, Library(tmp_path / "lib") as library:
            async with make_http_client(FAST) as http:
                client = ImageClient(http, endpoint, FAST)
                sink = FolderSink(OutputFolder(out), endpoint, pool, library=library)
                service = EditService(lambda: client, BestEffortRecorder(library), sink, pool)
                service.subscribe(events.append)
                await service.submit([request(shot)], batch_id=new_batch_id(folder=True))
                await service.wait_idle()
                await service.close()
        return events[-1]

    first = run_async(run())
    assert first.status is EditStatus.FAILED and not list(out.glob("*.png"))
    second = run_async(run())
    assert second.status is EditStatus.DONE, second.error
    assert flaky.request_count == 1 and len(list(out.glob("*.png"))) == 1


# -- the reason column (schema 4) ---------------------------------------------------------

def test_a_library_of_the_previous_schema_gains_reasons_in_place(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    conn = sqlite3.connect(root / "library.sqlite3")
    for step in MIGRATIONS[:3]:  # the schema before this change
        step(conn)
    conn.execute("PRAGMA user_version = 3")
    skip = str(Reason("over_budget", cost="$0.50", total="$1.50", budget="$1.00"))
    for status, error in (("skipped", skip), ("skipped", "already done"), ("done", "")):
        conn.execute("INSERT INTO edits(created_at, status, error, request_json, batch_id)"
                     " VALUES (1, ?, ?, ?, 'b')",
                     (status, error, request(Path("x.jpg")).to_json()))
    conn.commit()
    conn.close()

    with Library(root) as lib:
        assert lib.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        over, done_before, done = sorted(lib.query(batch_id="b", limit=10), key=lambda r: r.id)
        assert over.reason == "over_budget" and skipped_for_budget(over)
        assert not skipped_for_budget(done_before) and not done.reason
        assert summarize("b", [over, done_before, done]).over_budget == 1


def test_a_budget_skip_is_known_by_its_code_not_its_words(tmp_path: Path) -> None:
    with Library(tmp_path / "lib") as lib:
        ids = [lib.create_edit(request(Path("x.jpg")), input_hashes=(), batch_id="b")
               for _ in range(2)]
        note = Reason("no_price", model="qwen-x", budget="$1.00")
        lib.set_status(ids[0], EditStatus.SKIPPED, error="(a translated text)", reason=note)
        lib.set_status(ids[1], EditStatus.SKIPPED, error="over the budget, says the text")
        first, second = sorted(lib.query(batch_id="b", limit=10), key=lambda r: r.id)
        assert skipped_for_budget(first) and not skipped_for_budget(second)
        assert first.note == note and first.note is not None and first.note.code == "no_price"
