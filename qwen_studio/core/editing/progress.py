"""What is known about an edit while it runs: data only, never prose.

The service publishes a new frozen `EditProgress` for every change; listeners (the Qt
adapter, the CLI printer) turn it into words in the user's language. One id per edit from
the moment it is queued: `edit_id` is the library's edit id (or, with no library, a
process-local id from the recorder).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from qwen_studio.core.editing.status import FINISHED_STATUSES, EditStatus
from qwen_studio.core.endpoint import RetryInfo
from qwen_studio.core.errors import QwenStudioError, Reason
from qwen_studio.core.request import EditRequest


class Stage(StrEnum):
    """Where a running edit is. A finished edit's stage is FINISHED whatever its status."""

    QUEUED = "queued"
    PREPARING = "preparing"  # reading, orienting, resizing and encoding the inputs
    SENDING = "sending"  # waiting for the service's answer
    RETRYING = "retrying"  # waiting `retry.delay` before the next attempt
    DOWNLOADING = "downloading"
    SAVING = "saving"
    FINISHED = "finished"


@dataclass(frozen=True)
class EditResult:
    """What a done edit produced; `paths` are on disk before the edit is reported done."""

    paths: tuple[Path, ...]
    revised_prompt: str = ""
    usage: dict[str, Any] = field(default_factory=dict, hash=False)
    timings: dict[str, float] = field(default_factory=dict, hash=False)
    # The seed sent (drawn by the app when the request left it random); None: not known.
    seed: int | None = None


@dataclass(frozen=True)
class EditProgress:
    """One state of a queued or running edit (a new one is published for every change)."""

    edit_id: int
    request: EditRequest
    label: str  # what the user knows this edit by: the input file name(s)
    status: EditStatus = EditStatus.QUEUED
    stage: Stage = Stage.QUEUED
    batch_id: str | None = None  # None: a single edit from the window
    attempt: int = 0  # 1-based once sent; 0 while queued
    max_attempts: int = 1
    retry: RetryInfo | None = None  # set only while waiting to retry (stage RETRYING)
    started_at: float | None = None  # time.monotonic()
    finished_at: float | None = None
    error: QwenStudioError | None = None  # FAILED: why
    note: Reason | None = None  # SKIPPED: why (already done, over budget)
    result: EditResult | None = None  # DONE

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    def elapsed(self, now: float) -> float:
        """Seconds since the edit started (to `now`, a time.monotonic(), while it runs)."""
        if self.started_at is None:
            return 0.0
        return (self.finished_at if self.finished_at is not None else now) - self.started_at


@dataclass(frozen=True)
class QueueStats:
    """Counts over a set of edits (one batch, or everything the service holds).

    `running` and `saving` split the edits whose status is RUNNING: `running` are with the
    service (preparing, sending, waiting to retry, downloading), `saving` are writing their
    results, most having given their slot to the next edit; so `running` never reads more
    than the concurrency while results are written."""

    total: int = 0
    queued: int = 0
    running: int = 0
    saving: int = 0
    done: int = 0
    failed: int = 0
    cancelled: int = 0
    skipped: int = 0
    limit: int = 0  # edits allowed in flight now (AIMD)
    throughput_per_min: float = 0.0
    eta_s: float | None = None

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.cancelled + self.skipped

    @property
    def active(self) -> bool:
        return bool(self.queued or self.running or self.saving)

    @property
    def in_flight(self) -> int:
        """Edits started and not finished (status RUNNING): with the service or saving."""
        return self.running + self.saving
