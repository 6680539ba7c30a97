"""Adversarial checks of the edit service (core/editing) against the sandbox over loopback
and a real library: cancellation at the awkward instants, listeners that misbehave or call
back into the service, many edits, and the service's status agreeing with the library's."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from service_helpers import KEY, Harness, request, sandbox_fixture  # noqa: F401  (sb)
from service_helpers import photos as shared_photos

from qwen_studio.core.client import ImageClient
from qwen_studio.core.editing.batches import new_batch_id
from qwen_studio.core.editing.progress import EditProgress, EditResult, Stage
from qwen_studio.core.editing.queue import EditContext, EditQueue
from qwen_studio.core.editing.status import FINISHED_STATUSES, EditStatus
from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest
from qwen_studio.sandbox import SandboxServer


def photos(folder: Path, n: int) -> list[Path]:
    return shared_photos(folder, n, size=(200, 150), prefix="a", digits=3)


def finished_then_running(events: list[EditProgress]) -> list[int]:
    """Edit ids for which a listener saw a finished status and then, with no retry (QUEUED)
    in between, a RUNNING one or a different finished one."""
    last: dict[int, EditStatus] = {}
    bad = []
    for p in events:
        before = last.get(p.edit_id)
        if before in FINISHED_STATUSES and p.status is not EditStatus.QUEUED:
            bad.append(p.edit_id)
        last[p.edit_id] = p.status
    return bad


# -- cancelled the instant it starts ------------------------------------------------------
def test_a_cancel_arriving_as_an_edit_starts_cancels_it_and_frees_its_slot(
        sb, tmp_path, run_async) -> None:
    """The user's Cancel reaches the loop right after the queue launched the edit, before
    its task first ran (a click processed between two loop callbacks). The edit must end
    CANCELLED, not stay 'running' forever holding a slot, and wait_idle must return."""
    shots = photos(tmp_path / "in", 3)
    h = Harness(sb.base_url, tmp_path / "lib", concurrency=1)

    async def main() -> list[int]:
        async with h as service:
            loop = asyncio.get_running_loop()
            first: list[int] = []

            def cancel_as_it_starts(p: EditProgress) -> None:
                if p.status is EditStatus.RUNNING and not first:
                    first.append(p.edit_id)
                    loop.call_soon(service.cancel, p.edit_id)

            service.subscribe(cancel_as_it_starts)
            ids = await service.submit([request(p) for p in shots], batch_id=new_batch_id())
            await asyncio.wait_for(service.wait_idle(), 10)
            assert service.snapshot(ids[0]).status is EditStatus.CANCELLED
            assert [service.snapshot(i).status for i in ids[1:]] == [EditStatus.DONE] * 2
            assert not service.stats().active
            return ids

    ids = run_async(main(), timeout=30)
    assert sb.request_count == 2  # the cancelled edit was never sent
    assert h.library_statuses(ids) == {ids[0]: EditStatus.CANCELLED,
                                       ids[1]: EditStatus.DONE, ids[2]: EditStatus.DONE}


def test_close_as_an_edit_starts_leaves_it_interrupted_not_running(run_async) -> None:
    """close() right after the queue launched an edit: it ends INTERRUPTED (a resume runs
    it), never RUNNING in the service's own state."""

    async def fn(ctx: EditContext) -> EditResult:
        await asyncio.sleep(5)
        return EditResult(())

    async def main() -> EditQueue:
        q = EditQueue(fn, concurrency=1)
        loop = asyncio.get_running_loop()
        closing: list[asyncio.Future[None]] = []

        def close_as_it_starts(p: EditProgress) -> None:
            if p.status is EditStatus.RUNNING and not closing:
                closing.append(loop.create_task(q.close()))

        q.subscribe(close_as_it_starts)
        q.add(EditProgress(1, EditRequest(inputs=("a.jpg",), prompt="p"), "a"))
        q.start()
        while not closing:
            await asyncio.sleep(0)
        await asyncio.wait_for(closing[0], 5)
        return q

    q = run_async(main(), timeout=10)
    assert q.edits[1].status is EditStatus.INTERRUPTED


