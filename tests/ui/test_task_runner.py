"""TaskRunner: held until the loop runs, errors reported, everything ended on close."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from qwen_studio.qt.tasks import TaskRunner


@pytest.fixture
def pool():
    with ThreadPoolExecutor(2) as executor:
        yield executor


def test_held_coroutines_start_in_order_on_release(pool, run_async):
    runner = TaskRunner(pool, held=True)
    order: list[int] = []

    async def note(n: int) -> None:
        order.append(n)

    async def main() -> None:
        assert runner.spawn(note(1)) is None and runner.spawn(note(2)) is None
        await asyncio.sleep(0.01)
        assert order == [] and runner.pending() == 2  # nothing ran while held
        runner.release()
        await asyncio.sleep(0.01)
        assert order == [1, 2] and runner.pending() == 0

    run_async(main())


def test_run_uses_the_pool_and_returns_the_value(pool, run_async):
    runner = TaskRunner(pool)

    async def main() -> tuple[int, str]:
        return await runner.run(lambda a, b: a + b, 2, b=3), await runner.run(
            lambda: threading.current_thread().name)

    total, thread = run_async(main())
    assert total == 5
    assert thread != threading.main_thread().name


def test_a_failing_task_reaches_the_error_handler(pool, run_async):
    seen: list[BaseException] = []
    runner = TaskRunner(pool, on_error=seen.append)

    async def boom() -> None:
        raise ValueError("broken")

    async def main() -> None:
        runner.spawn(boom())
        while not seen:
            await asyncio.sleep(0.005)

    run_async(main())
    assert isinstance(seen[0], ValueError)


def test_close_cancels_running_tasks_and_closes_held_ones(pool, run_async, recwarn):
    runner = TaskRunner(pool)
    async def forever(flag: list[bool]) -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            flag.append(True)
            raise

    async def main() -> list[bool]:
        flag: list[bool] = []
        runner.spawn(forever(flag))
        await asyncio.sleep(0.01)
        runner.hold()
        runner.spawn(forever([]))  # held: must be closed unstarted, no warning
        await runner.close()
        assert runner.spawn(forever([])) is None  # after close: closed at once
        return flag

    assert run_async(main()) == [True]
    assert not [w for w in recwarn if "never awaited" in str(w.message)]


def test_run_each_returns_results_and_failures_in_order(pool, run_async):
    runner = TaskRunner(pool)

    def half(n: int) -> float:
        if n == 3:
            raise ValueError("odd one")
        return n / 2

    results = run_async(runner.run_each(half, [2, 3, 4]))
    assert results[0] == 1 and results[2] == 2
    assert isinstance(results[1], ValueError)  # one bad item never stops the others
