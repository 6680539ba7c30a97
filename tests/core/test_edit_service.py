"""EditService against a real sandbox over loopback and a real library: one id per edit from
the moment it is queued, progress as data, the library following every transition, a final
failure that says nothing about retrying, and a batch that survives close() and resumes."""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter

from service_helpers import Harness, photos, request, sandbox_fixture  # noqa: F401  (sb)

from qwen_studio.core.editing.batches import new_batch_id
from qwen_studio.core.editing.progress import Stage
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import ServerError
from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest


def test_a_batch_has_one_id_per_edit_from_queued_to_done(sb, tmp_path, run_async) -> None:
    shots = photos(tmp_path / "in", 5)
    h = Harness(sb.base_url, tmp_path / "lib")
    batch = new_batch_id()

    async def main() -> list[int]:
        async with h as service:
            ids = await service.submit([request(p) for p in shots], batch_id=batch,
                                       paused=True)
            # Recorded before anything ran: the library rows are the queue's edits.
            rows = h.library.query(batch_id=batch, limit=100)
            assert sorted(r.id for r in rows) == sorted(ids)
            assert {r.status for r in rows} == {EditStatus.QUEUED}
            assert service.stats(batch).queued == 5 and not sb.request_count
            service.resume(batch)
            await service.wait_idle(batch)
            return ids

    ids = run_async(main())
    assert {p.edit_id for p in h.events} == set(ids)  # no other id ever appeared
    final = {p.edit_id: p for p in h.events}
    assert {p.status for p in final.values()} == {EditStatus.DONE}
    stages = [p.stage for p in h.events if p.edit_id == ids[0]]
    assert stages[0] is Stage.QUEUED and stages[-1] is Stage.FINISHED
    assert {Stage.PREPARING, Stage.SENDING, Stage.DOWNLOADING, Stage.SAVING} <= set(stages)
    with Library(tmp_path / "lib") as lib:
        for edit_id in ids:
            rec = lib.get(edit_id)
            assert rec is not None and rec.status is EditStatus.DONE
            result = final[edit_id].result
            assert result is not None and list(result.paths) == list(rec.result_files)
            assert all(p.is_file() for p in rec.result_files)


def test_after_the_last_attempt_fails_nothing_says_retrying(sb, tmp_path, run_async) -> None:
    [shot] = photos(tmp_path / "in", 1)
    h = Harness(sb.base_url, tmp_path / "lib")
    sb.inject("500", 3)  # every one of the 3 attempts

    async def main() -> int:
        async with h as service:
            [edit_id] = await service.submit([request(shot)])
            await service.wait_idle()
            return edit_id

    edit_id = run_async(main())
    mine = [p for p in h.events if p.edit_id == edit_id]
    retries = [p for p in mine if p.stage is Stage.RETRYING]
    assert [p.attempt for p in retries] == [2, 3] and {p.max_attempts for p in retries} == {3}
    last = mine[-1]
    assert last.status is EditStatus.FAILED and last.stage is Stage.FINISHED
    assert last.retry is None and isinstance(last.error, ServerError)
    assert h.service.stats() .running == 0 and not h.service.stats().active
    with Library(tmp_path / "lib") as lib:
        rec = lib.get(edit_id)
        assert rec is not None and rec.status is EditStatus.FAILED
        assert rec.error == last.error.user_message


def test_cancel_retry_and_remove_reach_the_library(sb, tmp_path, run_async) -> None:
    shots = photos(tmp_path / "in", 3)
    h = Harness(sb.base_url, tmp_path / "lib", concurrency=1)
    batch = new_batch_id()

    async def main() -> list[int]:
        async with h as service:
            ids = await service.submit([request(p) for p in shots], batch_id=batch,
                                       paused=True)
            service.cancel(ids[0])
            assert service.remove(ids[1])
            assert service.update_request(ids[2], request(shots[2]).with_changes(prompt="bw"))
            service.resume(batch)
            await service.wait_idle(batch)
            assert service.snapshot(ids[0]).status is EditStatus.CANCELLED
            assert service.retry(ids[0])
            await service.wait_idle(batch)
            return ids

    ids = run_async(main())
    with Library(tmp_path / "lib") as lib:
        assert lib.get(ids[0]).status is EditStatus.DONE  # cancelled, then retried
        assert lib.get(ids[1]).deleted
        assert lib.get(ids[2]).request.prompt == "bw"
    assert sb.request_count == 2


