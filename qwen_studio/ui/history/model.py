"""The history rows: the library's edits, newest first, plus a live overlay of the edits
running now; a batch is one expandable row over its edits.

Where rows come from (and nothing else changes them):
  * pages of library records, keyset-paged (`Library.query_page`); a page leaves out the
    batches already listed, and a new batch's members come with its row;
  * `apply_progress(EditProgress)`: the one way the live state of an edit arrives (the
    window connects the edit service's progressChanged to it). Kept by edit id as an
    overlay, so a page or a reload never shows an older state than the service reported;
    a finished progress re-reads that edit from the library (stored files, parent);
  * `LibraryWatcher.changed`: another process wrote; rows after the newest known are read,
    and foreign edits still running are re-read (never the ones the overlay owns).

Every query runs in the pool; its result is applied on the GUI thread. Repaints are
coalesced: changed rows are announced together at most every REPAINT_MS.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from qwen_studio.core.editing.status import ACTIVE_STATUSES, FINISHED_STATUSES, EditStatus
from qwen_studio.core.library import EditRecord, Library
from qwen_studio.qt.library_watcher import LibraryWatcher
from qwen_studio.qt.pool_calls import PoolCalls
from qwen_studio.ui.history.entries import (
    BatchGroup,
    EditIdRole,
    EntryRole,
    HeaderRole,
    HistoryEntry,
    HistoryFilter,
    Row,
    StatusRole,
    day_label,
    order_key,
)
from qwen_studio.ui.history.thumbnails import ThumbnailCache

if TYPE_CHECKING:
    # Types only: concurrent.futures loads after the first paint (app.main).
    from concurrent.futures import Executor

translate = QCoreApplication.translate

# The one status vocabulary, under the names the window and tests use.
QUEUED, RUNNING, DONE = EditStatus.QUEUED, EditStatus.RUNNING, EditStatus.DONE
FAILED, CANCELLED, INTERRUPTED = EditStatus.FAILED, EditStatus.CANCELLED, EditStatus.INTERRUPTED
ACTIVE = ACTIVE_STATUSES

PAGE_SIZE = 100
MEMBERS_MAX = 100_000  # a batch's members are loaded with its row, in one query
NEW_ROWS_MAX = 1000  # more new rows than this from elsewhere at once: reload instead
REPAINT_MS = 500
LIVE_REPAINT_MS = 30  # a live edit of this window: shown soon, bursts share one repaint
BATCH_REPAINT_MS = 250  # a busy batch: its row's counts move a few times a second
RECORDS_MS = 50  # library reads for live edits are gathered this long into one query

_ROOT = QModelIndex()
_Index = QModelIndex | QPersistentModelIndex

__all__ = ["ACTIVE", "CANCELLED", "DONE", "FAILED", "INTERRUPTED", "QUEUED", "RUNNING",
           "BatchGroup", "EditIdRole", "EntryRole", "HeaderRole", "HistoryEntry",
           "HistoryFilter", "HistoryModel", "StatusRole", "day_label"]


class HistoryModel(QAbstractListModel):
    loadingChanged = Signal(bool)
    countChanged = Signal(int)  # edits matching the filter, as the library counts them
    pageLoaded = Signal(int)  # rows added by the page
    filterChanged = Signal()
    entryRefreshed = Signal(object)  # an entry got its library facts or finished
    thumbnailsReady = Signal()  # repaint the rows on screen

    def __init__(self, library: Library | None, pool: Executor, parent: QObject | None = None,
                 *, page_size: int = PAGE_SIZE, autoload: bool = True,
                 watcher: LibraryWatcher | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.pool = pool
        self.page_size = page_size
        self.watcher = watcher
        self._calls = PoolCalls(pool, self)
        self.thumbnails = ThumbnailCache(library, pool, self)
        self.thumbnails.ready.connect(self.thumbnailsReady)
        self._rows: list[Row] = []
        self._pos: dict[int, int] | None = None  # id(row) -> row (rebuilt lazily)
        self._expanded: set[str] = set()  # batch ids whose edits are shown
        self._entries: dict[int, HistoryEntry] = {}  # edit id -> every entry listed
        self._groups: dict[str, BatchGroup] = {}
        self._hidden: dict[int, HistoryEntry] = {}  # live edits the filter hides
        self._live: dict[int, EditProgress] = {}  # the overlay, by edit id
        self._filter = HistoryFilter()
        self._generation = 0  # bumps on every reset; stale query results are dropped
        self._cursor: tuple[float, int] | None = None
        self._fetching = False
        self._exhausted = library is None
        self._total = 0
        self._watermark = 0  # the newest edit id this model has read
        self._reading_new = False
        self._read_again = False
        self._closed = False
        self._dirty: set[int] = set()  # id() of rows whose look changed
        self._dirty_rows: dict[int, Row] = {}
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.timeout.connect(self._flush_repaint)
        self._ticker = QTimer(self)  # running rows show elapsed seconds
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._foreign_active: set[int] = set()  # running edits of other processes
        self._want: set[int] = set()  # edit ids to (re-)read from the library
        self._want_timer = QTimer(self)
        self._want_timer.setSingleShot(True)
        self._want_timer.setInterval(RECORDS_MS)
        self._want_timer.timeout.connect(self._read_wanted)
        if watcher is not None:
            watcher.changed.connect(self._on_library_changed)
        if autoload and library is not None:
            self.fetchMore(_ROOT)
            if watcher is not None:
                watcher.start()

    def close(self) -> None:
        """Stop timers and ignore results still in flight (window shutdown)."""
        self._closed = True
        for t in (self._ticker, self._repaint, self._want_timer):
            t.stop()
        self._calls.close()
        self.thumbnails.close()

    # -- Qt model API --------------------------------------------------------------------------
    # One flat list (a QListView with uniform rows lays 10,000 rows out in C++ in a few ms;
    # a tree view or rows of different heights ask Python for every row on every page).
    # An expanded batch's edits follow its row, one level in.
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
        text = f"{_prompt(row)} — {day_label(row.created)} {when} — {row.status_text()}{star}"
        note = row.note if isinstance(row, HistoryEntry) else ""
        return f"{text}\n{note}" if note and tooltip else text

    def header_for(self, row: int) -> str:
        """The day label over the first row of a day (never over a batch's edits)."""
        r = self.item(row)
        if r is None or self.is_member(r):
            return ""
        prev = row - 1
        while prev >= 0 and self.is_member(self._rows[prev]):
            prev -= 1
        if prev < 0 or self._rows[prev].day() != r.day():
            return day_label(r.created)
        return ""

    # -- paging --------------------------------------------------------------------------------
    def fetchMore(self, parent: _Index = _ROOT) -> None:
        if parent.isValid() or self._exhausted or self._fetching or self.library is None:
            return
        if self._closed:
            return
        self._fetching = True
        self.loadingChanged.emit(True)
        gen, flt, lib, size = self._generation, self._filter, self.library, self.page_size
        cursor, first = self._cursor, self._cursor is None
        known = set(self._groups)

        def query() -> tuple[list[EditRecord], dict[str, list[EditRecord]], int | None, int,
                             int | None]:
            # The watcher's baseline first: a row written meanwhile is then a change after it.
            version = lib.data_version() if first else None
            top = lib.max_id() if first else 0
            records = lib.query_page(**flt.query_kwargs(), before=cursor, limit=size,
                                     exclude_batches=known)
            members = _members(lib, flt, records, known)
            total = lib.count(**flt.query_kwargs()) if first else None
            return records, members, total, top, version

        def done(result: tuple[list[EditRecord], dict[str, list[EditRecord]], int | None,
                               int, int | None]) -> None:
            if gen != self._generation:
                return
            records, members, total, top, version = result
            self._fetching = False
            self._watermark = max(self._watermark, top)
            if version is not None and self.watcher is not None:
                self.watcher.note_version(version)
            if len(records) < size:
                self._exhausted = True
            if records:
                self._cursor = (records[-1].created_at, records[-1].id)
            if total is not None:
                self._total = total
                self.countChanged.emit(total)
            rows = self._rows_from(records, members)
            if rows:
                start = len(self._rows)
                self.beginInsertRows(_ROOT, start, start + len(rows) - 1)
                self._rows.extend(rows)
                self._pos = None
                self.endInsertRows()
            self.loadingChanged.emit(False)
            self.pageLoaded.emit(len(rows))
            self._update_ticker()

        def failed(_exc: BaseException) -> None:
            if gen == self._generation:
                self._fetching = False
                self._exhausted = True
                self.loadingChanged.emit(False)

        self._calls.submit(query, done, failed)

    def _rows_from(self, records: Iterable[EditRecord],
                   members: dict[str, list[EditRecord]]) -> list[Row]:
        """New top-level rows for these records (each edit once; a batch as one group)."""
        rows: list[Row] = []
        for rec in records:
            if rec.id in self._entries:
                continue
            if rec.batch_id is None:
                e = self._entry_from(rec)
                self._entries[e.edit_id] = e
                self._hidden.pop(e.edit_id, None)
                rows.append(e)
            elif rec.batch_id not in self._groups:
                group = BatchGroup(rec.batch_id, created=rec.created_at, complete=True)
                for m in members.get(rec.batch_id, [rec]):
                    if m.id not in self._entries:
                        e = self._entry_from(m)
                        self._entries[e.edit_id] = e
                        self._hidden.pop(e.edit_id, None)
                        group.members.append(e)
                self._groups[group.batch_id] = group
                rows.append(group)
                if group.batch_id in self._expanded:
                    rows.extend(group.members)
        return rows

    def _entry_from(self, rec: EditRecord) -> HistoryEntry:
        e = HistoryEntry.from_record(rec)
        self._overlay(e)
        self._note_foreign([e])
        return e

    def _overlay(self, e: HistoryEntry) -> None:
        """The service's word over the library's while the library lags behind it."""
        p = self._live.get(e.edit_id)
        if p is None:
            return
        if p.finished and e.status in FINISHED_STATUSES:
            del self._live[e.edit_id]  # the library caught up: it has the final word
            return
        e.take_progress(p)

    # -- filters -------------------------------------------------------------------------------
    @property
    def filter(self) -> HistoryFilter:
        return self._filter

    @property
    def total(self) -> int:
        return self._total

    def set_filter(self, flt: HistoryFilter) -> None:
        if flt == self._filter:
            return
        self._filter = flt
        self.filterChanged.emit()
        self.reload()

    def reload(self) -> None:
        """Drop every row and load the first page again (the live overlay stays)."""
        self._generation += 1
        self._dirty_rows.clear()
        self.beginResetModel()
        self._rows = []
        self._pos = None
        self._entries.clear()
        self._groups.clear()
        self._foreign_active.clear()
        self._cursor = None
        self._fetching = False
        self._exhausted = self.library is None
        self.endResetModel()
        self.fetchMore(_ROOT)

    def is_loading(self) -> bool:
        return self._fetching

    def fully_loaded(self) -> bool:
        return self._exhausted and not self._fetching

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
                group.members.remove(e)
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
        group.members.insert(pos, e)
        gpos = self.row_of(group)
        if gpos >= 0 and self.is_expanded(group):
            group.members.pop(pos)
            self.beginInsertRows(_ROOT, gpos + 1 + pos, gpos + 1 + pos)
            group.members.insert(pos, e)
            self._rows.insert(gpos + 1 + pos, e)
            self._pos = None
            self.endInsertRows()
        self._mark([group], BATCH_REPAINT_MS)
        return True

    def _insert_top(self, row: Row) -> bool:
        """A new top-level row, where its time puts it (after an expanded batch's edits)."""
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

    # -- the live overlay ----------------------------------------------------------------------
    def apply_progress(self, progress: EditProgress) -> None:
        """The edit service's latest word on one edit (the only way live state arrives)."""
        if self._closed:
            return
        p = progress
        before = self._live.get(p.edit_id)
        self._live[p.edit_id] = p
        e = self.entry_for_edit(p.edit_id)
        if e is None:
            e = HistoryEntry.from_progress(p)
            if self._filter.matches(e) and self._place(e):
                self._total += 1
                self.countChanged.emit(self._total)
            else:
                self._entries.pop(e.edit_id, None)
                self._hidden[e.edit_id] = e
            self._want_record(p.edit_id)  # created time, parent, stored inputs
        else:
            e.take_progress(p)
            self._mark([e], LIVE_REPAINT_MS if p.batch_id is None else BATCH_REPAINT_MS)
        if p.finished and (before is None or not before.finished):
            self._want_record(p.edit_id)  # the stored results and final times
            self.entryRefreshed.emit(e)
        self._update_ticker()

    def _want_record(self, edit_id: int) -> None:
        self._want.add(edit_id)
        if not self._want_timer.isActive():
            self._want_timer.start()

    def _read_wanted(self) -> None:
        ids, self._want = sorted(self._want), set()
        if not ids or self.library is None or self._closed:
            return
        lib = self.library

        def done(records: list[EditRecord]) -> None:
            for rec in records:
                e = self.entry_for_edit(rec.id)
                if e is None:
                    continue
                e.take_record(rec)
                self._overlay(e)
                self._mark([e], LIVE_REPAINT_MS if e.batch_id is None else BATCH_REPAINT_MS)
                self.entryRefreshed.emit(e)
            self._update_ticker()

        self._calls.submit(lambda: lib.query(ids=ids, limit=len(ids)), done)

    # -- other processes -----------------------------------------------------------------------
    def _on_library_changed(self, _version: int) -> None:
        if self._closed or self.library is None:
            return
        if self._reading_new or self._fetching:
            self._read_again = True
            return
        self._reading_new = True
        self._read_again = False
        lib, flt, gen, after = self.library, self._filter, self._generation, self._watermark
        foreign = sorted(i for i in self._foreign_active if i not in self._live)
        known = set(self._groups)

        def query() -> tuple[int, list[EditRecord], dict[str, list[EditRecord]],
                             list[EditRecord]]:
            top = lib.max_id()
            fresh = lib.query(**flt.query_kwargs(), after_id=after, limit=NEW_ROWS_MAX + 1)
            members = _members(lib, flt, fresh, known)
            changed = lib.query(ids=foreign, limit=len(foreign)) if foreign else []
            return top, fresh, members, changed

        def done(result: tuple[int, list[EditRecord], dict[str, list[EditRecord]],
                               list[EditRecord]]) -> None:
            self._reading_new = False
            if gen != self._generation:
                return
            top, fresh, members, changed = result
            self._watermark = max(self._watermark, top)
            if len(fresh) > NEW_ROWS_MAX:
                self.reload()  # a flood (an import, a big batch elsewhere)
                return
            got = {r.id: r for r in changed}
            gone = []
            for edit_id in foreign:
                e = self._entries.get(edit_id)
                if e is None or edit_id in self._live:
                    continue
                rec = got.get(edit_id)
                if rec is None:
                    gone.append(e)  # deleted (or purged) elsewhere
                    continue
                was = e.status
                e.take_record(rec)
                self._note_foreign([e])
                self._mark([e])
                if was != e.status and not e.active:
                    self.entryRefreshed.emit(e)
            if gone:
                self._foreign_active.difference_update(e.edit_id for e in gone)
                self.remove(gone)
            n = 0
            for rec in reversed(fresh):  # oldest first: each lands on top of the last
                if rec.id in self._entries:
                    continue
                batch = members.get(rec.batch_id or "", [rec])
                for m in (batch if rec.batch_id not in self._groups else [rec]):
                    if m.id not in self._entries:
                        n += self._place(self._entry_from(m))
            if n:
                self._total += n
                self.countChanged.emit(self._total)
            self._update_ticker()
            if self._read_again:
                self._on_library_changed(0)

        def failed(_exc: BaseException) -> None:
            self._reading_new = False

        self._calls.submit(query, done, failed)

    # -- repaints ------------------------------------------------------------------------------
    def _mark(self, rows: Iterable[Row], delay_ms: int = REPAINT_MS) -> None:
        for r in rows:
            self._dirty_rows[id(r)] = r
            if isinstance(r, HistoryEntry) and r.batch_id in self._groups:
                g = self._groups[r.batch_id]
                self._dirty_rows[id(g)] = g  # its counts
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
        for r in dirty.values():
            idx = self.index_of(r)
            if idx.isValid():
                self.dataChanged.emit(idx, idx)

    def _update_ticker(self) -> None:
        """Running rows show their seconds: one repaint a second while any runs."""
        running = any(p.status is RUNNING for p in self._live.values()) or any(
            e.status is RUNNING for i in self._foreign_active
            if (e := self._entries.get(i)) is not None)
        if running and not self._ticker.isActive():
            self._ticker.start()
        elif not running:
            self._ticker.stop()

    def _note_foreign(self, entries: Iterable[HistoryEntry]) -> None:
        for e in entries:
            if e.active and e.edit_id not in self._live:
                self._foreign_active.add(e.edit_id)
            else:
                self._foreign_active.discard(e.edit_id)

    def _tick(self) -> None:
        ids = {i for i, p in self._live.items() if p.status is RUNNING} | self._foreign_active
        self._mark([e for i in ids if (e := self._entries.get(i)) is not None
                    and e.status is RUNNING], 0)
        self._update_ticker()

    # -- thumbnails ----------------------------------------------------------------------------
    def thumbnail(self, path: Path | None) -> QImage | None:
        return self.thumbnails.get(path)

    def cached_thumbnails(self) -> int:
        return len(self.thumbnails)


def _prompt(row: Row) -> str:
    if isinstance(row, BatchGroup):
        return row.request.prompt if row.members else ""
    return row.request.prompt


def _members(lib: Library, flt: HistoryFilter, records: Iterable[EditRecord],
             known: set[str]) -> dict[str, list[EditRecord]]:
    """Worker thread: every member (matching the filter) of the new batches among records."""
    batches = {r.batch_id for r in records if r.batch_id is not None} - known
    kwargs = flt.query_kwargs()
    out: dict[str, list[EditRecord]] = {}
    for b in batches:
        kwargs["batch_id"] = b
        out[b] = lib.query(**kwargs, limit=MEMBERS_MAX)
    return out
