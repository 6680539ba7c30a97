"""The batch panel's words: the progress line and the finished report (made only here,
in the user's language; context "BatchPanel", as when they were the panel's own)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from qwen_studio.core.editing.progress import QueueStats
from qwen_studio.ui.batch.model import job_detail
from qwen_studio.ui.batch_controller import BatchReport

translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")


def stats_line(s: QueueStats, *, active: bool, paused: bool, concurrency: int,
               over_budget: int = 0) -> str:
    """"3 done · 1 skipped (over budget) · 1 failed · 2 running · 4.0/min · about 2 min left"
    beside the progress bar, which says "5 / 10" (finished of all): the line does not say the
    total again ("0 / 5" and "5 in all, 0 done" side by side), nor "0 done"."""
    done = s.done + s.skipped - over_budget
    parts = [translate("BatchPanel", "{n} done").format(n=done)] if done else []
    if over_budget:
        parts.append(over_budget_text(over_budget))
    if s.failed:
        parts.append(translate("BatchPanel", "{n} failed").format(n=s.failed))
    if s.cancelled:
        parts.append(translate("BatchPanel", "{n} cancelled").format(n=s.cancelled))
    if active:
        if paused:
            finishing = (translate("BatchPanel", ", {n} finishing").format(n=s.in_flight)
                         if s.in_flight else "")
            parts.append(translate("BatchPanel", "paused") + finishing)
        else:
            # The queue's figures: running = with the service, saving = writing results.
            if s.running or not s.saving:
                parts.append(translate("BatchPanel", "{n} running").format(n=s.running))
            if s.saving:
                parts.append(translate("BatchPanel", "{n} saving").format(n=s.saving))
            if s.limit < concurrency and s.running:
                parts.append(translate("BatchPanel", "slowed to {n} at once (service is busy)")
                             .format(n=s.limit))
        if s.throughput_per_min:
            rate = f"{s.throughput_per_min:.1f}"
            parts.append(translate("BatchPanel", "{n}/min").format(n=rate))
        if s.eta_s is not None and (s.queued or s.in_flight):
            left = _duration(s.eta_s)
            parts.append(translate("BatchPanel", "about {time} left").format(time=left))
    elif s.queued:
        parts.append(translate("BatchPanel", "press Run to start"))
    return " · ".join(parts)


def done_of_total(done: int, total: int) -> str:
    return translate("BatchPanel", "{done} of {total} done").format(done=done, total=total)


def over_budget_text(n: int) -> str:
    return translate("BatchPanel", "{n} skipped (over budget)").format(n=n)


def report_html(report: BatchReport) -> str:
    """What a finished batch did, and why edits failed (grouped by reason). Sentences and
    lists are joined the language's way: "，" "；" "。" and no space between Chinese
    sentences (then())."""
    parts = [done_of_total(report.done, report.total)]
    if report.over_budget:
        parts.append(over_budget_text(report.over_budget))
    if report.failed:
        parts.append(translate("BatchPanel", "{n} failed").format(n=report.failed))
    if report.cancelled:
        parts.append(translate("BatchPanel", "{n} cancelled").format(n=report.cancelled))
    comma = translate("BatchPanel", ", ")
    finished = translate("BatchPanel", "Batch finished:")  # not in the f-string: lupdate
    text = then(f"<b>{_html(finished)}</b>",
                translate("BatchPanel", "{list}.").format(list=comma.join(parts)))
    if report.over_budget:
        text = then(text, translate("BatchPanel", "Raise the budget and press Run skipped to "
                                    "send them."))
    if report.failures:
        reasons: dict[str, list[str]] = {}
        unknown = translate("BatchPanel", "unknown error")
        for label, edit in report.failures:
            reasons.setdefault(job_detail(edit) or unknown, []).append(label)
        lines = [translate("BatchPanel", "{n} × {reason} ({files})").format(
                     n=len(v), reason=_html(k),
                     files=_html(comma.join(v[:3])) + ("…" if len(v) > 3 else ""))
                 for k, v in list(reasons.items())[:4]]
        text += "<br>" + translate("BatchPanel", "Failed: {reasons}.").format(
            reasons=translate("BatchPanel", "; ").join(lines))
        text = then(text, translate("BatchPanel", "Retry failed sends them again."))
    if report.done:
        text = then(text, translate("BatchPanel", "Export gallery… writes the results as a "
                                    "folder with an index page."))
    return text


def then(first: str, sentence: str) -> str:
    """`sentence` after `first`, as the language sets them side by side: a space in
    English, nothing after a Chinese "。" or "："."""
    return translate("BatchPanel", "{first} {next}").format(first=first, next=sentence)


def _duration(s: float) -> str:
    s = int(s)
    if s < 60:
        return translate("Duration", "{s} s").format(s=s)
    if s < 3600:
        return translate("Duration", "{m} min").format(m=s // 60)
    return translate("Duration", "{h} h {m} min").format(h=s // 3600, m=f"{s % 3600 // 60:02d}")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
