"""This session's edits, newest first: one model row per edit, painted by a delegate."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from qwen_studio.core.request import EditRequest

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
# Icon glyph + word + colour: the word and glyph carry the meaning; colour only helps.
STATUS_LOOK = {
    QUEUED: ("◷", "#9a9a9a"),
    RUNNING: ("⟳", "#6fa8dc"),
    DONE: ("✓", "#7cc48a"),
    FAILED: ("✗", "#e07a7a"),
    CANCELLED: ("⊘", "#b0b0b0"),
}

_ROOT = QModelIndex()
JobRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
EntryRole = Qt.ItemDataRole.UserRole + 3


@dataclass
class HistoryEntry:
    job_id: int  # this session's key; edit_id is the library's once it is created
    request: EditRequest
    created: float = field(default_factory=time.time)
    edit_id: int | None = None
    status: str = QUEUED
    stage: str = ""
    note: str = ""  # retry notes, error message
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    thumbnail: QImage | None = None
    result_paths: list[Path] = field(default_factory=list)
    error: Exception | None = None
    usage: dict[str, Any] = field(default_factory=dict)

    def elapsed(self) -> int:
        end = self.finished if self.finished is not None else time.monotonic()
        return int(end - self.started)

    def status_text(self) -> str:
        if self.status == RUNNING:
            stage = f" · {self.stage}" if self.stage and self.stage != "sending" else ""
            return f"running {self.elapsed()} s{stage}"
        if self.status == DONE:
            n = len(self.result_paths)
            extra = f" · {n} images" if n > 1 else ""
            return f"done in {self.elapsed()} s{extra}"
        return self.status


class SessionHistoryModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[HistoryEntry] = []
        # Running rows show elapsed seconds: repaint them once a second.
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)

    # -- Qt model API --------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        e = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return e.request.prompt
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            when = time.strftime("%H:%M", time.localtime(e.created))
            text = f"{e.request.prompt} — {when} — {e.status_text()}"
            return f"{text}\n{e.note}" if e.note else text
        if role == Qt.ItemDataRole.DecorationRole:
            return e.thumbnail
        if role == JobRole:
            return e.job_id
        if role == StatusRole:
            return e.status
        if role == EntryRole:
            return e
        return None

    # -- entries -------------------------------------------------------------------------------
    def add(self, entry: HistoryEntry) -> None:
        self.beginInsertRows(QModelIndex(), 0, 0)  # newest first
        self._entries.insert(0, entry)
        self.endInsertRows()
        self._update_ticker()

    def entry(self, job_id: int) -> HistoryEntry | None:
        return next((e for e in self._entries if e.job_id == job_id), None)

    def entry_at(self, row: int) -> HistoryEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def entry_for_edit(self, edit_id: int) -> HistoryEntry | None:
        return next((e for e in self._entries if e.edit_id == edit_id), None)

    def row_of(self, job_id: int) -> int:
        return next((i for i, e in enumerate(self._entries) if e.job_id == job_id), -1)

    def entries(self) -> list[HistoryEntry]:
        return list(self._entries)

    def update(self, job_id: int, **changes: Any) -> HistoryEntry | None:
        e = self.entry(job_id)
        if e is None:
            return None
        for k, v in changes.items():
            setattr(e, k, v)
        if changes.get("status") in (DONE, FAILED, CANCELLED) and e.finished is None:
            e.finished = time.monotonic()
        row = self.row_of(job_id)
        idx = self.index(row)
        self.dataChanged.emit(idx, idx)
        self._update_ticker()
        return e

    def _update_ticker(self) -> None:
        running = any(e.status in (QUEUED, RUNNING) for e in self._entries)
        if running and not self._ticker.isActive():
            self._ticker.start()
        elif not running:
            self._ticker.stop()

    def _tick(self) -> None:
        for i, e in enumerate(self._entries):
            if e.status == RUNNING:
                idx = self.index(i)
                self.dataChanged.emit(idx, idx)
        self._update_ticker()


class SessionHistoryDelegate(QStyledItemDelegate):
    """Thumbnail left, two lines of prompt, then time · status (glyph and word)."""

    THUMB = 56
    PAD = 8

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        # Width follows the view: rows never force a sideways scroll bar.
        return QSize(max(120, option.rect.width()), self.THUMB + 2 * self.PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        entry: HistoryEntry | None = index.data(EntryRole)
        if entry is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        r = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected:
            painter.fillRect(r, QColor("#34495e"))
        elif hovered:
            painter.fillRect(r, QColor("#2c2c2c"))
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(QColor("#6fa8dc"))
            painter.drawRect(r.adjusted(0, 0, -1, -1))

        thumb_rect = QRect(r.left() + self.PAD, r.top() + self.PAD, self.THUMB, self.THUMB)
        painter.fillRect(thumb_rect, QColor("#1a1a1a"))
        if entry.thumbnail is not None and not entry.thumbnail.isNull():
            pm = QPixmap.fromImage(entry.thumbnail)
            scaled = pm.size().scaled(thumb_rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, scaled.width(), scaled.height())
            target.moveCenter(thumb_rect.center())
            painter.drawPixmap(target, pm)
        else:
            glyph, color = STATUS_LOOK.get(entry.status, ("", "#999"))
            painter.setPen(QColor(color))
            f = QFont(option.font)
            f.setPointSizeF(f.pointSizeF() * 1.6)
            painter.setFont(f)
            painter.drawText(thumb_rect, Qt.AlignmentFlag.AlignCenter, glyph)

        text_left = thumb_rect.right() + self.PAD + 2
        text_w = r.right() - self.PAD - text_left
        font = QFont(option.font)
        painter.setFont(font)
        fm = QFontMetrics(font)
        painter.setPen(QColor("#e6e6e6") if not selected else QColor("#ffffff"))
        prompt_rect = QRect(text_left, r.top() + self.PAD - 1, text_w, fm.height() * 2)
        prompt = " ".join(entry.request.prompt.split()) or "(no prompt)"
        painter.drawText(
            prompt_rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            | int(Qt.TextFlag.TextWordWrap),
            _elide_two_lines(prompt, fm, text_w),
        )

        small = QFont(option.font)
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.88))
        painter.setFont(small)
        sfm = QFontMetrics(small)
        glyph, color = STATUS_LOOK.get(entry.status, ("", "#999"))
        when = time.strftime("%H:%M", time.localtime(entry.created))
        status_line = f"{glyph} {entry.status_text()}"
        y = r.bottom() - self.PAD - sfm.height() + 1
        painter.setPen(QColor("#8a8a8a"))
        painter.drawText(QRect(text_left, y, text_w, sfm.height()),
                         int(Qt.AlignmentFlag.AlignLeft), when)
        x = text_left + sfm.horizontalAdvance(when + "  ")
        painter.setPen(QColor(color))
        painter.drawText(QRect(x, y, r.right() - self.PAD - x, sfm.height()),
                         int(Qt.AlignmentFlag.AlignLeft),
                         sfm.elidedText(status_line, Qt.TextElideMode.ElideRight,
                                        r.right() - self.PAD - x))
        painter.restore()


def _elide_two_lines(text: str, fm: QFontMetrics, width: int) -> str:
    if fm.horizontalAdvance(text) <= width:
        return text
    # Fill line one by words, elide the rest onto line two.
    words = text.split(" ")
    line1 = ""
    while words and fm.horizontalAdvance((line1 + " " + words[0]).strip()) <= width:
        line1 = (line1 + " " + words.pop(0)).strip()
    if not line1:  # one very long word
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
    rest = fm.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width)
    return f"{line1}\n{rest}"


