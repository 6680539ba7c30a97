"""The history list over the Library: one row per edit, newest first, loaded page by page.

Every database query and every thumbnail decode runs in the thread pool; results come back
to the GUI thread through a queued Qt signal, and only then does the model change. Edits
started in this window are added live (`add`/`update`, keyed by the controller's job id);
edits loaded from the library get negative job ids (-edit_id), so one key serves both.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractListModel,
    QCoreApplication,
    QDate,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QImage

from qwen_studio.core.request import EditRequest

log = logging.getLogger(__name__)
translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")

QUEUED, RUNNING, DONE, FAILED, CANCELLED, INTERRUPTED = (
    "queued", "running", "done", "failed", "cancelled", "interrupted")
ACTIVE = (QUEUED, RUNNING)
# The status words users read (the stored values above stay English).
_STATUS_WORDS = {
    QUEUED: QT_TRANSLATE_NOOP("HistoryModel", "queued"),
    FAILED: QT_TRANSLATE_NOOP("HistoryModel", "failed"),
    CANCELLED: QT_TRANSLATE_NOOP("HistoryModel", "cancelled"),
}
# Icon glyph + colour per status: the word and the glyph carry the meaning, colour only helps.
STATUS_LOOK = {
    QUEUED: ("◷", "#9a9a9a"),
    RUNNING: ("⟳", "#6fa8dc"),
    DONE: ("✓", "#7cc48a"),
    FAILED: ("✗", "#e07a7a"),
    CANCELLED: ("⊘", "#b0b0b0"),
    INTERRUPTED: ("⚠", "#e0b45a"),
}

PAGE_SIZE = 100
THUMB_CACHE_MAX = 400  # ~112 px images: a few tens of MB at most
THUMB_SIDE = 112
POLL_MS = 3000  # other processes (batch CLI, a second window) write to the same library

_ROOT = QModelIndex()
JobRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
EntryRole = Qt.ItemDataRole.UserRole + 3
HeaderRole = Qt.ItemDataRole.UserRole + 4  # day label for the first row of a day, else ""
EditIdRole = Qt.ItemDataRole.UserRole + 5


@dataclass(eq=False)
class HistoryEntry:
    job_id: int  # controller job id (live) or -edit_id (loaded from the library)
    request: EditRequest
    created: float = field(default_factory=time.time)
    edit_id: int | None = None
    status: str = QUEUED
    stage: str = ""
    note: str = ""  # retry notes, error message
    started: float | None = field(default_factory=time.time)
    finished: float | None = None
    thumbnail: QImage | None = None  # set by the window for live rows; the delegate prefers files
    result_paths: list[Path] = field(default_factory=list)
    input_paths: list[Path] = field(default_factory=list)  # stored copies in the library
    error: Exception | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    favourite: bool = False
    parent_id: int | None = None
    batch_id: str | None = None
    _day: int | None = field(default=None, repr=False)  # cached: layout asks for every row

    def day(self) -> int:
        if self._day is None:
            self._day = datetime.fromtimestamp(self.created).date().toordinal()
        return self._day

    def elapsed(self) -> int:
        start = self.started if self.started is not None else self.created
        end = self.finished if self.finished is not None else time.time()
        return max(0, int(end - start))

    def status_text(self) -> str:
        if self.status == RUNNING:
            stage = f" · {self.stage}" if self.stage and self.stage != "sending" else ""
            return translate("HistoryModel", "running {s} s").format(s=self.elapsed()) + stage
        if self.status == DONE:
            n = len(self.result_paths)
            extra = translate("HistoryModel", " · {n} images").format(n=n) if n > 1 else ""
            return translate("HistoryModel", "done in {s} s").format(s=self.elapsed()) + extra
        if self.status == INTERRUPTED:
            return translate("HistoryModel", "interrupted — re-run it")
        return translate("HistoryModel", _STATUS_WORDS.get(self.status, self.status))

    def before_path(self) -> Path | None:
        if self.input_paths:
            return self.input_paths[0]
        if self.request.inputs and not self.request.inputs[0].startswith(("http:", "https:")):
            return Path(self.request.inputs[0])
        return None

    def after_path(self) -> Path | None:
        return self.result_paths[0] if self.result_paths else None

    @classmethod
    def from_record(cls, rec: Any) -> HistoryEntry:
        return cls(
            job_id=-int(rec.id),
            request=rec.request,
            created=rec.created_at,
            edit_id=int(rec.id),
            status=str(rec.status.value if hasattr(rec.status, "value") else rec.status),
            note=rec.error or "",
            started=rec.started_at,
            finished=rec.finished_at,
            result_paths=list(rec.result_files),
            input_paths=list(rec.input_files),
            usage=dict(rec.usage),
            favourite=bool(rec.favourite),
            parent_id=rec.parent_id,
            batch_id=rec.batch_id,
        )


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


@dataclass(frozen=True)
class HistoryFilter:
    text: str = ""
    favourites_only: bool = False
    failed_only: bool = False
    batch_id: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.text.strip() or self.favourites_only or self.failed_only
                    or self.batch_id)

    def query_kwargs(self) -> dict[str, Any]:
        return {"text": self.text.strip() or None, "favourites_only": self.favourites_only,
                "failed_only": self.failed_only, "batch_id": self.batch_id}


class _Bridge(QObject):
    """Carries a finished pool future back to the GUI thread (queued connection)."""

    done = Signal(object, object)  # callback, Future


class HistoryModel(QAbstractListModel):
    loadingChanged = Signal(bool)
    countChanged = Signal(int)  # total matching the filter, as the library counts it
    pageLoaded = Signal(int)  # rows added by the page
    filterChanged = Signal()
    entryRefreshed = Signal(object)  # a live entry got its library facts (parent, copies)

    def __init__(self, library: Any, pool: Executor, parent: QObject | None = None, *,
                 page_size: int = PAGE_SIZE, autoload: bool = True) -> None:
        super().__init__(parent)
        self.library = library
        self.pool = pool
        self.page_size = page_size
        self._entries: list[HistoryEntry] = []
        self._edit_ids: set[int] = set()
        self._filter = HistoryFilter()
        self._generation = 0  # bumps on every reset; stale query results are dropped
        self._fetching = False
        self._exhausted = library is None
        self._total = 0
        self._closed = False
        self._bridge = _Bridge(self)
        self._bridge.done.connect(self._deliver)
        self._thumbs: OrderedDict[Path, QImage] = OrderedDict()
        self._thumb_pending: set[Path] = set()
        self._thumb_failed: set[Path] = set()
        self._thumb_flush = QTimer(self)
        self._thumb_flush.setSingleShot(True)
        self._thumb_flush.setInterval(30)
        self._thumb_flush.timeout.connect(self._repaint_all)
        # Running rows show elapsed seconds: repaint them once a second.
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._poller = QTimer(self)
        self._poller.setInterval(POLL_MS)
        self._poller.timeout.connect(self._poll)
        self._polling = False
        # Live entries a filter hides: the window still tracks their progress through them.
        self._hidden: dict[int, HistoryEntry] = {}
        if autoload and library is not None:
            self.fetchMore(_ROOT)
            self._poller.start()

    # -- pool plumbing -------------------------------------------------------------------------
    def _submit(self, fn: Callable[[], Any], then: Callable[[Any], None],
                failed: Callable[[BaseException], None] | None = None) -> None:
        def finish(fut: Future[Any]) -> None:
            if self._closed or fut.cancelled():
                return
            exc = fut.exception()
            if exc is not None:
                log.warning("history query failed: %r", exc)
                if failed is not None:
                    failed(exc)
                return
            then(fut.result())

        try:
            fut = self.pool.submit(fn)
        except RuntimeError:  # pool shut down at exit
            return
        # The done-callback runs in a worker: hand the future to the GUI thread.
        fut.add_done_callback(lambda f: self._emit_done(finish, f))

    def _emit_done(self, callback: Callable[[Future[Any]], None], fut: Future[Any]) -> None:
        with contextlib.suppress(RuntimeError):  # model already deleted at exit
            self._bridge.done.emit(callback, fut)

    def _deliver(self, callback: Callable[[Future[Any]], None], fut: Future[Any]) -> None:
        callback(fut)

    def close(self) -> None:
        """Stop timers and ignore results still in flight (window shutdown)."""
        self._closed = True
        self._ticker.stop()
        self._poller.stop()
        self._thumb_flush.stop()

    # -- Qt model API --------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> bool:
        return not parent.isValid() and not self._exhausted and not self._fetching

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> None:
        if parent.isValid() or self._exhausted or self._fetching or self.library is None:
            return
        self._fetching = True
        self.loadingChanged.emit(True)
        gen = self._generation
        # Everything loaded is a prefix of the library's newest-first order, so the next
        # page starts after the rows we have that the library knows.
        offset = sum(1 for e in self._entries if e.edit_id is not None)
        flt = self._filter
        lib, size = self.library, self.page_size
        first = offset == 0

        def query() -> tuple[list[Any], int | None]:
            records = lib.query(**flt.query_kwargs(), offset=offset, limit=size)
            total = lib.count(**flt.query_kwargs()) if first else None
            return records, total

        def done(result: tuple[list[Any], int | None]) -> None:
            if gen != self._generation:
                return
            records, total = result
            self._fetching = False
            if len(records) < size:
                self._exhausted = True
            if total is not None:
                self._total = total
                self.countChanged.emit(total)
            new = [HistoryEntry.from_record(r) for r in records if r.id not in self._edit_ids]
            if new:
                start = len(self._entries)
                self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
                self._entries.extend(new)
                self._edit_ids.update(e.edit_id for e in new if e.edit_id is not None)
                self.endInsertRows()
            self.loadingChanged.emit(False)
            self.pageLoaded.emit(len(new))
            self._update_ticker()

        def failed(_exc: BaseException) -> None:
            if gen == self._generation:
                self._fetching = False
                self._exhausted = True
                self.loadingChanged.emit(False)

        self._submit(query, done, failed)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        e = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return e.request.prompt
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            when = time.strftime("%H:%M", time.localtime(e.created))
            star = translate("HistoryModel", " — starred") if e.favourite else ""
            text = (f"{e.request.prompt} — {day_label(e.created)} {when} — "
                    f"{e.status_text()}{star}")
            return f"{text}\n{e.note}" if e.note and role == Qt.ItemDataRole.ToolTipRole else text
        if role == Qt.ItemDataRole.DecorationRole:
            p = e.after_path() or e.before_path()
            return self.thumbnail(p) if p is not None else None
        if role == JobRole:
            return e.job_id
        if role == EditIdRole:
            return e.edit_id
        if role == StatusRole:
            return e.status
        if role == EntryRole:
            return e
        if role == HeaderRole:
            return self.header_for(index.row())
        return None

    def header_for(self, row: int) -> str:
        if not 0 <= row < len(self._entries):
            return ""
        e = self._entries[row]
        if row == 0 or self._entries[row - 1].day() != e.day():
            return day_label(e.created)
        return ""

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
        """Drop every row and load the first page again (filters changed)."""
        self._generation += 1
        self.beginResetModel()
        # Live rows still running stay, unless a filter is active (they may not match).
        keep: list[HistoryEntry] = []
        if not self._filter.active:
            live = [*self._entries, *self._hidden.values()]
            keep = sorted((e for e in live if e.status in ACTIVE and e.job_id > 0),
                          key=lambda e: e.created, reverse=True)
            self._hidden.clear()
        else:
            for e in self._entries:
                if e.status in ACTIVE and e.job_id > 0:
                    self._hidden[e.job_id] = e
        self._entries = keep
        self._edit_ids = {e.edit_id for e in keep if e.edit_id is not None}
        self._fetching = False
        self._exhausted = self.library is None
        self.endResetModel()
        self.fetchMore(_ROOT)

    def is_loading(self) -> bool:
        return self._fetching

    def fully_loaded(self) -> bool:
        return self._exhausted and not self._fetching

    # -- entries -------------------------------------------------------------------------------
    def add(self, entry: HistoryEntry) -> None:
        """A live edit from this window: newest, so it goes on top (if no filter hides it)."""
        if self._filter.active:
            self._hidden[entry.job_id] = entry
            return
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._entries.insert(0, entry)
        if entry.edit_id is not None:
            self._edit_ids.add(entry.edit_id)
        self.endInsertRows()
        self._total += 1
        self.countChanged.emit(self._total)
        self._update_ticker()

    def entry(self, job_id: int) -> HistoryEntry | None:
        e = next((e for e in self._entries if e.job_id == job_id), None)
        return e if e is not None else self._hidden.get(job_id)

    def entry_at(self, row: int) -> HistoryEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def entry_for_edit(self, edit_id: int) -> HistoryEntry | None:
        return next((e for e in self._entries if e.edit_id == edit_id), None)

    def row_of(self, job_id: int) -> int:
        return next((i for i, e in enumerate(self._entries) if e.job_id == job_id), -1)

    def row_of_edit(self, edit_id: int) -> int:
        return next((i for i, e in enumerate(self._entries) if e.edit_id == edit_id), -1)

    def entries(self) -> list[HistoryEntry]:
        return list(self._entries)

    def update(self, job_id: int, **changes: Any) -> HistoryEntry | None:
        e = self.entry(job_id)
        if e is None:
            return None
        for k, v in changes.items():
            setattr(e, k, v)
        if e.edit_id is not None:
            self._edit_ids.add(e.edit_id)
        if changes.get("status") in (DONE, FAILED, CANCELLED) and e.finished is None:
            e.finished = time.time()
        if changes.get("status") == RUNNING and e.started is None:
            e.started = time.time()
        row = self.row_of(job_id)
        if row >= 0:
            idx = self.index(row)
            self.dataChanged.emit(idx, idx)
        self._update_ticker()
        if e.edit_id is not None and ("edit_id" in changes or changes.get("status") in (
                DONE, FAILED, CANCELLED)):
            self._refresh(e)
        return e

    def _refresh(self, e: HistoryEntry) -> None:
        """Fill in what only the library knows about a live edit: its parent, the stored
        copies of its inputs, its batch."""
        lib, edit_id = self.library, e.edit_id
        if lib is None or edit_id is None:
            return

        def done(rec: Any) -> None:
            if rec is None:
                return
            e.parent_id = rec.parent_id
            e.batch_id = rec.batch_id
            e.input_paths = list(rec.input_files)
            if rec.result_files and not e.result_paths:
                e.result_paths = list(rec.result_files)
            row = self.row_of(e.job_id)
            if row >= 0:
                idx = self.index(row)
                self.dataChanged.emit(idx, idx)
            self.entryRefreshed.emit(e)

        self._submit(lambda: lib.get(edit_id), done)

    def set_favourite(self, entries: Iterable[HistoryEntry], value: bool) -> None:
        for e in entries:
            e.favourite = value
            row = self.row_of(e.job_id)
            if row >= 0:
                idx = self.index(row)
                self.dataChanged.emit(idx, idx)

    def remove(self, entries: Iterable[HistoryEntry]) -> list[HistoryEntry]:
        """Take entries out of the list (after a soft delete); returns what was removed."""
        removed = []
        for e in list(entries):
            row = self.row_of(e.job_id)
            if row < 0:
                continue
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._entries[row]
            if e.edit_id is not None:
                self._edit_ids.discard(e.edit_id)
            self.endRemoveRows()
            removed.append(e)
        if removed:
            self._total = max(0, self._total - len(removed))
            self.countChanged.emit(self._total)
        return removed

    def restore(self, entries: Iterable[HistoryEntry]) -> None:
        """Put entries back where they belong in the newest-first order (undo delete)."""
        n = 0
        for e in sorted(entries, key=lambda x: (x.created, x.edit_id or 0), reverse=True):
            if e.edit_id is not None and e.edit_id in self._edit_ids:
                continue
            key = (e.created, e.edit_id or 0)
            row = next((i for i, x in enumerate(self._entries)
                        if (x.created, x.edit_id or 0) < key), len(self._entries))
            if row == len(self._entries) and not self._exhausted:
                continue  # belongs to a page not loaded yet: it comes with that page
            self.beginInsertRows(QModelIndex(), row, row)
            self._entries.insert(row, e)
            if e.edit_id is not None:
                self._edit_ids.add(e.edit_id)
            self.endInsertRows()
            n += 1
        if n:
            self._total += n
            self.countChanged.emit(self._total)

    def insert_records(self, records: Iterable[Any]) -> None:
        """Edits another process added (newer than what we show): in order, on top."""
        self.restore(HistoryEntry.from_record(r) for r in records)

    # -- thumbnails ----------------------------------------------------------------------------
    def thumbnail(self, path: Path | None) -> QImage | None:
        """The cached thumbnail, or None while it loads (the request is queued once).

        Only the delegate asks, and only while painting a visible row, so nothing is
        decoded for rows the user never sees."""
        if path is None:
            return None
        img = self._thumbs.get(path)
        if img is not None:
            self._thumbs.move_to_end(path)
            return img
        if path in self._thumb_pending or path in self._thumb_failed or self._closed:
            return None
        self._thumb_pending.add(path)
        lib = self.library

        def load() -> QImage:
            from qwen_studio.ui.image_loading import decode_image

            source = path
            if lib is not None:
                with contextlib.suppress(Exception):  # no thumbnail cache: decode the file
                    source = lib.thumbnail(path, 256)
            return decode_image(source, THUMB_SIDE)

        def done(img: QImage) -> None:
            self._thumb_pending.discard(path)
            self._thumbs[path] = img
            while len(self._thumbs) > THUMB_CACHE_MAX:
                self._thumbs.popitem(last=False)
            if not self._thumb_flush.isActive():
                self._thumb_flush.start()

        def failed(_exc: BaseException) -> None:
            self._thumb_pending.discard(path)
            self._thumb_failed.add(path)

        self._submit(load, done, failed)
        return None

    def cached_thumbnails(self) -> int:
        return len(self._thumbs)

    def _repaint_all(self) -> None:
        if self._entries:
            self.dataChanged.emit(self.index(0), self.index(len(self._entries) - 1),
                                  [Qt.ItemDataRole.DecorationRole])

    # -- live refresh --------------------------------------------------------------------------
    def _update_ticker(self) -> None:
        running = any(e.status in ACTIVE for e in self._entries)
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

    def _poll(self) -> None:
        """Pick up edits written by other processes, and the progress of their running edits."""
        if self._polling or self._fetching or self.library is None or self._closed:
            return
        if any(e.edit_id is None for e in self._entries):
            return  # a live edit is being recorded: it would look like a stranger's
        newest = max((e.created for e in self._entries), default=0.0)
        foreign = [e.edit_id for e in self._entries
                   if e.job_id < 0 and e.status in ACTIVE and e.edit_id is not None]
        flt, lib, gen = self._filter, self.library, self._generation
        self._polling = True

        def query() -> tuple[list[Any], list[Any]]:
            fresh = [r for r in lib.query(**flt.query_kwargs(), limit=50)
                     if r.created_at > newest]
            changed = [r for r in (lib.get(i) for i in foreign) if r is not None]
            return fresh, changed

        def done(result: tuple[list[Any], list[Any]]) -> None:
            self._polling = False
            if gen != self._generation:
                return
            fresh, changed = result
            for rec in changed:
                e = self.entry_for_edit(rec.id)
                if e is None:
                    continue
                if rec.deleted:
                    self.remove([e])
                    continue
                new = HistoryEntry.from_record(rec)
                self.update(e.job_id, status=new.status, note=new.note, started=new.started,
                            finished=new.finished, result_paths=new.result_paths)
            fresh = [r for r in fresh if r.id not in self._edit_ids]
            if fresh:
                self.insert_records(fresh)
                self._update_ticker()

        def failed(_exc: BaseException) -> None:
            self._polling = False

        self._submit(query, done, failed)
