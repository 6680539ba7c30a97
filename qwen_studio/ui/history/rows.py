"""The history's rows: one flat list of edits and batch rows (an open batch's edits follow
its row, one level in), and the changes to it. HistoryModel (model.py) decides what comes
in; this class only keeps the list and tells the view.

One flat list on purpose: shown by a one-column table with fixed row heights, 10,000 rows
cost nothing to lay out, where a tree view or a list view asks Python about every row on
every page (delegate.py). Repaints are coalesced: changed rows are announced together at most
every REPAINT_MS (sooner for what the user is watching).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QImage

from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.ui.history.days import day_headers, day_label
from qwen_studio.ui.history.entries import (
    BatchGroup,
    EditIdRole,
    EntryRole,
    HeaderRole,
    HistoryEntry,
    Row,
    StatusRole,
    order_key,
)
from qwen_studio.ui.history.thumbnails import ThumbnailCache

if TYPE_CHECKING:
    from qwen_studio.core.spend import PriceLookup

translate = QCoreApplication.translate

REPAINT_MS = 500
LIVE_REPAINT_MS = 30  # a live edit of this window: shown soon, bursts share one repaint
BATCH_REPAINT_MS = 250  # a busy batch: its row's counts move a few times a second

_ROOT = QModelIndex()
_Index: TypeAlias = QModelIndex | QPersistentModelIndex


class HistoryRows(QAbstractListModel):
    countChanged = Signal(int)  # edits matching the filter, as the library counts them
    thumbnailsReady = Signal()  # repaint the rows on screen

    def __init__(self, thumbnails: ThumbnailCache, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails
        thumbnails.setParent(self)
        thumbnails.ready.connect(self.thumbnailsReady)
        self._rows: list[Row] = []
        self._pos: dict[int, int] | None = None  # id(row) -> row (rebuilt lazily)
        self._expanded: set[str] = set()  # batch ids whose edits are shown
        self._entries: dict[int, HistoryEntry] = {}  # edit id -> every entry listed
        self._groups: dict[str, BatchGroup] = {}
        self._hidden: dict[int, HistoryEntry] = {}  # live edits the filter hides
        self._live: dict[int, EditProgress] = {}  # the overlay, by edit id
        self._foreign_active: set[int] = set()  # running edits of other processes
        self._exhausted = True  # every row the library has is listed
        self._fetching = False
        self._total = 0
        self._closed = False
        self._prices: PriceLookup | None = None  # spend texts: set_prices (PriceTable)
        self._dirty_rows: dict[int, Row] = {}
        self._labels: dict[int, str] = {}  # day labels by day (the view's headers())
        self._labels_day = 0  # the day they were made on
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.timeout.connect(self._flush_repaint)

    # -- Qt model API --------------------------------------------------------------------------
    # One flat list; an expanded batch's edits follow its row, one level in.
    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: _Index = _ROOT) -> bool:
        return not parent.isValid() and not self._exhausted and not self._fetching

    def item(self, row: int) -> Row | None:
        """The entry or group shown in a row (the delegate's fast path: no QVariant)."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _row(self, index: _Index) -> Row | None:
        return self.item(index.row()) if index.isValid() else None

    def is_member(self, row: Row) -> bool:
        """An edit shown inside its batch's row (indented under it)."""
        return isinstance(row, HistoryEntry) and row.batch_id is not None

    def row_of(self, row: Row) -> int:
        if self._pos is None:
            self._pos = {id(r): i for i, r in enumerate(self._rows)}
        return self._pos.get(id(row), -1)

    def index_of(self, row: Row) -> QModelIndex:
        """The index of an entry or group shown now (invalid if it is not)."""
        r = self.row_of(row)
        return self.index(r) if r >= 0 else QModelIndex()

    def data(self, index: _Index, role: int = 0) -> Any:
        row = self._row(index)
        if row is None:
            return None
        if role == EntryRole:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return _prompt(row)
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return self._describe(row, role == Qt.ItemDataRole.ToolTipRole)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnail(row.after_path() or row.before_path())
        if role == EditIdRole:
            return row.edit_id if isinstance(row, HistoryEntry) else None
        if role == StatusRole:
            return row.status
        if role == HeaderRole:
            return self.header_for(index.row())
        return None

    def _describe(self, row: Row, tooltip: bool) -> str:
        when = time.strftime("%H:%M", time.localtime(row.created))
        star = translate("HistoryModel", " — starred") if row.favourite else ""
        spend = f" — {row.spend}" if row.spend else ""
        text = (f"{_prompt(row)} — {day_label(row.created)} {when} — {row.status_text()}"
                f"{spend}{star}")
        note = row.note if isinstance(row, HistoryEntry) else ""
        return f"{text}\n{note}" if note and tooltip else text

    def header_for(self, row: int) -> str:
        """The day label over the first row of a day (never over a batch's edits)."""
        return self.headers(row, row)[0] if 0 <= row < len(self._rows) else ""

    def rows_between(self, first: int, last: int) -> list[Row]:
        """The rows from first to last (the view's paint: one slice, not a call per row)."""
        return self._rows[max(0, first):last + 1]

    def headers(self, first: int, last: int) -> list[str]:
        """header_for() of each row from first to last, in one pass."""
        today = date.today().toordinal()
        if self._labels_day != today:  # "Today" is "Yesterday" after midnight
            self._labels_day, self._labels = today, {}
        return day_headers(self._rows, first, last, self._labels)

    # -- entries -------------------------------------------------------------------------------
    def entries(self) -> list[HistoryEntry]:
        """Every edit listed, in order (a batch's edits where its row is, shown or not)."""
        out: list[HistoryEntry] = []
        for r in self._rows:
            if isinstance(r, BatchGroup):
                out.extend(r.members)
            elif not self.is_member(r):
                out.append(r)
        return out

    def listed(self) -> int:
        """How many edits are listed (a batch counts its edits, open or not)."""
        return len(self._entries)

    def groups(self) -> list[BatchGroup]:
        return [r for r in self._rows if isinstance(r, BatchGroup)]

    def entry_at(self, row: int) -> HistoryEntry | None:
        r = self.item(row)
        return r if isinstance(r, HistoryEntry) else None

    def entry_for_edit(self, edit_id: int) -> HistoryEntry | None:
        return self._entries.get(edit_id) or self._hidden.get(edit_id)

    def row_of_edit(self, edit_id: int) -> int:
        """The row showing this edit (its batch's row while the batch is collapsed)."""
        e = self._entries.get(edit_id)
        if e is None:
            return -1
        r = self.row_of(e)
        if r < 0 and e.batch_id is not None and e.batch_id in self._groups:
            r = self.row_of(self._groups[e.batch_id])
        return r

    def group(self, batch_id: str) -> BatchGroup | None:
        return self._groups.get(batch_id)

    # -- batches: expand and collapse ----------------------------------------------------------
    def is_expanded(self, group: BatchGroup) -> bool:
        return group.batch_id in self._expanded

    def set_expanded(self, group: BatchGroup, expanded: bool) -> None:
        """Show (or hide) a batch's edits under its row."""
        if expanded == self.is_expanded(group):
            return
        pos = self.row_of(group)
        if expanded:
            self._expanded.add(group.batch_id)
            if pos >= 0 and group.members:
                self.beginInsertRows(_ROOT, pos + 1, pos + len(group.members))
                self._rows[pos + 1:pos + 1] = group.members
                self._pos = None
                self.endInsertRows()
        else:
            self._expanded.discard(group.batch_id)
            if pos >= 0 and group.members:
                self.beginRemoveRows(_ROOT, pos + 1, pos + len(group.members))
                del self._rows[pos + 1:pos + 1 + len(group.members)]
                self._pos = None
                self.endRemoveRows()
        self._mark([group], 0)

    def toggle_expanded(self, group: BatchGroup) -> None:
        self.set_expanded(group, not self.is_expanded(group))

    # -- changes -------------------------------------------------------------------------------
    def set_favourite(self, entries: Iterable[HistoryEntry], value: bool) -> None:
        changed = list(entries)
        for e in changed:
            e.favourite = value
        self._mark(changed, 0)  # the user clicked: show it at once

    def remove(self, entries: Iterable[HistoryEntry]) -> list[HistoryEntry]:
        """Take entries out of the list (after a soft delete); returns what was removed."""
        removed = []
        for e in list(entries):
            if self._entries.get(e.edit_id) is not e:
                continue
            group = self._groups.get(e.batch_id) if e.batch_id else None
            if group is not None and e in group.members:
                self._remove_row(e)
                group.discard(e)
                if not group.members:
                    self._remove_row(group)
                    del self._groups[group.batch_id]
                    self._expanded.discard(group.batch_id)
                else:
                    self._mark([group], 0)
            else:
                self._remove_row(e)
            del self._entries[e.edit_id]
            self._live.pop(e.edit_id, None)
            self._dirty_rows.pop(id(e), None)
            self._foreign_active.discard(e.edit_id)
            removed.append(e)
        if removed:
            self._total = max(0, self._total - len(removed))
            self.countChanged.emit(self._total)
        return removed

    def _remove_row(self, row: Row) -> None:
        pos = self.row_of(row)
        if pos < 0:
            return
        self.beginRemoveRows(_ROOT, pos, pos)
        del self._rows[pos]
        self._pos = None
        self.endRemoveRows()

    def restore(self, entries: Iterable[HistoryEntry]) -> None:
        """Put entries back where they belong in the newest-first order (undo delete)."""
        n = sum(self._place(e) for e in entries if e.edit_id not in self._entries)
        if n:
            self._total += n
            self.countChanged.emit(self._total)

    def _place(self, e: HistoryEntry) -> bool:
        """List an entry where it belongs: in its batch's row, or as a row of its own."""
        self._entries[e.edit_id] = e
        if e.batch_id is None:
            return self._insert_top(e)
        group = self._groups.get(e.batch_id)
        if group is None:
            group = BatchGroup(e.batch_id, [e], created=e.created)
            self._groups[group.batch_id] = group
            return self._insert_top(group)
        key = order_key(e)
        pos = next((i for i, m in enumerate(group.members) if order_key(m) < key),
                   len(group.members))
        e.price(self._prices)  # its own spend text; the batch's total takes it in insert()
        gpos = self.row_of(group)
        if gpos >= 0 and self.is_expanded(group):
            self.beginInsertRows(_ROOT, gpos + 1 + pos, gpos + 1 + pos)
            group.insert(pos, e)
            self._rows.insert(gpos + 1 + pos, e)
            self._pos = None
            self.endInsertRows()
        else:
            group.insert(pos, e)
        self._mark([group], BATCH_REPAINT_MS)
        return True

    def _insert_top(self, row: Row) -> bool:
        """A new top-level row, where its time puts it (after an expanded batch's edits)."""
        self.price_rows([row])
        key = order_key(row)
        pos = next((i for i, r in enumerate(self._rows)
                    if not self.is_member(r) and order_key(r) < key), len(self._rows))
        if pos == len(self._rows) and not self._exhausted and self._rows:
            self._forget(row)  # older than every loaded row: a later page brings it
            return False
        rows: list[Row] = [row]
        if isinstance(row, BatchGroup) and self.is_expanded(row):
            rows += row.members
        self.beginInsertRows(_ROOT, pos, pos + len(rows) - 1)
        self._rows[pos:pos] = rows
        self._pos = None
        self.endInsertRows()
        return True

    def _forget(self, row: Row) -> None:
        if isinstance(row, BatchGroup):
            self._groups.pop(row.batch_id, None)
            for m in row.members:
                self._entries.pop(m.edit_id, None)
        else:
            self._entries.pop(row.edit_id, None)

    # -- repaints ------------------------------------------------------------------------------
    def _mark(self, rows: Iterable[Row], delay_ms: int = REPAINT_MS) -> None:
        for r in rows:
            self._dirty_rows[id(r)] = r
            if isinstance(r, HistoryEntry) and r.batch_id in self._groups:
                g = self._groups[r.batch_id]
                g.note(r)  # its counts and total follow this edit (not summed again)
                self._dirty_rows[id(g)] = g
        if not self._dirty_rows:
            return
        if not self._repaint.isActive() or self._repaint.remainingTime() > delay_ms:
            self._repaint.start(delay_ms)

    def _flush_repaint(self) -> None:
        """One dataChanged per changed row (not a scan of every row)."""
        self._repaint.stop()
        dirty, self._dirty_rows = self._dirty_rows, {}
        if self._closed:
            return
        self.price_rows(dirty.values())  # a finished edit's spend, its batch's new total
        for r in dirty.values():
            idx = self.index_of(r)
            if idx.isValid():
                self.dataChanged.emit(idx, idx)

    # -- spend -----------------------------------------------------------------------------------
    def set_prices(self, prices: PriceLookup | None) -> None:
        """New prices (loaded, or changed in Settings): every row's spend text again."""
        self._prices = prices
        for g in self._groups.values():
            g.reprice()
        self.price_rows(self._entries.values())
        self.price_rows(self._groups.values())
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def price_rows(self, rows: Iterable[Row]) -> None:
        """Work out these rows' spend texts (when a row is listed or changes, not in paint).
        A batch's total is kept by its tally (each edit priced once: a new batch or new
        prices), so its text costs the same for 10 edits or 1,000."""
        prices = self._prices
        groups: dict[int, BatchGroup] = {}
        for r in rows:
            if isinstance(r, BatchGroup):
                groups[id(r)] = r
            elif r.price(prices) and r.batch_id is not None and (
                    g := self._groups.get(r.batch_id)) is not None:
                groups[id(g)] = g
        for g in groups.values():
            g.price(prices)

    # -- thumbnails ----------------------------------------------------------------------------
    def thumbnail(self, path: Path | None) -> QImage | None:
        return self.thumbnails.get(path)

    def cached_thumbnails(self) -> int:
        return len(self.thumbnails)



def _prompt(row: Row) -> str:
    if isinstance(row, BatchGroup):
        return row.request.prompt if row.members else ""
    return row.request.prompt