# -- listeners that call back into the service ---------------------------------------------
def test_a_listener_that_cancels_an_edit_as_it_starts_stops_it_for_good(
        sb, tmp_path, run_async) -> None:
    """A subscriber cancels synchronously when it sees an edit start (e.g. a slot on a
    direct connection). The edit must not be sent anyway, and no listener may see it
    finished and then running (or finished twice)."""
    shots = photos(tmp_path / "in", 2)
    h = Harness(sb.base_url, tmp_path / "lib", concurrency=1)
    later: list[EditProgress] = []

    async def main() -> list[int]:
        async with h as service:
            target: list[int] = []

            def cancel_now(p: EditProgress) -> None:
                if p.status is EditStatus.RUNNING and not target:
                    target.append(p.edit_id)
                    service.cancel(p.edit_id)

            service.subscribe(cancel_now)
            service.subscribe(later.append)  # subscribed after the one that cancels
            ids = await service.submit([request(p) for p in shots], batch_id=new_batch_id())
            await asyncio.wait_for(service.wait_idle(), 10)
            return ids

    ids = run_async(main(), timeout=30)
    assert sb.request_count == 1
    assert finished_then_running(h.events) == []
    assert finished_then_running(later) == []
    assert later[-1].edit_id == ids[1] or {p.edit_id for p in later if p.finished} == set(ids)
    assert [p.status for p in later if p.edit_id == ids[0]][-1] is EditStatus.CANCELLED
    assert h.library_statuses(ids)[ids[0]] is EditStatus.CANCELLED


def test_a_listener_that_raises_breaks_nothing(sb, tmp_path, run_async) -> None:
    shots = photos(tmp_path / "in", 4)
    h = Harness(sb.base_url, tmp_path / "lib", concurrency=2)

    def broken(p: EditProgress) -> None:
        raise RuntimeError("listener bug")

    async def main() -> list[int]:
        async with h as service:
            service.subscribe(broken)
            ids = await service.submit([request(p) for p in shots], batch_id=new_batch_id())
            await asyncio.wait_for(service.wait_idle(), 20)
            return ids

    ids = run_async(main(), timeout=40)
    assert {p.edit_id: p.status for p in h.events if p.finished} == dict.fromkeys(
        ids, EditStatus.DONE)
    assert set(h.library_statuses(ids).values()) == {EditStatus.DONE}


def test_a_queue_listener_that_raises_does_not_stop_the_queue(run_async) -> None:
    """EditQueue.subscribe is public: a raising subscriber must not kill the runner (the
    edit would stay RUNNING with no task and nothing after it would start)."""

    async def fn(ctx: EditContext) -> EditResult:
        return EditResult(())

    async def main() -> EditQueue:
        q = EditQueue(fn, concurrency=2)
        q.subscribe(lambda p: 1 / 0)
        for i in range(1, 4):
            q.add(EditProgress(i, EditRequest(inputs=(f"{i}.jpg",), prompt="p"), str(i)))
        q.start()
        await asyncio.wait_for(q.wait_idle(), 5)
        return q

    q = run_async(main(), timeout=10)
    assert [p.status for p in q.ordered()] == [EditStatus.DONE] * 3


# -- concurrency changed while running -----------------------------------------------------
def test_raising_concurrency_while_running_takes_effect_at_once(run_async) -> None:
    """The user raises 'at once' from 1 to 4 mid-batch, with no rate limit seen: four edits
    run together right away, not after a slow additive climb."""
    in_flight = 0
    peak_after = 0
    raised = False

    async def main() -> None:
        nonlocal in_flight, peak_after, raised
        gate = asyncio.Event()

        async def fn(ctx: EditContext) -> EditResult:
            nonlocal in_flight, peak_after
            in_flight += 1
            if raised:
                peak_after = max(peak_after, in_flight)
            await gate.wait()
            in_flight -= 1
            return EditResult(())

        q = EditQueue(fn, concurrency=1)
        for i in range(1, 9):
            q.add(EditProgress(i, EditRequest(inputs=(f"{i}.jpg",), prompt="p"), str(i)))
        q.start()
        while in_flight < 1:
            await asyncio.sleep(0)
        raised = True
        q.set_concurrency(4)
        for _ in range(20):
            await asyncio.sleep(0)
        assert in_flight == 4, f"{in_flight} in flight after set_concurrency(4)"
        gate.set()
        await asyncio.wait_for(q.wait_idle(), 5)

    run_async(main(), timeout=10)


