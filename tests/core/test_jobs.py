"""JobQueue: bounded concurrency, AIMD on rate limits, pause/resume, cancel, retry."""

from __future__ import annotations

import asyncio

from qwen_studio.core.client import RetryInfo
from qwen_studio.core.errors import ErrorDetail, RateLimitError, ServerError
from qwen_studio.core.jobs import JobContext, JobQueue, JobState, SkipJob
from qwen_studio.core.request import EditRequest


def req(i: int) -> EditRequest:
    return EditRequest(inputs=(f"{i}.jpg",), prompt="p")


def test_never_more_in_flight_than_the_limit(run_async) -> None:
    peak = 0
    current = 0

    async def fn(ctx: JobContext) -> str:
        nonlocal peak, current
        current += 1
        peak = max(peak, current)
        await asyncio.sleep(0.01)
        current -= 1
        return ctx.job.label

    async def main() -> JobQueue:
        q = JobQueue(fn, concurrency=3)
        for i in range(12):
            q.add(req(i), f"job{i}")
        q.start()
        await q.wait_idle()
        return q

    q = run_async(main())
    assert peak == 3
    assert [j.state for j in q.ordered()] == [JobState.DONE] * 12
    assert q.ordered()[5].result == "job5"


def test_rate_limits_halve_concurrency_and_successes_restore_it(run_async) -> None:
    limits: list[int] = []

    async def fn(ctx: JobContext) -> None:
        limits.append(ctx.queue.current_limit)
        if ctx.job.id == 1:
            err = RateLimitError(detail=ErrorDetail(status=429))
            ctx.on_retry(RetryInfo(attempt=1, max_attempts=4, delay=0.0, error=err))
        await asyncio.sleep(0.005)

    async def main() -> JobQueue:
        q = JobQueue(fn, concurrency=8)
        for i in range(60):
            q.add(req(i), str(i))
        q.start()
        await q.wait_idle()
        return q

    q = run_async(main())
    assert min(limits) == 4  # halved once for the burst
    assert q.current_limit == 8  # back to the ceiling after a run of successes


def test_failures_do_not_stop_the_others_and_retry_failed_reruns_them(run_async) -> None:
    attempts: dict[str, int] = {}

    async def fn(ctx: JobContext) -> None:
        attempts[ctx.job.label] = attempts.get(ctx.job.label, 0) + 1
        if ctx.job.label in ("b", "d") and attempts[ctx.job.label] == 1:
            raise ServerError(detail=ErrorDetail(status=500))
        if ctx.job.label == "e":
            raise ValueError("a bug")

    async def main() -> JobQueue:
        q = JobQueue(fn, concurrency=2)
        for label in "abcde":
            q.add(req(0), label)
        q.start()
        await q.wait_idle()
        states = {j.label: j.state for j in q.ordered()}
        assert states == {"a": "done", "b": "failed", "c": "done", "d": "failed", "e": "failed"}
        assert "unexpected error (ValueError" in q.ordered()[4].detail
        assert q.retry_failed() == 3
        await q.wait_idle()
        return q

    q = run_async(main())
    assert {j.label: j.state for j in q.ordered()}["b"] == JobState.DONE
    assert q.stats().done == 4 and q.stats().failed == 1


def test_pause_holds_new_jobs_and_resume_continues(run_async) -> None:
    async def fn(ctx: JobContext) -> None:
        await asyncio.sleep(0.01)

    async def main() -> None:
        q = JobQueue(fn, concurrency=1)
        for i in range(5):
            q.add(req(i), str(i))
        q.start()
        await asyncio.sleep(0)  # let the first job start
        q.pause()
        await asyncio.sleep(0.1)
        assert q.stats().done <= 2 and q.stats().queued >= 3
        q.resume()
        await q.wait_idle()
        assert q.stats().done == 5

    run_async(main())


def test_cancel_one_aborts_it_promptly_and_cancel_all_stops_everything(run_async) -> None:
    async def fn(ctx: JobContext) -> None:
        await asyncio.sleep(30)

    async def main() -> None:
        q = JobQueue(fn, concurrency=2)
        jobs = [q.add(req(i), str(i)) for i in range(4)]
        q.start()
        await asyncio.sleep(0.05)
        assert jobs[0].state is JobState.RUNNING
        q.cancel(jobs[0].id)
        await asyncio.sleep(0.05)
        assert jobs[0].state is JobState.CANCELLED
        assert jobs[2].state is JobState.RUNNING  # the freed slot went to the next job
        q.cancel_all()
        await asyncio.wait_for(q.wait_idle(), 2)
        assert all(j.state is JobState.CANCELLED for j in jobs)

    run_async(main(), timeout=10)


def test_skip_edit_and_remove_before_running(run_async) -> None:
    seen: list[str] = []

    async def fn(ctx: JobContext) -> None:
        seen.append(ctx.job.request.prompt)
        if ctx.job.label == "old":
            raise SkipJob("already in the output folder")

    async def main() -> JobQueue:
        q = JobQueue(fn, concurrency=1)
        old = q.add(req(0), "old")
        edited = q.add(req(1), "edited")
        gone = q.add(req(2), "gone")
        assert q.update_request(edited.id, req(1).with_changes(prompt="changed"))
        assert q.remove(gone.id)
        q.start()
        await q.wait_idle()
        assert old.state is JobState.SKIPPED
        assert not q.update_request(edited.id, req(1))  # too late once it ran
        return q

    q = run_async(main())
    assert seen == ["p", "changed"]
    assert len(q.ordered()) == 2


def test_listeners_see_every_state_change(run_async) -> None:
    events: list[tuple[str, str]] = []

    async def fn(ctx: JobContext) -> None:
        ctx.progress("sending")

    async def main() -> None:
        q = JobQueue(fn)
        q.subscribe(lambda job: events.append((job.label, job.state.value)))
        q.add(req(0), "x")
        q.start()
        await q.wait_idle()

    run_async(main())
    assert events[0] == ("x", "queued")
    assert ("x", "running") in events and events[-1] == ("x", "done")