def test_close_mid_batch_then_a_new_service_resumes_only_what_is_left(sb, tmp_path,
                                                                      run_async) -> None:
    shots = photos(tmp_path / "in", 6)
    batch = new_batch_id()
    first = Harness(sb.base_url, tmp_path / "lib", concurrency=2)

    async def run_then_close() -> None:
        async with first as service:
            await service.submit([request(p) for p in shots], batch_id=batch)
            while service.stats(batch).done < 2:
                await asyncio.sleep(0.01)

    run_async(run_then_close())
    done_first = {p.edit_id for p in first.events if p.status is EditStatus.DONE}
    with Library(tmp_path / "lib") as lib:
        left = Counter(r.status for r in lib.query(batch_id=batch, limit=100))
    assert left[EditStatus.DONE] == len(done_first) and left[EditStatus.RUNNING] == 0
    assert left[EditStatus.INTERRUPTED] + left[EditStatus.QUEUED] == 6 - len(done_first)
    sent = sb.request_count

    second = Harness(sb.base_url, tmp_path / "lib", concurrency=2)

    async def resume() -> None:
        async with second as service:
            [summary] = await service.interrupted_batches()
            assert summary.batch_id == batch and summary.total == 6
            assert summary.done == len(done_first)
            await service.resume_batch(batch)
            await service.wait_idle(batch)
            assert service.stats(batch).done == 6

    run_async(resume())
    assert sb.request_count - sent == 6 - len(done_first)  # a saved result is never resent
    with Library(tmp_path / "lib") as lib:
        records = lib.query(batch_id=batch, limit=100)
        assert Counter(r.status for r in records) == Counter({EditStatus.DONE: 6})


def test_a_url_input_is_hashed_by_its_url_and_a_file_by_its_content(tmp_path) -> None:
    [shot] = photos(tmp_path / "in", 1)
    url = "https://example.com/cat.png"
    with Library(tmp_path / "lib") as lib:
        recorder = EditRecorder(lib)
        edit_id = recorder.create(EditRequest(inputs=(url, str(shot)), prompt="p"))
        rec = lib.get(edit_id)
    assert rec is not None and rec.status is EditStatus.QUEUED
    assert rec.input_hashes == (hashlib.sha256(url.encode()).hexdigest(),
                                hashlib.sha256(shot.read_bytes()).hexdigest())


def test_hooks_see_every_edit_and_can_change_skip_or_finish_it(sb, tmp_path, run_async) -> None:
    from qwen_studio.core.editing.hooks import EditHookBase
    from qwen_studio.core.editing.queue import SkipEdit
    from qwen_studio.core.errors import Reason

    shots = photos(tmp_path / "in", 3)
    seen: dict[str, list[int]] = {"saved": [], "finished": []}
    finished: dict[int, EditStatus] = {}

    class Budget(EditHookBase):
        async def before_prepare(self, edit, request):
            return request.with_changes(prompt=request.prompt + " [hooked]")

        async def before_send(self, edit, request, prepared):
            if edit.label == "p01.jpg":
                raise SkipEdit(Reason("already_done"))  # e.g. over the batch's budget

        async def before_save(self, edit, outcome):
            seen["saved"].append(edit.edit_id)
            return outcome

        def finished(self, edit):
            finished[edit.edit_id] = edit.status

    h = Harness(sb.base_url, tmp_path / "lib")

    async def main() -> list[int]:
        async with h as service:
            service.hooks.append(Budget())
            ids = await service.submit([request(p) for p in shots], batch_id=new_batch_id())
            await service.wait_idle()
            return ids

    ids = run_async(main())
    assert sb.request_count == 2 and all("[hooked]" in str(b) for b in sb.received)
    assert finished == {ids[0]: EditStatus.DONE, ids[1]: EditStatus.SKIPPED,
                        ids[2]: EditStatus.DONE}
    assert sorted(seen["saved"]) == [ids[0], ids[2]]