# -- many edits ---------------------------------------------------------------------------
def recount(q: EditQueue, batch_id: str | None = None) -> dict[str, int]:
    out = dict.fromkeys(("queued", "running", "saving", "done", "failed", "cancelled",
                         "skipped"), 0)
    for p in q.ordered(batch_id):
        saving = p.status is EditStatus.RUNNING and p.stage is Stage.SAVING
        out["saving" if saving else "failed" if p.status is EditStatus.INTERRUPTED
            else p.status.value] += 1
    return out


def counted(q: EditQueue, batch_id: str | None = None) -> dict[str, int]:
    s = q.stats(batch_id)
    return {"queued": s.queued, "running": s.running, "saving": s.saving, "done": s.done,
            "failed": s.failed, "cancelled": s.cancelled, "skipped": s.skipped}


def test_stats_kept_as_edits_change_match_a_recount(run_async) -> None:
    """stats() is kept up to date per change (not recounted over every edit per call):
    after runs, failures, cancels, retries, removals and a resumed batch listed twice, it
    says exactly what the edits say, per batch and overall."""

    async def fn(ctx: EditContext) -> EditResult:
        await asyncio.sleep(0)
        if ctx.progress.label.endswith("7"):
            raise ValueError("boom")
        return EditResult(())

    async def main() -> None:
        q = EditQueue(fn, concurrency=3)
        r = EditRequest(inputs=("a.jpg",), prompt="p")
        for i in range(1, 31):
            q.add(EditProgress(i, r, str(i), batch_id="a" if i % 2 else "b"))
        earlier = [EditProgress(100 + i, r, f"e{i}", batch_id="old", status=s)
                   for i, s in enumerate((EditStatus.DONE, EditStatus.FAILED,
                                          EditStatus.INTERRUPTED, EditStatus.DONE))]
        for p in earlier + earlier:  # a resume listed twice
            q.add(p)
        q.cancel(3)
        assert q.remove(5)
        q.start()
        await asyncio.sleep(0)
        q.cancel(29)
        await q.wait_idle()
        q.retry_failed("old")
        q.retry(3)
        assert q.remove(100)
        await q.wait_idle()
        for batch in (None, "a", "b", "old"):
            assert counted(q, batch) == recount(q, batch)
            assert q.stats(batch).total == len(q.ordered(batch))
        assert q.stats("old").done == 3  # 103 listed done, 101 and 102 retried and done

    run_async(main(), timeout=20)


# -- a library that cannot be written ------------------------------------------------------
def test_a_paid_for_result_the_library_cannot_store_is_kept_and_named(
        sb, tmp_path, run_async, monkeypatch, caplog) -> None:
    """The disk fills up while the result is stored: the service billed it, so its bytes
    must be kept somewhere the user is told about, not dropped with 'unexpected error'."""
    [shot] = photos(tmp_path / "in", 1)
    h = Harness(sb.base_url, tmp_path / "lib", concurrency=1)

    write_blob = Library._write_blob
    disk_full = False

    def fills_up(self: Library, *args: Any, **kwargs: Any) -> Any:
        if disk_full:
            raise OSError(28, "No space left on device")
        return write_blob(self, *args, **kwargs)

    def fill_once_sent(p: EditProgress) -> None:
        nonlocal disk_full
        disk_full = disk_full or p.stage is Stage.SENDING

    monkeypatch.setattr(Library, "_write_blob", fills_up)

    async def main() -> int:
        async with h as service:
            service.subscribe(fill_once_sent)
            [edit_id] = await service.submit([request(shot)])
            await asyncio.wait_for(service.wait_idle(), 20)
            return edit_id

    edit_id = run_async(main(), timeout=40)
    final = h.events[-1]
    assert final.edit_id == edit_id and final.status is EditStatus.FAILED
    assert sb.request_count == 1
    message = final.error.user_message if final.error is not None else ""
    kept = [p for p in (Path(w.strip(" .()")) for w in message.split()) if p.is_file()]
    assert kept, f"no kept result named in {message!r}"
    with Image.open(kept[0]) as im:
        assert im.size[0] > 0
    assert "No space left" in message
    assert KEY not in message and KEY not in caplog.text
    assert h.library_statuses([edit_id])[edit_id] is EditStatus.FAILED


