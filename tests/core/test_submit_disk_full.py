"""A library that cannot keep a copy of an input when the batch is queued (disk full,
permission) fails that one edit with a sentence naming the file and why; the rest of the
batch is queued and runs. Before, submit() raised the OSError and the window said
"Something went wrong (OSError)"."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from service_helpers import Harness, photos, request, sandbox_fixture  # noqa: F401  (sb)

from qwen_studio.core.editing.batches import new_batch_id
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import NoteError
from qwen_studio.core.library import Library


def test_an_input_the_full_disk_cannot_copy_fails_alone_and_named(
        sb, tmp_path: Path, run_async, monkeypatch: pytest.MonkeyPatch) -> None:
    shots = photos(tmp_path / "in", 3)
    full = shots[1].read_bytes()
    real = Library.store_bytes

    def store_bytes(self: Library, data: bytes, suffix: str) -> Any:
        if bytes(data) == full:  # the narrowest point: writing this input's copy
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data, suffix)

    monkeypatch.setattr(Library, "store_bytes", store_bytes)
    h = Harness(sb.base_url, tmp_path / "lib")
    batch = new_batch_id()

    async def main() -> list[int]:
        async with h as service:
            ids = await service.submit([request(p) for p in shots], batch_id=batch)
            await service.wait_idle()
            return ids

    ids = run_async(main())
    assert len(ids) == 3
    final = {p.edit_id: p for p in h.events}
    assert [final[i].status for i in ids] == [EditStatus.DONE, EditStatus.FAILED,
                                              EditStatus.DONE]
    error = final[ids[1]].error
    assert isinstance(error, NoteError)
    assert error.user_message == "Could not keep a copy of p01.jpg: the disk is full"
    assert sb.request_count == 2  # the other files ran; the failed one was not sent
    with Library(tmp_path / "lib") as lib:
        rec = lib.get(ids[1])
        assert rec is not None and rec.status is EditStatus.FAILED
        assert rec.reason == "input_not_kept" and rec.note == error.reason
