"""The window's sink asks the library whether an edit was saved already only when it can
have been (a resumed edit, or one that ran before in this session): a new edit's first run
makes no trip for it, and a retried edit whose result landed meanwhile is not paid twice."""

from __future__ import annotations

from service_helpers import Harness, photos, request, sandbox_fixture  # noqa: F401  (sb)

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.library import Library


def _count_done_lookups(h: Harness) -> list[int]:
    asked: list[int] = []
    recorder = h.service.recorder
    look = recorder.done_result

    def counting(edit_id: int):  # type: ignore[no-untyped-def]
        asked.append(edit_id)
        return look(edit_id)

    recorder.done_result = counting  # type: ignore[method-assign]
    return asked


def test_a_new_edit_is_not_looked_up_before_its_first_run(sb, tmp_path, run_async) -> None:
    shots = photos(tmp_path / "in", 3)
    h = Harness(sb.base_url, tmp_path / "lib")

    async def main() -> list[int]:
        async with h as service:
            asked = _count_done_lookups(h)
            ids = await service.submit([request(p) for p in shots])
            await service.wait_idle()
            assert asked == []  # no trip to the pool to ask the library per new edit
            return ids

    ids = run_async(main())
    assert set(h.library_statuses(ids).values()) == {EditStatus.DONE}
    assert sb.request_count >= 3


def test_a_retried_edit_saved_meanwhile_is_not_sent_again(sb, tmp_path, run_async) -> None:
    [shot] = photos(tmp_path / "in", 1)
    h = Harness(sb.base_url, tmp_path / "lib")
    sb.inject("moderation", 1)  # the first run fails for good (not retried)

    async def main() -> tuple[int, int, int]:
        async with h as service:
            [edit_id] = await service.submit([request(shot)])
            await service.wait_idle()
            assert h.events[-1].status is EditStatus.FAILED
            # Its result lands after all (as a save racing a failure would leave it).
            png = shot.with_suffix(".png")
            from PIL import Image

            Image.new("RGB", (8, 8), "red").save(png)
            h.library.complete_edit(edit_id, [png.read_bytes()])
            sent = sb.request_count
            asked = _count_done_lookups(h)
            assert service.retry(edit_id)
            await service.wait_idle()
            return edit_id, sent, len(asked)

    edit_id, sent, asked = run_async(main())
    assert asked == 1  # looked up: it ran before
    last = [p for p in h.events if p.edit_id == edit_id][-1]
    assert last.status is EditStatus.SKIPPED and last.note is not None
    assert last.note.code == "already_done"
    assert sb.request_count == sent  # nothing was sent (or paid for) again
    with Library(tmp_path / "lib") as lib:
        rec = lib.get(edit_id)
        assert rec is not None and rec.status is EditStatus.DONE
