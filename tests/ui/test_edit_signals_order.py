"""EditServiceSignals coalesces the service's events; it must never deliver an edit's
older state after its newer one, even when a slot acts on the service while a flush
emits (a direct connection, or a nested event loop such as a modal dialog)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from qwen_studio.core.editing.progress import EditProgress, QueueStats, Stage
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.request import EditRequest
from qwen_studio.qt.edit_signals import EditServiceSignals


class FakeService:
    """Just what EditServiceSignals uses of EditService (a narrow unit case)."""

    def __init__(self) -> None:
        self.listener: Callable[[EditProgress], None] = lambda p: None

    def subscribe(self, listener: Callable[[EditProgress], None]) -> Callable[[], None]:
        self.listener = listener
        return lambda: None

    def stats(self, batch_id: str | None = None) -> QueueStats:
        return QueueStats()


def running(edit_id: int) -> EditProgress:
    return EditProgress(edit_id, EditRequest(inputs=(f"{edit_id}.jpg",), prompt="p"),
                        str(edit_id), status=EditStatus.RUNNING, stage=Stage.SENDING)


def test_a_slot_that_cancels_during_a_flush_never_sees_the_edit_running_again(qapp) -> None:
    signals = EditServiceSignals()
    service = FakeService()
    signals.attach(service)  # type: ignore[arg-type]
    seen: list[tuple[int, EditStatus]] = []
    cancelled = dataclasses.replace(running(2), status=EditStatus.CANCELLED,
                                    stage=Stage.FINISHED)

    def slot(p: EditProgress) -> None:
        seen.append((p.edit_id, p.status))
        if p.edit_id == 1 and p.status is EditStatus.RUNNING:
            service.listener(cancelled)  # the service publishes at once, from this slot

    signals.progressChanged.connect(slot)
    service.listener(running(1))
    service.listener(running(2))
    signals.flush()
    assert seen == [(1, EditStatus.RUNNING), (2, EditStatus.RUNNING),
                    (2, EditStatus.CANCELLED)]
    signals.detach()