# -- cancel at every stage -----------------------------------------------------------------
@pytest.mark.parametrize("stage", [Stage.PREPARING, Stage.SENDING, Stage.RETRYING,
                                   Stage.DOWNLOADING, Stage.SAVING])
def test_cancel_at_each_stage_ends_the_same_in_the_service_and_the_library(
        stage, sb, tmp_path, run_async, monkeypatch) -> None:
    """Cancelled the moment it reaches `stage`: one finished status, the same in the
    service and the library; a result already paid for (downloading, saving) is kept."""
    [shot] = photos(tmp_path / "in", 1)
    h = Harness(sb.base_url, tmp_path / "lib", concurrency=1)
    if stage is Stage.RETRYING:
        sb.inject("500", 1)
    fetch = ImageClient.fetch_image

    async def slow_fetch(self: ImageClient, ref: Any) -> bytes:
        await asyncio.sleep(0.3)  # long enough to be cancelled while downloading
        return await fetch(self, ref)

    monkeypatch.setattr(ImageClient, "fetch_image", slow_fetch)

    async def main() -> int:
        async with h as service:
            loop = asyncio.get_running_loop()

            def cancel_at(p: EditProgress) -> None:
                if p.stage is stage and not p.finished:
                    loop.call_soon(service.cancel, p.edit_id)

            service.subscribe(cancel_at)
            [edit_id] = await service.submit([request(shot)])
            await asyncio.wait_for(service.wait_idle(), 20)
            return edit_id

    edit_id = run_async(main(), timeout=40)
    statuses = [p.status for p in h.events]
    assert finished_then_running(h.events) == []
    final = h.events[-1].status
    assert statuses.count(final) == 1
    paid = stage in (Stage.DOWNLOADING, Stage.SAVING)
    assert final is (EditStatus.DONE if paid else EditStatus.CANCELLED)
    assert h.library_statuses([edit_id])[edit_id] is final
    if final is EditStatus.DONE:
        with Library(tmp_path / "lib") as lib:
            rec = lib.get(edit_id)
            assert rec is not None and all(p.is_file() for p in rec.result_files)


def test_cancelled_twice_while_saving_the_service_and_library_agree(
        sb, tmp_path, run_async, monkeypatch) -> None:
    """Esc, then Cancel all, while the result is being written: the write goes on (the
    library marks it DONE), so the service must not report it CANCELLED."""
    [shot] = photos(tmp_path / "in", 1)
    h = Harness(sb.base_url, tmp_path / "lib", concurrency=1)
    complete = Library.complete_edit

    def slow_complete(self: Library, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.4)  # a slow disk, in the pool thread
        return complete(self, *args, **kwargs)

    monkeypatch.setattr(Library, "complete_edit", slow_complete)

    async def main() -> int:
        async with h as service:
            loop = asyncio.get_running_loop()

            def cancel_twice(p: EditProgress) -> None:
                if p.stage is Stage.SAVING and not p.finished:
                    loop.call_soon(service.cancel, p.edit_id)
                    loop.call_later(0.1, service.cancel_all)

            service.subscribe(cancel_twice)
            [edit_id] = await service.submit([request(shot)])
            await asyncio.wait_for(service.wait_idle(), 20)
            return edit_id

    edit_id = run_async(main(), timeout=40)
    assert h.events[-1].status is EditStatus.DONE
    assert h.library_statuses([edit_id])[edit_id] is EditStatus.DONE


