"""Edit queue bookkeeping as a batch grows: the cost per edit of running N instant edits
through EditQueue while a listener asks stats() after every finished edit (as the window's
EditServiceSignals does), for N and 4N edits in the same run.

Goal: per-edit cost at 4N within 1.5x of N (linear bookkeeping, nothing quadratic).

    .venv/bin/python benchmarks/edit_queue_scale.py [--count 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from qwen_studio.core.editing.progress import EditProgress, EditResult
from qwen_studio.core.editing.queue import EditContext, EditQueue
from qwen_studio.core.request import EditRequest


async def _instant(ctx: EditContext) -> EditResult:
    await asyncio.sleep(0)
    return EditResult(())


async def _run(n: int) -> tuple[float, float]:
    """(seconds per edit for the whole batch, seconds per stats() call at the end)."""
    q = EditQueue(_instant, concurrency=8)
    q.subscribe(lambda p: q.stats() if p.finished else None)
    request = EditRequest(inputs=("a.jpg",), prompt="p")
    t0 = time.perf_counter()
    for i in range(n):
        q.add(EditProgress(i + 1, request, str(i), batch_id="b"))
    q.start()
    await q.wait_idle()
    per_edit = (time.perf_counter() - t0) / n
    t1 = time.perf_counter()
    for _ in range(200):
        q.stats("b")
    return per_edit, (time.perf_counter() - t1) / 200


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    n = ap.parse_args().count
    small, stats_small = asyncio.run(_run(n))
    large, stats_large = asyncio.run(_run(4 * n))
    print(f"{n} edits: {small * 1e6:.0f} us/edit, stats() {stats_small * 1e6:.0f} us")
    print(f"{4 * n} edits: {large * 1e6:.0f} us/edit, stats() {stats_large * 1e6:.0f} us")
    print(f"ratio per edit (4N/N): {large / small:.2f}  (goal <= 1.5)")


if __name__ == "__main__":
    main()
