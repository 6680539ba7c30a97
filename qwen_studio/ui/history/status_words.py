"""A history row's status in words, in the window's language, longest first: the row shows
the first that fits its room (row_text.KeptTexts.status). HistoryEntry and BatchGroup keep
what these make with the state it was made from (entries.py); nothing here is kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from qwen_studio.core.editing.progress import Stage
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui.progress_text import stage_word
from qwen_studio.ui.theme.status import needs_you, status_word

if TYPE_CHECKING:
    from qwen_studio.ui.history.entries import BatchGroup, HistoryEntry
    from qwen_studio.ui.history.group_tally import GroupTally

translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")

# A stage said on its own only where it adds to "running 12 s" (sending is what running is).
_QUIET = frozenset(("", Stage.SENDING.value, Stage.QUEUED.value))


def edit_status_texts(e: HistoryEntry, status: EditStatus) -> tuple[str, ...]:
    """"done in 12 s · 3 images", "done in 12 s", "done"; "running 3 s · downloading"."""
    if status is EditStatus.RUNNING:
        # The stage in the window's language ("运行中 1 秒 · retrying" was printed).
        stage = f" · {stage_word(Stage(e.stage))}" if e.stage not in _QUIET else ""
        return (translate("HistoryModel", "running {s} s").format(s=e.elapsed()) + stage,)
    if status is EditStatus.DONE:
        took = translate("HistoryModel", "done in {s} s").format(s=e.elapsed())
        n = len(e.result_paths)
        done = status_word(status).lower()
        if n > 1:  # too narrow for the count: the time it took, as a single result says
            images = translate("HistoryModel", " · {n} images").format(n=n)
            return (took + images, took, done)
        return (took, done)
    if status is EditStatus.INTERRUPTED:
        return (translate("HistoryModel", "interrupted — re-run it"),)
    if needs_you(status, e.reason):
        return (translate("HistoryModel", "skipped (over budget)"),)
    if status is EditStatus.FAILED and e.reason == "paid_not_downloaded":
        return (translate("HistoryModel", "failed · paid, not downloaded"),)
    return (status_word(status).lower(),)


def batch_status_texts(group: BatchGroup, t: GroupTally) -> tuple[str, ...]:
    """"1/5 done · 1 failed · 1 running · 2 queued", then without what the rest implies
    (queued: not done yet) or the row's icon says (running), down to "1/5 done"; never
    without what needs the user (failed, over budget): the icon says running first.
    At 1400 px beside the batch's spend "1/5 张完成 · 1 …" said nothing of the one."""
    c = t.counts
    done = translate("HistoryModel", "{done}/{n} done").format(
        done=c[EditStatus.DONE], n=len(group.members))
    failed = c[EditStatus.FAILED] + c[EditStatus.INTERRUPTED]
    over = t.over
    problems = [translate("HistoryModel", "{n} failed").format(n=failed)] if failed else []
    if over:
        problems.append(translate("HistoryModel", "{n} over budget").format(n=over))
    running = c[EditStatus.RUNNING]
    busy = [translate("HistoryModel", "{n} running").format(n=running)] if running else []
    rest = ([translate("HistoryModel", "{n} queued").format(n=c[EditStatus.QUEUED])]
            if c[EditStatus.QUEUED] else [])
    if c[EditStatus.SKIPPED] > over:
        rest.append(translate("HistoryModel", "{n} skipped").format(
            n=c[EditStatus.SKIPPED] - over))
    forms = (" · ".join([done, *problems, *busy, *rest]), " · ".join([done, *problems, *busy]),
             " · ".join([done, *problems]))
    return tuple(dict.fromkeys(forms))  # each once, longest first
