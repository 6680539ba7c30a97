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
    """"3 done · 1 failed of 10 · 2 running · 4.0/min · about 2 min left"."""
    parts = [translate("BatchPanel", "{n} done").format(n=s.done + s.skipped - over_budget)]
    if over_budget:
        parts.append(translate("BatchPanel", "{n} skipped: budget").format(n=over_budget))
    if s.failed:
        parts.append(translate("BatchPanel", "{n} failed").format(n=s.failed))
    if s.cancelled:
        parts.append(translate("BatchPanel", "{n} cancelled").format(n=s.cancelled))
    parts[-1] += translate("BatchPanel", " of {n}").format(n=s.total)
    if active:
        if paused:
            finishing = (translate("BatchPanel", ", {n} finishing").format(n=s.running)
                         if s.running else "")
            parts.append(translate("BatchPanel", "paused") + finishing)
        else:
            parts.append(translate("BatchPanel", "{n} running").format(n=s.running))
            if s.limit < concurrency and s.running:
                parts.append(translate("BatchPanel", "slowed to {n} at once (service is busy)")
                             .format(n=s.limit))
        if s.throughput_per_min:
            rate = f"{s.throughput_per_min:.1f}"
            parts.append(translate("BatchPanel", "{n}/min").format(n=rate))
        if s.eta_s is not None and (s.queued or s.running):
            left = _duration(s.eta_s)
            parts.append(translate("BatchPanel", "about {time} left").format(time=left))
    elif s.queued:
        parts.append(translate("BatchPanel", "press Run to start"))
    return " · ".join(parts)


def report_html(report: BatchReport) -> str:
    """What a finished batch did, and why edits failed (grouped by reason)."""
    text = f"<b>Batch finished:</b> {report.done} done"
    if report.failed:
        text += f", {report.failed} failed"
    if report.cancelled:
        text += f", {report.cancelled} cancelled"
    if report.over_budget:
        text += ", " + translate("BatchPanel", "{n} skipped: budget").format(
            n=report.over_budget)
    text += f" of {report.total}."
    if report.over_budget:
        text += " " + translate("BatchPanel", "Raise the budget and press Run skipped to send "
                                "them.")
    if report.failures:
        reasons: dict[str, list[str]] = {}
        for label, edit in report.failures:
            reasons.setdefault(job_detail(edit) or "unknown error", []).append(label)
        lines = [f"{len(v)} × {_html(k)} ({_html(', '.join(v[:3]))}"
                 f"{'…' if len(v) > 3 else ''})" for k, v in list(reasons.items())[:4]]
        text += "<br>Failed: " + "; ".join(lines) + ". Retry failed sends them again."
    if report.done:
        text += " Export gallery… writes the results as a folder with an index page."
    return text


def _duration(s: float) -> str:
    s = int(s)
    if s < 60:
        return translate("Duration", "{s} s").format(s=s)
    if s < 3600:
        return translate("Duration", "{m} min").format(m=s // 60)
    return translate("Duration", "{h} h {m} min").format(h=s // 3600, m=f"{s % 3600 // 60:02d}")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
