"""An edit's slot covers its use of the service (issue 18, throughput): the next edits'
inputs are prepared before their turn, each exactly once, and a bad one still fails its
own edit naming the file; an edit that only saves lets the next one be sent."""

from __future__ import annotations

import time

import pytest
from service_helpers import Harness, photos, request, sandbox_fixture  # noqa: F401  (sb)

from qwen_studio.core.editing import runner as runner_module
from qwen_studio.core.editing.batches import new_batch_id
from qwen_studio.core.editing.progress import Stage
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import InputImageError


def test_the_next_edits_inputs_are_prepared_before_their_turn(
        sb, tmp_path, run_async, monkeypatch: pytest.MonkeyPatch) -> None:
    shots = photos(tmp_path / "in", 6)
    (tmp_path / "in" / "p03.jpg").write_bytes(b"not a photo")  # fails its own edit only
    prepared_at: dict[str, list[float]] = {}
    real = runner_module.prepare_image

    def spy(src: str, *args: object, **kwargs: object) -> object:
        prepared_at.setdefault(str(src), []).append(time.monotonic())
        return real(src, *args, **kwargs)

    monkeypatch.setattr(runner_module, "prepare_image", spy)
    h = Harness(sb.base_url, tmp_path / "lib", concurrency=1)

    async def main() -> list[int]:
        async with h as service:
            ids = await service.submit([request(p) for p in shots], batch_id=new_batch_id())
            await service.wait_idle()
            return ids

    ids = run_async(main(), timeout=60)
    final = {p.edit_id: p for p in h.events if p.finished}
    assert [final[i].status for i in ids] == [EditStatus.DONE] * 3 + [EditStatus.FAILED] + [
        EditStatus.DONE] * 2
    error = final[ids[3]].error
    assert isinstance(error, InputImageError) and "p03.jpg" in str(error.path)
    assert sorted(prepared_at) == sorted(str(p) for p in shots)
    assert all(len(times) == 1 for times in prepared_at.values()), prepared_at
    started = {p.edit_id: p.started_at for p in h.events
               if p.status is EditStatus.RUNNING and p.stage is Stage.PREPARING}
    # Every edit after the first had its input prepared while an earlier one ran.
    early = [i for i, shot in zip(ids[1:], shots[1:], strict=True)
             if prepared_at[str(shot)][0] < started[i]]
    assert early == ids[1:], (early, ids)
