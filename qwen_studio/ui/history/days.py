"""The history's day labels: which rows begin a day (the list paints the label in that
row's band), found for a screenful of rows in one pass, and the label of a day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QCoreApplication, QDate, QLocale

from qwen_studio.ui.history.entries import HistoryEntry, Row

translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")


def day_headers(rows: list[Row], first: int, last: int, labels: dict[int, str]) -> list[str]:
    """The day label over each row from first to last where a day begins (never over a
    batch's edits, which sit under their batch's row), else "". `labels`: kept by day."""
    prev = first - 1
    while prev >= 0 and isinstance(r := rows[prev], HistoryEntry) and r.batch_id is not None:
        prev -= 1
    day = rows[prev].day() if prev >= 0 else None
    out: list[str] = []
    for r in rows[max(0, first):last + 1]:
        if isinstance(r, HistoryEntry) and r.batch_id is not None:
            out.append("")
            continue
        d = r.day()
        if d == day:
            out.append("")
        else:
            label = labels.get(d)
            if label is None:
                label = labels[d] = day_label(r.created)
            out.append(label)
        day = d
    return out


def day_label(ts: float, today: date | None = None) -> str:
    d = datetime.fromtimestamp(ts).date()
    today = today or date.today()
    if d == today:
        return translate("HistoryModel", "Today")
    if d == today - timedelta(days=1):
        return translate("HistoryModel", "Yesterday")
    # Day and month names from QLocale, so they follow the UI language, not the C locale.
    qd = QDate(d.year, d.month, d.day)
    if d.year == today.year:
        return QLocale().toString(qd, translate("HistoryModel", "dddd d MMMM"))
    return QLocale().toString(qd, translate("HistoryModel", "d MMMM yyyy"))
