"""QueueStats counts the edits writing their results apart from the edits with the service.

An edit that is saving gives its slot back (the next edit is sent meanwhile) yet its status
stays RUNNING until it ends: counted as running, concurrency 2 with slow saves read "6
running". The queue knows which edits are saving, so its figures say it: `running` is never
more than the concurrency, `saving` is the rest, and nothing else has to recount."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from service_helpers import Harness, photos, request, sandbox_fixture  # noqa: F401  (sb)

from qwen_studio.core.editing.progress import EditProgress, EditResult, QueueStats, Stage
from qwen_studio.core.editing.queue import EditContext, EditQueue
from qwen_studio.core.editing.sinks import LibrarySink
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.request import EditRequest


def figures(s: QueueStats) -> tuple[int, int, int, int]:
    return s.queued, s.running, s.saving, s.done


def test_each_step_of_a_batch_with_held_saves_is_counted_right(run_async) -> None:
    """Concurrency 2, five edits; answers and saves released by hand. At each step the
    stats say how many wait, are with the service, save, and are done."""
    answers: dict[int, asyncio.Event] = {}

    async def main() -> list[tuple[int, int, int, int]]:
        save_may_end = asyncio.Event()

        async def fn(ctx: EditContext) -> EditResult:  # as edit_flow does it
            ctx.stage(Stage.SENDING)
            await answers.setdefault(ctx.edit_id, asyncio.Event()).wait()
            ctx.stage(Stage.SAVING)
            ctx.release_slot()
            await save_may_end.wait()
            return EditResult((Path(ctx.progress.label),))

        q = EditQueue(fn, concurrency=2)
        over_limit: list[QueueStats] = []

        def listener(_p: EditProgress) -> None:
            s = q.stats()
            in_flight = sum(p.status is EditStatus.RUNNING for p in q.ordered())
            if s.running > 2 or s.running + s.saving != in_flight:
                over_limit.append(s)

        q.subscribe(listener)
        r = EditRequest(inputs=("a.jpg",), prompt="p")
        for i in range(1, 6):
            q.add(EditProgress(i, r, f"{i}.jpg", batch_id="b"))
        steps = []

        async def settle() -> None:
            for _ in range(5):
                await asyncio.sleep(0)
            steps.append(figures(q.stats("b")))

        q.start()
        await settle()  # two sent, three wait
        for edit_id in (1, 2):
            answers.setdefault(edit_id, asyncio.Event()).set()
        await settle()  # 1 and 2 save, their slots went to 3 and 4
        for edit_id in (3, 4, 5):
            answers.setdefault(edit_id, asyncio.Event()).set()
        await settle()  # every edit answered, all five saving
        save_may_end.set()
        await asyncio.wait_for(q.wait_idle(), 5)
        steps.append(figures(q.stats("b")))
        assert not over_limit, over_limit
        assert figures(q.stats()) == figures(q.stats("b"))
        return steps

    # (queued, running, saving, done)
    assert run_async(main(), timeout=10) == [(3, 2, 0, 0), (1, 2, 2, 0), (0, 0, 5, 0),
                                             (0, 0, 0, 5)]


def test_the_service_counts_edits_saving_to_a_slow_disk(
        sb, tmp_path, run_async, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real path over the sandbox: six edits at concurrency 2 whose saves wait on the
    disk. While they wait all six are saving and none running; never more than two run."""
    shots = photos(tmp_path / "in", 6)
    h = Harness(sb.base_url, tmp_path / "lib", concurrency=2)
    original = LibrarySink.save
    held: list[asyncio.Event] = []

    async def slow_save(self: LibrarySink, edit: EditProgress, outcome: object) -> EditResult:
        await held[0].wait()
        return await original(self, edit, outcome)  # type: ignore[arg-type]

    monkeypatch.setattr(LibrarySink, "save", slow_save)
    seen: list[QueueStats] = []

    async def main() -> tuple[QueueStats, QueueStats]:
        held.append(asyncio.Event())
        async with h as service:
            service.subscribe(lambda _p: seen.append(service.stats()))
            try:
                await service.submit([request(p) for p in shots], batch_id="b")
                while service.stats("b").saving < 6:
                    await asyncio.sleep(0.01)
                waiting = service.stats("b")
            finally:
                held[0].set()
            await asyncio.wait_for(service.wait_idle(), 30)
            return waiting, service.stats("b")

    waiting, end = run_async(main(), timeout=60)
    assert figures(waiting) == (0, 0, 6, 0) and waiting.active and waiting.in_flight == 6
    assert figures(end) == (0, 0, 0, 6) and not end.active
    assert max(s.running for s in seen) == 2
    assert max(s.saving for s in seen) == 6
