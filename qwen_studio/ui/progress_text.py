"""Words for an edit's progress, in the window's language.

The edit service reports progress as data (EditProgress: status, stage, RetryInfo, counts);
this is the one place the window turns it into sentences. Nothing here is stored.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from qwen_studio.core.editing.progress import EditProgress, QueueStats, Stage
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import BUDGET_REASONS, RateLimitError, ServerError
from qwen_studio.ui.error_text import error_hint, error_message

translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")

_STAGES = {
    Stage.QUEUED: QT_TRANSLATE_NOOP("EditProgress", "queued"),
    Stage.PREPARING: QT_TRANSLATE_NOOP("EditProgress", "preparing"),
    Stage.SENDING: QT_TRANSLATE_NOOP("EditProgress", "sending"),
    Stage.RETRYING: QT_TRANSLATE_NOOP("EditProgress", "retrying"),
    Stage.DOWNLOADING: QT_TRANSLATE_NOOP("EditProgress", "downloading"),
    Stage.SAVING: QT_TRANSLATE_NOOP("EditProgress", "saving"),
    Stage.FINISHED: QT_TRANSLATE_NOOP("EditProgress", "finished"),
}


def over_budget(p: EditProgress) -> bool:
    """Skipped, not sent, because of its batch's budget ("skipped (over budget)")."""
    return (p.status is EditStatus.SKIPPED
            and getattr(p.note, "code", "") in BUDGET_REASONS)


def skipped_budget_word() -> str:
    return translate("EditProgress", "Skipped (over budget)")


def stage_word(stage: Stage) -> str:
    return translate("EditProgress", str(_STAGES.get(stage, stage)))


def retry_text(p: EditProgress) -> str:
    """'<why> — retrying in 4 s (attempt 2 of 4)', only while the edit waits to retry."""
    info = p.retry
    if info is None:
        return ""
    return translate("EditProgress", "{error} — retrying in {s} s (attempt {n} of {m})").format(
        error=error_message(info.error), s=f"{info.delay:.0f}", n=info.attempt + 1,
        m=info.max_attempts)


def running_text(p: EditProgress, now: float | None = None) -> str:
    """A running edit in a few words: 'running 12 s · downloading'."""
    now = time.monotonic() if now is None else now
    text = translate("EditProgress", "running {s} s").format(s=int(p.elapsed(now)))
    if p.stage not in (Stage.SENDING, Stage.QUEUED, Stage.RETRYING):
        text += " · " + stage_word(p.stage)
    return text


def busy_text(edits: list[EditProgress], now: float | None = None) -> str:
    """The compare view's and status bar's line for single edits in flight ('' if none)."""
    if not edits:
        return ""
    newest = edits[-1]
    if newest.started_at is None:
        text = translate("EditProgress", "Editing… {status}").format(
            status=stage_word(Stage.QUEUED))
    else:  # the canvas pill's words ("Editing… 12 s"), not "Editing… running 12 s"
        now = time.monotonic() if now is None else now
        text = translate("EditProgress", "Editing… {s} s").format(s=int(newest.elapsed(now)))
        if newest.stage not in (Stage.SENDING, Stage.QUEUED, Stage.RETRYING):
            text += " · " + stage_word(newest.stage)
    if newest.retry is not None:  # the banner says why; the status bar's line stays short
        info = newest.retry
        text += " — " + translate("EditProgress", "retrying in {s} s (attempt {n} of {m})").format(
            s=f"{info.delay:.0f}", n=info.attempt + 1, m=info.max_attempts)
    if len(edits) > 1:
        text += translate("EditProgress", "  (+{n} more)").format(n=len(edits) - 1)
    return text


def batch_text(s: QueueStats) -> str:
    """A running batch for the status bar: 'Batch: 12 of 200 done · 8 running · 2 saving ·
    2 failed', the queue's own figures (running: with the service; saving: writing their
    results, their slot given to the next edit)."""
    text = translate("EditProgress", "Batch: {done} of {total} done").format(
        done=s.done + s.skipped, total=s.total)
    if s.running:
        text += " · " + translate("EditProgress", "{n} running").format(n=s.running)
    if s.saving:
        text += " · " + translate("EditProgress", "{n} saving").format(n=s.saving)
    if s.failed:
        text += " · " + translate("EditProgress", "{n} failed").format(n=s.failed)
    return text


def final_hint(error: BaseException, attempts: int) -> str:
    """What to do after the LAST attempt failed. The standard hints of the errors that are
    retried ("Usually temporary; retrying.") speak of retries still to come: not now."""
    hint = error_hint(error)
    standard = getattr(type(error), "default_hint", None)
    if isinstance(error, RateLimitError):
        if hint == _tr_standard(standard):
            hint = translate("EditProgress",
                             "Wait a minute, then press Retry; fewer edits at once also help.")
        return translate("EditProgress", "Retried automatically and still rate limited. ") + hint
    if isinstance(error, ServerError) and hint == _tr_standard(standard):
        return translate("EditProgress", "Tried {n} times; the service is still failing. "
                         "Usually temporary: press Retry in a moment.").format(n=max(1, attempts))
    return hint


def _tr_standard(text: str | None) -> str:
    return QCoreApplication.translate("ServiceErrors", text) if text else ""
