"""EditServiceSignals: the service's progress as Qt signals, coalesced per edit; a retry and
an end are delivered at once, so the window never says 'running' about a finished edit."""

from __future__ import annotations

from collections.abc import Callable

from qwen_studio.core.editing.progress import EditProgress, QueueStats, Stage
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.endpoint import RetryInfo
from qwen_studio.core.errors import ErrorDetail, ServerError
from qwen_studio.core.request import EditRequest
from qwen_studio.qt.edit_signals import EditServiceSignals


class FakeService:
    """Only what the adapter uses: subscribe() and stats()."""

    def __init__(self) -> None:
        self.listeners: list[Callable[[EditProgress], None]] = []

    def subscribe(self, listener: Callable[[EditProgress], None]) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    def stats(self, batch_id: str | None = None) -> QueueStats:
        return QueueStats(total=2)

    def tell(self, p: EditProgress) -> None:
        for listener in self.listeners:
            listener(p)


def edit(edit_id: int, **changes: object) -> EditProgress:
    return EditProgress(edit_id, EditRequest(inputs=("a.jpg",), prompt="p"), "a.jpg",
                        **changes)  # type: ignore[arg-type]


def test_bursts_are_coalesced_per_edit_and_ends_come_at_once(qtbot) -> None:
    service = FakeService()
    signals = EditServiceSignals()
    signals.attach(service)  # type: ignore[arg-type]
    got: list[EditProgress] = []
    stats: list[QueueStats] = []
    signals.progressChanged.connect(got.append)
    signals.statsChanged.connect(stats.append)

    service.tell(edit(1, status=EditStatus.RUNNING, stage=Stage.PREPARING))
    service.tell(edit(1, status=EditStatus.RUNNING, stage=Stage.SENDING))
    service.tell(edit(2, status=EditStatus.RUNNING, stage=Stage.SENDING))
    assert got == []  # a burst waits for the flush…
    qtbot.waitUntil(lambda: len(got) == 2, timeout=2000)
    assert [(p.edit_id, p.stage) for p in got] == [(1, Stage.SENDING), (2, Stage.SENDING)]
    assert stats and stats[-1].total == 2

    got.clear()
    error = ServerError(detail=ErrorDetail(status=500))
    service.tell(edit(1, status=EditStatus.RUNNING, stage=Stage.RETRYING,
                      retry=RetryInfo(attempt=1, max_attempts=3, delay=1.0, error=error)))
    assert [p.stage for p in got] == [Stage.RETRYING]  # …a retry is announced at once
    service.tell(edit(1, status=EditStatus.FAILED, stage=Stage.FINISHED, error=error))
    assert got[-1].status is EditStatus.FAILED  # …and so is the end

    signals.detach()
    assert service.listeners == []