# -- a burst of rate limits ----------------------------------------------------------------
@pytest.mark.slow  # ~10 s: the rate-limited edits back off
def test_cancel_all_in_a_burst_of_429s_then_retry_keeps_one_truth_and_one_seed(
        tmp_path, run_async) -> None:
    """Concurrency 8 into a rate-limited service; Cancel all mid-burst; then Retry the
    cancelled and failed edits. Every edit ends once, the library says what the service
    says, and each edit sent one seed however often it was sent."""
    server = SandboxServer(api_key=KEY, latency=0.05, faults="429bare:0.3", seed=7).start()
    shots = photos(tmp_path / "in", 24)
    h = Harness(server.base_url, tmp_path / "lib", concurrency=8)
    batch = new_batch_id()

    async def main() -> list[int]:
        async with h as service:
            ids = await service.submit([request(p) for p in shots], batch_id=batch)
            while service.stats(batch).done < 4:
                await asyncio.sleep(0.005)
            service.cancel_all()
            await asyncio.wait_for(service.wait_idle(), 10)
            assert not service.stats(batch).active
            mid = {i: service.snapshot(i).status for i in ids}
            assert mid == h.library_statuses(ids)
            for i in ids:
                if mid[i] is not EditStatus.DONE:
                    assert service.retry(i)
            await asyncio.wait_for(service.wait_idle(), 60)
            return ids

    try:
        ids = run_async(main(), timeout=90)
    finally:
        server.stop()
    assert finished_then_running(h.events) == []
    final = {p.edit_id: p.status for p in h.events}
    assert set(final.values()) <= {EditStatus.DONE, EditStatus.FAILED}
    assert h.library_statuses(ids) == final
    with Library(tmp_path / "lib") as lib:
        recorded = {lib.get(i).seed_sent for i in ids} - {None}
    sent = {(body.get("parameters") or {}).get("seed") for body in server.received}
    assert sent == recorded  # a retry (automatic or the user's) resends the edit's seed


# -- a budget that runs out at concurrency 8 -----------------------------------------------
def test_a_budget_running_out_at_concurrency_8_with_failures_and_a_cancel(
        tmp_path, run_async) -> None:
    """16 edits, room for 5, some answers fail (their reservation must come back) and one
    edit waiting for room is cancelled: never over budget, nothing held at the end, and the
    library says what the service says."""
    from qwen_studio.core.editing.budget import BudgetGate
    from qwen_studio.core.spend import PriceBook, UnitPrice

    server = SandboxServer(api_key=KEY, latency=0.3).start()
    server.inject("moderation", 3)  # refused, not retried: their room comes back
    shots = photos(tmp_path / "in", 16)
    h = Harness(server.base_url, tmp_path / "lib", concurrency=8)
    batch = new_batch_id()
    gate = BudgetGate(UnitPrice(1.25, "USD"), PriceBook({"qwen-image-edit-plus":
                                                         (0.25, "USD")}))

    async def main() -> list[int]:
        async with h as service:
            ids = await service.submit([request(p) for p in shots], batch_id=batch,
                                       budget=gate)
            while service.stats(batch).in_flight < 8:
                await asyncio.sleep(0.005)
            service.cancel(ids[7])
            await asyncio.wait_for(service.wait_idle(), 30)
            return ids

    try:
        ids = run_async(main(), timeout=60)
    finally:
        server.stop()
    final = {p.edit_id: p.status for p in h.events}
    done = [i for i in ids if final[i] is EditStatus.DONE]
    assert 0.25 * len(done) <= 1.25 + 1e-9 and gate.spent <= 1.25 + 1e-9
    assert gate.reserved == 0
    assert len(done) == 5  # the failed ones gave their room back
    assert any(s is EditStatus.FAILED for s in final.values())
    assert h.library_statuses(ids) == final
    assert finished_then_running(h.events) == []


def test_queue_order_holds_without_walking_every_edit(run_async) -> None:
    """The oldest queued edit goes next; a single edit before any batch's; a paused batch
    waits; a retried edit keeps its place (before edits queued after it)."""
    order: list[str] = []

    async def fn(ctx: EditContext) -> EditResult:
        order.append(ctx.progress.label)
        await asyncio.sleep(0)
        if ctx.progress.label == "a0" and order.count("a0") == 1:
            raise ValueError("first try fails")
        return EditResult(())

    async def main() -> None:
        q = EditQueue(fn, concurrency=1)
        r = EditRequest(inputs=("x.jpg",), prompt="p")
        for i in range(3):
            q.add(EditProgress(i + 1, r, f"a{i}", batch_id="a"))
        for i in range(2):
            q.add(EditProgress(10 + i, r, f"b{i}", batch_id="b"))
        q.pause("b")
        q.start()
        while q.edits[1].status is not EditStatus.FAILED:
            await asyncio.sleep(0)
        q.retry(1)
        q.add(EditProgress(20, r, "single"))
        await q.wait_idle()
        assert q.stats("b").queued == 2  # paused
        q.resume("b")
        await q.wait_idle()

    run_async(main(), timeout=10)
    assert order[0] == "a0" and order[-2:] == ["b0", "b1"]
    assert order.index("single") < order.index("a0", 1) < order.index("a2")
