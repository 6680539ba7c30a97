"""EditQueue: bounded concurrency, AIMD on rate limits, pause/resume, cancel, retry."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from qwen_studio.core.editing.progress import EditProgress, EditResult, Stage
from qwen_studio.core.editing.queue import EditContext, EditFunction, EditQueue, SkipEdit
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.endpoint import RetryInfo
from qwen_studio.core.errors import ErrorDetail, RateLimitError, Reason, ServerError
from qwen_studio.core.request import EditRequest


def req(i: int) -> EditRequest:
    return EditRequest(inputs=(f"{i}.jpg",), prompt="p")


class Adder:
    """Edit ids as the recorder would hand them out."""

    def __init__(self, q: EditQueue) -> None:
        self.q = q
        self.next = 1

    def __call__(self, request: EditRequest, label: str, batch_id: str | None = None) -> int:
        edit_id, self.next = self.next, self.next + 1
        self.q.add(EditProgress(edit_id, request, label, batch_id=batch_id))
        return edit_id


def result(label: str) -> EditResult:
    return EditResult((Path(label),))


@pytest.fixture
def new_queue() -> Callable[..., tuple[EditQueue, Adder]]:
    """An EditQueue and its Adder, over `fn`, or over an edit that sleeps `sleep` seconds and
    returns result("x"). Called inside the test's coroutine (the queue's loop)."""

    def make(fn: EditFunction | None = None, *, sleep: float = 0.01,
             concurrency: int = 4) -> tuple[EditQueue, Adder]:
        async def sleeps(ctx: EditContext) -> EditResult:
            await asyncio.sleep(sleep)
            return result("x")

        q = EditQueue(fn or sleeps, concurrency=concurrency)
        return q, Adder(q)

    return make


def test_never_more_in_flight_than_the_limit(run_async, new_queue) -> None:
    peak = 0
    current = 0

    async def fn(ctx: EditContext) -> EditResult:
        nonlocal peak, current
        current += 1
        peak = max(peak, current)
        await asyncio.sleep(0.01)
        current -= 1
        return result(ctx.progress.label)

    async def main() -> EditQueue:
        q, add = new_queue(fn, concurrency=3)
        for i in range(12):
            add(req(i), f"job{i}")
        q.start()
        await q.wait_idle()
        return q

    q = run_async(main())
    assert peak == 3
    assert [p.status for p in q.ordered()] == [EditStatus.DONE] * 12
    assert q.ordered()[5].result == result("job5")
    assert all(p.stage is Stage.FINISHED for p in q.ordered())


def test_rate_limits_halve_concurrency_and_successes_restore_it(run_async, new_queue) -> None:
    limits: list[int] = []

    async def fn(ctx: EditContext) -> EditResult:
        limits.append(ctx._queue.current_limit)
        if ctx.edit_id == 1:
            err = RateLimitError(detail=ErrorDetail(status=429))
            ctx.on_retry(RetryInfo(attempt=1, max_attempts=4, delay=0.0, error=err))
        await asyncio.sleep(0.005)
        return result("x")

    async def main() -> EditQueue:
        q, add = new_queue(fn, concurrency=8)
        for i in range(60):
            add(req(i), str(i))
        q.start()
        await q.wait_idle()
        return q

    q = run_async(main())
    assert min(limits) == 4  # halved once for the burst
    assert q.current_limit == 8  # back to the ceiling after a run of successes


def test_a_retry_is_data_and_ends_with_the_edit(run_async) -> None:
    seen: list[EditProgress] = []

    async def fn(ctx: EditContext) -> EditResult:
        err = ServerError(detail=ErrorDetail(status=500))
        ctx.on_retry(RetryInfo(attempt=3, max_attempts=4, delay=2.0, error=err))
        raise err

    async def main() -> None:
        q = EditQueue(fn)
        q.subscribe(seen.append)
        Adder(q)(req(0), "x")
        q.start()
        await q.wait_idle()

    run_async(main())
    retrying = next(p for p in seen if p.stage is Stage.RETRYING)
    assert retrying.retry is not None and retrying.retry.delay == 2.0
    assert (retrying.attempt, retrying.max_attempts) == (4, 4)
    last = seen[-1]
    assert last.status is EditStatus.FAILED and last.stage is Stage.FINISHED
    assert last.retry is None  # nothing about a failed edit says it is retrying
    assert isinstance(last.error, ServerError)


def test_failures_do_not_stop_the_others_and_retry_failed_reruns_them(run_async, new_queue) -> None:
    attempts: dict[str, int] = {}

    async def fn(ctx: EditContext) -> EditResult:
        label = ctx.progress.label
        attempts[label] = attempts.get(label, 0) + 1
        if label in ("b", "d") and attempts[label] == 1:
            raise ServerError(detail=ErrorDetail(status=500))
        if label == "e":
            raise ValueError("a bug")
        return result(label)

    async def main() -> EditQueue:
        q, add = new_queue(fn, concurrency=2)
        for label in "abcde":
            add(req(0), label)
        q.start()
        await q.wait_idle()
        states = {p.label: p.status for p in q.ordered()}
        assert states == {"a": "done", "b": "failed", "c": "done", "d": "failed", "e": "failed"}
        error = q.ordered()[4].error
        assert error is not None and "unexpected error (ValueError" in error.user_message
        assert q.retry_failed() == 3
        await q.wait_idle()
        return q

    q = run_async(main())
    assert {p.label: p.status for p in q.ordered()}["b"] == EditStatus.DONE
    assert q.stats().done == 4 and q.stats().failed == 1


def test_pause_holds_new_jobs_and_resume_continues(run_async, new_queue) -> None:
    async def main() -> None:
        q, add = new_queue(sleep=0.01, concurrency=1)
        for i in range(5):
            add(req(i), str(i))
        q.start()
        await asyncio.sleep(0)  # let the first job start
        q.pause(everything=True)
        await asyncio.sleep(0.1)
        assert q.stats().done <= 2 and q.stats().queued >= 3
        q.resume(everything=True)
        await q.wait_idle()
        assert q.stats().done == 5

    run_async(main())


def test_a_paused_batch_waits_while_single_edits_run(run_async, new_queue) -> None:
    async def main() -> None:
        q, add = new_queue(sleep=0.005, concurrency=2)
        q.pause("b1")
        for i in range(3):
            add(req(i), str(i), batch_id="b1")
        single = add(req(9), "single")
        q.start()
        await q.wait_idle()
        assert q.edits[single].status is EditStatus.DONE
        assert q.stats("b1").queued == 3 and q.stats("b1").total == 3
        q.resume("b1")
        await q.wait_idle("b1")
        assert q.stats("b1").done == 3 and q.stats().done == 4

    run_async(main())


def test_cancel_one_aborts_it_promptly_and_cancel_all_stops_everything(run_async,
                                                                       new_queue) -> None:
    async def main() -> None:
        q, add = new_queue(sleep=30, concurrency=2)
        ids = [add(req(i), str(i)) for i in range(4)]
        q.start()
        await asyncio.sleep(0.05)
        assert q.edits[ids[0]].status is EditStatus.RUNNING
        q.cancel(ids[0])
        await asyncio.sleep(0.05)
        assert q.edits[ids[0]].status is EditStatus.CANCELLED
        assert q.edits[ids[2]].status is EditStatus.RUNNING  # the freed slot went on
        q.cancel_all()
        await asyncio.wait_for(q.wait_idle(), 2)
        assert all(q.edits[i].status is EditStatus.CANCELLED for i in ids)

    run_async(main(), timeout=10)


def test_close_interrupts_what_runs_and_keeps_what_waits(run_async, new_queue) -> None:
    async def main() -> EditQueue:
        q, add = new_queue(sleep=30, concurrency=1)
        add(req(0), "runs")
        add(req(1), "waits")
        q.start()
        await asyncio.sleep(0.05)
        await q.close()
        return q

    q = run_async(main(), timeout=10)
    assert [p.status for p in q.ordered()] == [EditStatus.INTERRUPTED, EditStatus.QUEUED]


def test_skip_edit_and_remove_before_running(run_async, new_queue) -> None:
    seen: list[str] = []

    async def fn(ctx: EditContext) -> EditResult:
        seen.append(ctx.progress.request.prompt)
        if ctx.progress.label == "old":
            raise SkipEdit(Reason("already_in_output"))
        return result("x")

    async def main() -> EditQueue:
        q, add = new_queue(fn, concurrency=1)
        old = add(req(0), "old")
        edited = add(req(1), "edited")
        gone = add(req(2), "gone")
        assert q.update_request(edited, req(1).with_changes(prompt="changed"))
        assert q.remove(gone)
        q.start()
        await q.wait_idle()
        assert q.edits[old].status is EditStatus.SKIPPED
        assert q.edits[old].note == "already in the output folder"
        assert not q.update_request(edited, req(1))  # too late once it ran
        return q

    q = run_async(main())
    assert seen == ["p", "changed"]
    assert len(q.ordered()) == 2


def test_listeners_see_every_state_change(run_async) -> None:
    events: list[tuple[str, str, str]] = []

    async def fn(ctx: EditContext) -> EditResult:
        ctx.stage(Stage.SENDING)
        return result("x")

    async def main() -> None:
        q = EditQueue(fn)
        q.subscribe(lambda p: events.append((p.label, p.status.value, p.stage.value)))
        Adder(q)(req(0), "x")
        q.start()
        await q.wait_idle()

    run_async(main())
    assert events[0] == ("x", "queued", "queued")
    assert ("x", "running", "sending") in events and events[-1] == ("x", "done", "finished")


def test_a_single_edit_goes_before_a_queued_batch(run_async, new_queue) -> None:
    order: list[str] = []

    async def fn(ctx: EditContext) -> EditResult:
        order.append(ctx.progress.label)
        await asyncio.sleep(0.005)
        return result("x")

    async def main() -> None:
        q, add = new_queue(fn, concurrency=1)
        for i in range(4):
            add(req(i), f"batch{i}", batch_id="b1")
        q.start()
        await asyncio.sleep(0)  # batch0 starts
        add(req(9), "single")
        await q.wait_idle()

    run_async(main())
    assert order[:2] == ["batch0", "single"]


def test_the_running_count_never_drops_to_zero_between_two_edits(run_async) -> None:
    """When an edit ends, the queue starts the next before it reports the end: whoever
    looks at the figures on that report (the window's in-flight count) sees the next one
    running, never "nothing runs" while work waits. Two edits ending in one loop pass too."""
    seen: list[tuple[int, int]] = []  # (running, queued) as each end is reported

    async def fn(ctx: EditContext) -> EditResult:
        await asyncio.sleep(0.01)
        return result(ctx.progress.label)

    async def main() -> list[EditProgress]:
        q = EditQueue(fn, concurrency=2)

        def listener(p: EditProgress) -> None:
            if p.finished:
                stats = q.stats()
                seen.append((stats.running, stats.queued))

        q.subscribe(listener)
        add = Adder(q)
        for i in range(9):
            add(req(i), f"job{i}", batch_id="b")
        q.start()
        await q.wait_idle()
        return q.ordered()

    edits = run_async(main())
    assert [p.status for p in edits] == [EditStatus.DONE] * 9
    assert len(seen) == 9
    assert all(running > 0 for running, queued in seen if queued), seen


def test_an_edit_that_only_saves_gives_its_slot_to_the_next(run_async, new_queue) -> None:
    """A slot covers an edit's use of the service: once its results are downloaded
    (release_slot) the next edit is sent while it saves; the limit still holds for
    what talks to the service."""
    in_service = peak = 0

    async def main() -> list[EditProgress]:
        nonlocal in_service, peak
        second_sent = asyncio.Event()

        async def fn(ctx: EditContext) -> EditResult:
            nonlocal in_service, peak
            in_service += 1
            peak = max(peak, in_service)
            if ctx.edit_id == 2:
                second_sent.set()
            await asyncio.sleep(0.01)
            in_service -= 1
            ctx.release_slot()
            if ctx.edit_id == 1:  # a slow save: the second edit is sent meanwhile
                await asyncio.wait_for(second_sent.wait(), 5)
            return result(ctx.progress.label)

        q, add = new_queue(fn, concurrency=1)
        for i in range(4):
            add(req(i), f"job{i}")
        q.start()
        await q.wait_idle()
        return q.ordered()

    edits = run_async(main())
    assert [p.status for p in edits] == [EditStatus.DONE] * 4
    assert peak == 1
