"""PrepareAhead: the next queued edits' inputs are prepared before their turn.

Preparing an input (read, check, size, encode) takes a pool thread tens of ms on a busy
machine; done when the edit starts, that time holds one of the batch's slots while the
service is not used. So when an edit starts, the next AHEAD queued edits of its batch
start preparing, and each takes its inputs from here when its turn comes. Only what the
edit would prepare itself is used: the inputs must be the same when it starts (a hook or
an edited request makes it prepare afresh). Bounded: AHEAD edits per batch at most, and
an edit's inputs are dropped when it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import Executor
from typing import TYPE_CHECKING

from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.request import EditRequest

if TYPE_CHECKING:
    from qwen_studio.core.pipeline import PreparedImage

AHEAD = 2  # a slot frees every latency / concurrency: two ahead keep up with it

Prepared = tuple["PreparedImage", ...]


class PrepareAhead:
    def __init__(self, executor: Executor | None) -> None:
        self.executor = executor
        self._ahead: dict[int, tuple[tuple[str, ...], asyncio.Task[Prepared]]] = {}

    def start(self, upcoming: list[tuple[EditProgress, EditRequest]]) -> None:
        """Begin preparing these edits' inputs (each as the edit would send them)."""
        from qwen_studio.core.editing.runner import prepare_inputs

        for edit, request in upcoming:
            if edit.edit_id in self._ahead or request.region is not None:
                continue  # a region edit prepares its crop when it runs
            task = asyncio.ensure_future(prepare_inputs(request, self.executor))
            task.add_done_callback(_retrieve)
            self._ahead[edit.edit_id] = (request.inputs, task)

    async def take(self, edit_id: int, request: EditRequest) -> Prepared | None:
        """The inputs prepared ahead for this edit's request (raising what preparing them
        raised: a bad file fails the edit as it would have), or None."""
        entry = self._ahead.pop(edit_id, None)
        if entry is None:
            return None
        inputs, task = entry
        if inputs != request.inputs:
            task.cancel()
            return None
        return await task

    def forget(self, edit_id: int) -> None:
        """The edit ended (or left the queue) before it took its inputs."""
        entry = self._ahead.pop(edit_id, None)
        if entry is not None:
            entry[1].cancel()

    def close(self) -> None:
        for edit_id in list(self._ahead):
            self.forget(edit_id)


def _retrieve(task: asyncio.Task[Prepared]) -> None:
    # A bad file is reported by the edit that takes it; one never taken is not an error.
    if not task.cancelled():
        with contextlib.suppress(Exception):
            task.exception()
