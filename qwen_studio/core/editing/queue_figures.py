"""The queue's figures: edits per batch and status, and the AIMD concurrency limit.

QueueFigures is kept as edits change, so stats() (asked after every finished edit by the
window) costs the same for 10 edits as for 10,000. Aimd follows TCP: every rate-limit
answer halves the edits in flight (never below one), each run of successes adds one back.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from qwen_studio.core.editing.progress import EditProgress, QueueStats, Stage
from qwen_studio.core.editing.status import EditStatus

# The statuses QueueStats counts by name (INTERRUPTED counts as failed); looked up once,
# not by value on every stats() call (asked after every finished edit).
_SHOWN = (EditStatus.QUEUED, EditStatus.RUNNING, EditStatus.DONE, EditStatus.FAILED,
          EditStatus.CANCELLED, EditStatus.SKIPPED)


@dataclass
class Aimd:
    ceiling: int
    limit: float = field(init=False)
    streak: int = 0
    last_cut: float = 0.0

    def __post_init__(self) -> None:
        self.limit = float(self.ceiling)

    def cut(self) -> None:
        # Several in-flight requests hit the same 429 burst: cut once per burst, not per answer.
        now = time.monotonic()
        if now - self.last_cut > 1.0:
            self.limit = max(1.0, self.limit / 2)
            self.last_cut = now
        self.streak = 0

    def success(self) -> None:
        self.streak += 1
        if self.streak >= max(1, int(self.limit)):
            self.limit = min(float(self.ceiling), self.limit + 1)
            self.streak = 0


class QueueFigures:
    def __init__(self) -> None:
        self.started: dict[str | None, float] = {}  # batch -> first launch this session
        self._earlier: set[int] = set()  # finished in an earlier session (resume)
        self._counts: dict[str | None, collections.Counter[EditStatus]] = {}
        self._earlier_done: collections.Counter[str | None] = collections.Counter()
        # Per batch: RUNNING edits at stage SAVING, writing their results. Most gave their
        # service slot back (EditContext.release_slot), so QueueStats counts them apart
        # from the edits with the service.
        self._saving: collections.Counter[str | None] = collections.Counter()

    def count(self, p: EditProgress | None, delta: int) -> None:
        if p is not None:
            self._counts.setdefault(p.batch_id, collections.Counter())[p.status] += delta
            if p.stage is Stage.SAVING and p.status is EditStatus.RUNNING:
                self._saving[p.batch_id] += delta

    def listed_earlier(self, p: EditProgress) -> None:
        """An edit that finished in an earlier session (resume), listed again."""
        self._earlier.add(p.edit_id)
        if p.status is EditStatus.DONE:
            self._earlier_done[p.batch_id] += 1

    def forget_earlier(self, p: EditProgress | None) -> None:
        """The edit runs again (retry) or leaves: it is this session's now."""
        if p is not None and p.edit_id in self._earlier:
            self._earlier.discard(p.edit_id)
            if p.status is EditStatus.DONE:
                self._earlier_done[p.batch_id] -= 1

    def live(self, batch_id: str | None) -> bool:
        """Whether the batch (None: single edits) has edits queued or running."""
        counts = self._counts.get(batch_id)
        return bool(counts and (counts[EditStatus.QUEUED] or counts[EditStatus.RUNNING]))

    def has_work(self, batch_id: str | None, paused: Callable[[str | None], bool]) -> bool:
        """Edits (of the batch) running, or queued in a batch that is not paused."""
        for batch, counts in self._counts.items():
            if batch_id is not None and batch != batch_id:
                continue
            if counts[EditStatus.RUNNING] > 0:
                return True
            if counts[EditStatus.QUEUED] > 0 and not paused(batch):
                return True
        return False

    def stats(self, batch_id: str | None, limit: int) -> QueueStats:
        by_status: collections.Counter[EditStatus] = collections.Counter()
        done_earlier = saving = 0
        for batch, batch_counts in self._counts.items():
            if batch_id is None or batch == batch_id:
                by_status.update(batch_counts)
                done_earlier += self._earlier_done[batch]
                saving += self._saving[batch]
        counts = {status.value: by_status[status] for status in _SHOWN}
        counts["failed"] += by_status[EditStatus.INTERRUPTED]
        counts["running"] -= saving  # with the service; the saving ones are counted apart
        total = sum(by_status.values())
        done_now = counts["done"] - done_earlier
        throughput, eta = 0.0, None
        # Edits finished in an earlier session say nothing about this session's speed.
        started = self.started.get(batch_id) if batch_id is not None else (
            min(self.started.values(), default=None))
        if started is not None and done_now:
            minutes = (time.monotonic() - started) / 60
            throughput = done_now / minutes if minutes > 0 else 0.0
            remaining = counts["queued"] + counts["running"] + saving
            eta = remaining / throughput * 60 if throughput else None
        return QueueStats(total=total, saving=saving, limit=limit,
                          throughput_per_min=throughput, eta_s=eta, **counts)
