"""The window's loop (app.event_loop -> qt/event_loop.StudioEventLoop): asyncio's semantics,
with call_soon batched into one Qt timer per pass instead of one timer per callback."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from qwen_studio.app import event_loop


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    lp = event_loop(qapp)
    yield lp
    lp.close()
    asyncio.set_event_loop(None)


def _count_qt_timers(lp: Any) -> list[int]:
    """Wraps qasync's timer registration: how many Qt timers the loop starts."""
    started = [0]
    add = lp._timer.add_callback

    def counting(handle: asyncio.Handle, delay: float = 0) -> asyncio.Handle:
        started[0] += 1
        return add(handle, delay)

    lp._timer.add_callback = counting
    return started


def test_call_soon_runs_in_order_without_a_timer_each(loop: Any) -> None:
    ran: list[int] = []
    started = _count_qt_timers(loop)

    async def main() -> None:
        done = loop.create_future()
        handles = [loop.call_soon(ran.append, i) for i in range(500)]
        handles[7].cancel()
        loop.call_soon(done.set_result, None)
        await done

    loop.run_until_complete(main())
    assert ran == [i for i in range(500) if i != 7]
    # qasync alone starts one Qt timer per call_soon (501 here, plus the task's steps).
    assert started[0] < 20


def test_tasks_threads_and_failures_behave_as_asyncio(loop: Any) -> None:
    errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _lp, ctx: errors.append(ctx))
    after: list[str] = []

    def boom() -> None:
        raise ValueError("callback failed")

    async def child(n: int) -> int:
        await asyncio.sleep(0.01)
        return n * 2

    async def main() -> list[int]:
        loop.call_soon(boom)
        loop.call_soon(after.append, "still runs")
        from_thread = loop.create_future()
        threading.Thread(
            target=lambda: loop.call_soon_threadsafe(from_thread.set_result, "hello")).start()
        results = await asyncio.gather(*(child(n) for n in range(5)))
        assert await asyncio.wait_for(from_thread, 5) == "hello"
        in_pool = await loop.run_in_executor(None, sum, [1, 2, 3])
        return [*results, in_pool]

    assert loop.run_until_complete(main()) == [0, 2, 4, 6, 8, 6]
    assert after == ["still runs"]
    assert [str(e["exception"]) for e in errors] == ["callback failed"]


def test_timers_keep_asyncio_order_and_cancelled_ones_leave_no_qt_timer(loop: Any) -> None:
    """Every HTTP exchange sets long deadlines and cancels them a moment later: they must
    not each become a live Qt timer (qasync kills a cancelled one only when it fires)."""
    ran: list[object] = []
    started = _count_qt_timers(loop)
    timed_out: list[bool] = []

    async def main() -> None:
        for _ in range(3000):
            loop.call_later(120, ran.append, "never").cancel()
        loop.call_later(0.03, ran.append, 3)
        loop.call_later(0.01, ran.append, 1)
        loop.call_later(0.02, ran.append, "cancelled").cancel()
        loop.call_at(loop.time() + 0.02, ran.append, 2)
        await asyncio.sleep(0.05)
        try:
            async with asyncio.timeout(0.01):
                await asyncio.sleep(5)
        except TimeoutError:
            timed_out.append(True)

    loop.run_until_complete(main())
    assert ran == [1, 2, 3]
    assert timed_out == [True]
    assert started[0] < 50  # qasync alone: one Qt timer per call_later, 3,000 here
    assert len(loop._timers) < 200  # the cancelled ones were swept, not kept for 2 min
