"""A batch's first edits start once as many are recorded as there are slots, not after a
whole chunk of the batch (each recorded with its input copied into the library): the
first sends are not held up behind the batch's recording."""

from __future__ import annotations

from service_helpers import Harness, photos, request, sandbox_fixture  # noqa: F401  (sb)

from qwen_studio.core.editing.batches import new_batch_id
from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.editing.status import EditStatus


def test_the_first_edits_start_before_the_batch_is_recorded(sb, tmp_path, run_async) -> None:
    shots = photos(tmp_path / "in", 40)
    h = Harness(sb.base_url, tmp_path / "lib", concurrency=2)
    recorded: list[int] = []
    recorded_when_first_ran: list[int] = []

    async def main() -> list[int]:
        async with h as service:
            create = service.recorder.create

            def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
                edit_id = create(*args, **kwargs)
                recorded.append(edit_id)
                return edit_id

            service.recorder.create = counting  # type: ignore[method-assign]

            def first_running(p: EditProgress) -> None:
                if p.status is EditStatus.RUNNING and not recorded_when_first_ran:
                    recorded_when_first_ran.append(len(recorded))

            service.subscribe(first_running)
            ids = await service.submit([request(p) for p in shots], batch_id=new_batch_id())
            await service.wait_idle()
            return ids

    ids = run_async(main())
    assert len(recorded) == 40 and set(h.library_statuses(ids).values()) == {EditStatus.DONE}
    # The slots' two, and what the database thread recorded meanwhile: not the 25 of a chunk.
    [when] = recorded_when_first_ran
    assert when < 25
