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

Every query runs in the pool; its result is applied on the GUI thread. The list itself
(rows, batches, placement, repaints) is HistoryRows (rows.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeAlias

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QTimer, Signal

from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.editing.status import ACTIVE_STATUSES, FINISHED_STATUSES, EditStatus
from qwen_studio.core.library import EditRecord, Library
from qwen_studio.qt.library_watcher import LibraryWatcher
from qwen_studio.qt.pool_calls import PoolCalls
from qwen_studio.ui.history.days import day_label
from qwen_studio.ui.history.entries import (
    BatchGroup,
    EditIdRole,
    EntryRole,
    HeaderRole,
    HistoryEntry,
    HistoryFilter,
    Row,
    StatusRole,
)
from qwen_studio.ui.history.pages import Page, members_of, read_page
from qwen_studio.ui.history.rows import BATCH_REPAINT_MS, LIVE_REPAINT_MS, HistoryRows
from qwen_studio.ui.history.thumbnails import ThumbnailCache
from qwen_studio.ui.main_thread_gc import freeze_after_next_pass

if TYPE_CHECKING:
    # Types only: concurrent.futures loads after the first paint (app.main).
    from concurrent.futures import Executor

# The one status vocabulary, under the names the window and tests use.
QUEUED, RUNNING, DONE = EditStatus.QUEUED, EditStatus.RUNNING, EditStatus.DONE
FAILED, CANCELLED, INTERRUPTED = EditStatus.FAILED, EditStatus.CANCELLED, EditStatus.INTERRUPTED
ACTIVE = ACTIVE_STATUSES

PAGE_SIZE = 100
NEW_ROWS_MAX = 1000  # more new rows than this from elsewhere at once: reload instead
RECORDS_MS = 50  # library reads for live edits are gathered this long into one query

_ROOT = QModelIndex()
_Index: TypeAlias = QModelIndex | QPersistentModelIndex

__all__ = ["ACTIVE", "CANCELLED", "DONE", "FAILED", "INTERRUPTED", "QUEUED", "RUNNING",
           "BatchGroup", "EditIdRole", "EntryRole", "HeaderRole", "HistoryEntry",
           "HistoryFilter", "HistoryModel", "HistoryRows", "StatusRole", "day_label"]


class HistoryModel(HistoryRows):
    loadingChanged = Signal(bool)
    pageLoaded = Signal(int)  # rows added by the page
    filterChanged = Signal()
    entryRefreshed = Signal(object)  # an entry got its library facts or finished

    def __init__(self, library: Library | None, pool: Executor, parent: QObject | None = None,
                 *, page_size: int = PAGE_SIZE, autoload: bool = True,
                 watcher: LibraryWatcher | None = None) -> None:
        super().__init__(ThumbnailCache(library, pool), parent)
        self.library = library
        self.pool = pool
        self.page_size = page_size
        self.watcher = watcher
        self._calls = PoolCalls(pool, self)
        self._filter = HistoryFilter()
        self._generation = 0  # bumps on every reset; stale query results are dropped
        self._cursor: tuple[float, int] | None = None
        self._fetching = False
        self._exhausted = library is None
        self._watermark = 0  # the newest edit id this model has read
        self._reading_new = False
        self._read_again = False
        self._ticker = QTimer(self)  # running rows show elapsed seconds
        # Edit ids whose latest progress is RUNNING: _live holds all of a batch, and the
        # ticker is asked after every progress (no scan of _live each time).
        self._live_running: set[int] = set()
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
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

        def done(page: Page) -> None:
            if gen != self._generation:
                return
            records, members, total, top, version = page
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
            self.price_rows(rows)  # each row's spend text, once
            if rows:
                start = len(self._rows)
                self.beginInsertRows(_ROOT, start, start + len(rows) - 1)
                self._rows.extend(rows)
                self._pos = None
                self.endInsertRows()
                freeze_after_next_pass()  # rows live while listed: out of every full GC pass
            self.loadingChanged.emit(False)
            self.pageLoaded.emit(len(rows))
            self._update_ticker()

        def failed(_exc: BaseException) -> None:
            if gen == self._generation:
                self._fetching = False
                self._exhausted = True
                self.loadingChanged.emit(False)

        self._calls.submit(lambda: read_page(lib, flt, cursor, size, known, first), done, failed)

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
                if self._filter.batch_id == group.batch_id:
                    self._expanded.add(group.batch_id)  # "this batch only": its edits shown
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

    # -- the live overlay ----------------------------------------------------------------------
    def apply_progress(self, progress: EditProgress) -> None:
        """The edit service's latest word on one edit (the only way live state arrives)."""
        if self._closed:
            return
        p = progress
        before = self._live.get(p.edit_id)
        self._live[p.edit_id] = p
        if p.status is RUNNING:
            self._live_running.add(p.edit_id)
        else:
            self._live_running.discard(p.edit_id)
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
            members = members_of(lib, flt, fresh, known)
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

    def _update_ticker(self) -> None:
        """Running rows show their seconds: one repaint a second while any runs."""
        running = any(i in self._live for i in self._live_running) or any(
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
        ids = {i for i in self._live_running if i in self._live} | self._foreign_active
        self._mark([e for i in ids if (e := self._entries.get(i)) is not None
                    and e.status is RUNNING], 0)
        self._update_ticker()

