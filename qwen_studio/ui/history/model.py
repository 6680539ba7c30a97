"""The history list over the Library: one row per edit, newest first, loaded page by page.

Every database query and every thumbnail decode runs in the thread pool; results come back
to the GUI thread through a queued Qt signal, and only then does the model change. Edits
started in this window are added live (`add`/`update`, keyed by the controller's job id);
edits loaded from the library get negative job ids (-edit_id), so one key serves both.
Edits this window records by other means (the batch queue) are `track_edits`-ed: loaded
once, then kept current by `push_edits`, never re-read by the poll.

Repaints are coalesced: a QListView (Qt 6) lays out every row again and repaints the whole
viewport for *any* dataChanged, so changed entries are collected and announced together at
most every REPAINT_MS, not one signal per change.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from qwen_studio.ui import theme

if TYPE_CHECKING:
    # Only types here: concurrent.futures loads with the pool (image_loading).
    from concurrent.futures import Executor, Future

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
_STATUS_GLYPHS = {QUEUED: "◷", RUNNING: "⟳", DONE: "✓", FAILED: "✗", CANCELLED: "⊘",
                  INTERRUPTED: "⚠"}
# Per theme; as text each keeps >= 4.5:1 on the history list's background.
STATUS_COLOURS: dict[str, dict[str, str]] = {
    "dark": {QUEUED: "#9a9a9a", RUNNING: "#6fa8dc", DONE: "#7cc48a", FAILED: "#e07a7a",
             CANCELLED: "#b0b0b0", INTERRUPTED: "#e0b45a"},
    "light": {QUEUED: "#5f5f5f", RUNNING: "#1f5fa8", DONE: "#2e7d32", FAILED: "#b3261e",
              CANCELLED: "#6b6b6b", INTERRUPTED: "#8a5a00"},
}


class _StatusLook(Mapping[str, tuple[str, str]]):
    """status -> (glyph, colour in the running theme). Looked up at paint time, so rows
    repainted after a live theme switch take the new theme's colour."""

    def __getitem__(self, status: str) -> tuple[str, str]:
        return _STATUS_GLYPHS[status], STATUS_COLOURS[theme.current_scheme()][status]

    def __iter__(self) -> Iterator[str]:
        return iter(_STATUS_GLYPHS)

    def __len__(self) -> int:
        return len(_STATUS_GLYPHS)


STATUS_LOOK: Mapping[str, tuple[str, str]] = _StatusLook()

PAGE_SIZE = 100
THUMB_CACHE_MAX = 400  # ~112 px images: a few tens of MB at most
THUMB_SIDE = 112
POLL_MS = 3000  # other processes (batch CLI, a second window) write to the same library
POLL_MAX_ROWS = 1000  # more new rows than this from elsewhere at once: reload instead
REPAINT_MS = 500  # changed rows are announced to the view at most this often
# Sooner for what the user is watching: a live edit's progress, and thumbnails (a
# screenful decodes within ~0.1 s: they share one layout and repaint, not one each).
LIVE_REPAINT_MS = 30
THUMB_REPAINT_MS = 100
TRACK_MS = 300  # a batch's edits, recorded in chunks, are loaded and inserted together
# Fields of an entry another part of this window keeps current (push_edits).
PUSHED_FIELDS = frozenset({"status", "note", "started", "finished", "result_paths", "stage"})

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
    # The model's layout epoch when the delegate last asked for this row (see _flush_repaint).
    _seen: int = field(default=-1, repr=False)

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


def _order_key(e: HistoryEntry) -> tuple[float, int]:
    return (e.created, e.edit_id or 0)


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
        self._thumb_ready: set[Path] = set()  # loaded since the last repaint
        # Entries whose look changed since the last repaint (identity: rows move).
        self._dirty: set[HistoryEntry] = set()
        # Bumped by every insert, removal and reset, after which any view lays out and
        # repaints all it shows: a row not painted since is off screen (see _flush_repaint).
        self._epoch = 0
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.timeout.connect(self._flush_repaint)
        # Running rows show elapsed seconds: repaint them once a second.
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._poller = QTimer(self)
        self._poller.setInterval(POLL_MS)
        self._poller.timeout.connect(self._poll)
        self._polling = False
        # The poll asks only for rows after this id (the library's newest when last asked),
        # and only when PRAGMA data_version says another connection wrote since.
        self._watermark = 0
        self._data_version: int | None = None
        # Edit id -> the latest pushed changes, for edits this window keeps current itself
        # (the batch queue): applied to every entry made from a record of them, so a row
        # loaded from the library (a page, a reload) never shows an older state.
        self._own: dict[int, dict[str, Any]] = {}
        self._track_pending: list[int] = []
        self._track_timer = QTimer(self)
        self._track_timer.setSingleShot(True)
        self._track_timer.setInterval(TRACK_MS)
        self._track_timer.timeout.connect(self._load_tracked)
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
        self._repaint.stop()
        self._track_timer.stop()

    # -- repaints ------------------------------------------------------------------------------
    def _mark(self, entries: Iterable[HistoryEntry], delay_ms: int = REPAINT_MS) -> None:
        """Announce these entries as changed within `delay_ms` (together with the rest)."""
        self._dirty.update(entries)
        if not self._dirty and not self._thumb_ready:
            return
        if not self._repaint.isActive() or self._repaint.remainingTime() > delay_ms:
            self._repaint.start(delay_ms)

    def _flush_repaint(self) -> None:
        """One burst of single-row dataChanged, for rows painted since the last insert,
        removal or reset (the rows on screen, and perhaps some scrolled away since): the view
        lays out and repaints once, and changes off screen (most of a batch) cost nothing.
        A row that scrolls in is painted from the entry as it is now."""
        self._repaint.stop()
        dirty, self._dirty = self._dirty, set()
        ready, self._thumb_ready = self._thumb_ready, set()
        if self._closed or not self._entries:
            return
        deco = [Qt.ItemDataRole.DecorationRole]
        for row, e in enumerate(self._entries):
            if e._seen != self._epoch:
                continue
            if e in dirty:
                idx = self.index(row)
                self.dataChanged.emit(idx, idx)
            elif ready and (e.after_path() in ready or e.before_path() in ready):
                idx = self.index(row)
                self.dataChanged.emit(idx, idx, deco)

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

        def query() -> tuple[list[Any], int | None, int, int | None]:
            # The poll's baselines first: a row recorded meanwhile is then newer than the
            # watermark and moved data_version, so the poll finds it (at worst twice: ids
            # already shown are skipped).
            version = _data_version(lib) if first else None
            top = _max_id(lib) if first else 0
            records = lib.query(**flt.query_kwargs(), offset=offset, limit=size)
            total = lib.count(**flt.query_kwargs()) if first else None
            return records, total, top, version

        def done(result: tuple[list[Any], int | None, int, int | None]) -> None:
            if gen != self._generation:
                return
            records, total, top, version = result
            self._fetching = False
            self._watermark = max(self._watermark, top)
            if first:
                self._data_version = version
            if len(records) < size:
                self._exhausted = True
            if total is not None:
                self._total = total
                self.countChanged.emit(total)
            new = [self._entry_from(r) for r in records if r.id not in self._edit_ids]
            if new:
                start = len(self._entries)
                self._epoch += 1
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
            e._seen = self._epoch
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
        self._dirty.clear()
        self._epoch += 1
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
        self._epoch += 1
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
        # A live edit of this window: shown soon, but stage bursts still share one repaint.
        self._mark([e], LIVE_REPAINT_MS)
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
            self._mark([e], LIVE_REPAINT_MS)
            self.entryRefreshed.emit(e)

        self._submit(lambda: lib.get(edit_id), done)

    def set_favourite(self, entries: Iterable[HistoryEntry], value: bool) -> None:
        changed = list(entries)
        for e in changed:
            e.favourite = value
        self._mark(changed, 0)  # the user clicked: show it at once

    def remove(self, entries: Iterable[HistoryEntry]) -> list[HistoryEntry]:
        """Take entries out of the list (after a soft delete); returns what was removed."""
        removed = []
        for e in list(entries):
            row = next((i for i, x in enumerate(self._entries) if x is e), -1)
            if row < 0:
                continue
            self._epoch += 1
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._entries[row]
            if e.edit_id is not None:
                self._edit_ids.discard(e.edit_id)
            self._dirty.discard(e)
            self.endRemoveRows()
            removed.append(e)
        if removed:
            self._total = max(0, self._total - len(removed))
            self.countChanged.emit(self._total)
        return removed

    def restore(self, entries: Iterable[HistoryEntry]) -> None:
        """Put entries back where they belong in the newest-first order (undo delete)."""
        n = self._insert_sorted(
            [e for e in entries if e.edit_id is None or e.edit_id not in self._edit_ids])
        if n:
            self._total += n
            self.countChanged.emit(self._total)

    def insert_records(self, records: Iterable[Any]) -> None:
        """Edits another process added (newer than what we show): in order, on top."""
        self.restore(self._entry_from(r) for r in records)

    def _insert_sorted(self, new: list[HistoryEntry]) -> int:
        """Merge entries into the newest-first list: one pass, and one insert signal per run
        of adjacent new rows (a batch of 200 lands as one block, laid out once)."""
        new = sorted(new, key=_order_key, reverse=True)
        groups: list[tuple[int, list[HistoryEntry]]] = []
        i = 0
        for e in new:
            key = _order_key(e)
            while i < len(self._entries) and _order_key(self._entries[i]) >= key:
                i += 1
            if i == len(self._entries) and not self._exhausted:
                break  # older than every loaded row: it comes with a later page (so do the rest)
            if groups and groups[-1][0] == i:
                groups[-1][1].append(e)
            else:
                groups.append((i, [e]))
        n = 0
        for pos, block in reversed(groups):  # bottom up: positions above stay valid
            self._epoch += 1
            self.beginInsertRows(QModelIndex(), pos, pos + len(block) - 1)
            self._entries[pos:pos] = block
            self._edit_ids.update(e.edit_id for e in block if e.edit_id is not None)
            self.endInsertRows()
            n += len(block)
        return n

    def _entry_from(self, rec: Any) -> HistoryEntry:
        e = HistoryEntry.from_record(rec)
        pushed = self._own.get(e.edit_id) if e.edit_id is not None else None
        if pushed:
            for k, v in pushed.items():
                setattr(e, k, v)
        return e

    # -- edits this window keeps current itself (the batch queue) ------------------------------
    def track_edits(self, edit_ids: Iterable[int]) -> None:
        """Edits this window recorded outside `add` (a batch): load them in one query, put
        them in order, and from now on leave them to `push_edits` (the poll skips them).

        Calls within TRACK_MS share one query and one insert: a folder is recorded 25
        photos at a time, and every insert lays the list out and repaints it again."""
        ids = [int(i) for i in edit_ids if int(i) not in self._own]
        for i in ids:
            self._own[i] = {}
        self._track_pending.extend(i for i in ids if i not in self._edit_ids)
        if self._track_pending and not self._track_timer.isActive():
            self._track_timer.start()

    def _load_tracked(self) -> None:
        missing, self._track_pending = self._track_pending, []
        missing = [i for i in missing if i in self._own and i not in self._edit_ids]
        if not missing or self.library is None or self._closed:
            return
        lib, flt, gen = self.library, self._filter, self._generation

        def query() -> list[Any]:
            return lib.query(**flt.query_kwargs(), ids=missing, limit=len(missing))

        def done(records: list[Any]) -> None:
            if gen != self._generation:
                return  # reloaded meanwhile: the reload read them (with the pushed state)
            # Forgotten meanwhile (removed from the batch) are left out.
            self.restore(self._entry_from(r) for r in records if r.id in self._own)
            self._update_ticker()

        self._submit(query, done)

    def push_edits(self, changes: dict[int, dict[str, Any]]) -> None:
        """The latest state of tracked edits (status, note, started, finished, result_paths),
        by edit id; rows show it with the next coalesced repaint."""
        if not changes:
            return
        touched: list[HistoryEntry] = []
        finished: list[HistoryEntry] = []
        by_id = {e.edit_id: e for e in self._entries if e.edit_id in changes}
        for e in self._hidden.values():
            if e.edit_id in changes:
                by_id.setdefault(e.edit_id, e)
        for edit_id, fields in changes.items():
            fields = {k: v for k, v in fields.items() if k in PUSHED_FIELDS}
            self._own.setdefault(edit_id, {}).update(fields)
            e = by_id.get(edit_id)
            if e is None:
                continue
            was = e.status
            for k, v in fields.items():
                setattr(e, k, v)
            touched.append(e)
            if e.status != was and e.status not in ACTIVE:
                finished.append(e)
        self._mark(touched)
        self._update_ticker()
        for e in finished:
            self.entryRefreshed.emit(e)  # the panel's actions follow a result arriving

    def forget_edits(self, edit_ids: Iterable[int]) -> None:
        """Tracked edits that are gone (removed from the batch): out of the list too."""
        ids = {int(i) for i in edit_ids}
        for i in ids:
            self._own.pop(i, None)
        self.remove([e for e in self._entries if e.edit_id in ids])

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
            # Only the rows showing this image repaint (not every row, as before).
            self._thumb_ready.add(path)
            self._mark((), THUMB_REPAINT_MS)

        def failed(_exc: BaseException) -> None:
            self._thumb_pending.discard(path)
            self._thumb_failed.add(path)

        self._submit(load, done, failed)
        return None

    def cached_thumbnails(self) -> int:
        return len(self._thumbs)

    # -- live refresh --------------------------------------------------------------------------
    def _update_ticker(self) -> None:
        running = any(e.status in ACTIVE for e in self._entries)
        if running and not self._ticker.isActive():
            self._ticker.start()
        elif not running:
            self._ticker.stop()

    def _tick(self) -> None:
        self._dirty.update(e for e in self._entries if e.status == RUNNING)
        self._flush_repaint()  # the seconds move now, with whatever else changed
        self._update_ticker()

    def _poll(self) -> None:
        """Pick up edits written by other processes, and the progress of their running edits.

        Cheap when nothing happened elsewhere: one PRAGMA in the pool. Otherwise one query for
        rows after the watermark and one for the foreign running rows shown; this window's
        own edits (live ones, tracked ones) are never re-read."""
        if self._polling or self._fetching or self.library is None or self._closed:
            return
        if any(e.edit_id is None for e in [*self._entries, *self._hidden.values()]):
            return  # a live edit is being recorded: it would look like a stranger's
        foreign = [e.edit_id for e in self._entries
                   if e.job_id < 0 and e.status in ACTIVE and e.edit_id is not None
                   and e.edit_id not in self._own]
        flt, lib, gen = self._filter, self.library, self._generation
        after, seen = self._watermark, self._data_version
        self._polling = True

        def query() -> tuple[int | None, int, list[Any] | None, list[Any] | None]:
            version = _data_version(lib)
            if version is not None and version == seen:
                return version, after, [], None  # no other connection wrote: nothing to read
            top = _max_id(lib)
            fresh: list[Any] | None = []
            while fresh is not None:
                page = lib.query(**flt.query_kwargs(), after_id=after, offset=len(fresh),
                                 limit=PAGE_SIZE)
                fresh += page
                if len(page) < PAGE_SIZE:
                    break
                if len(fresh) >= POLL_MAX_ROWS:
                    fresh = None  # a flood (an import, a big batch elsewhere): reload
            changed = lib.query(ids=foreign, limit=len(foreign)) if foreign else []
            return version, max(after, top), fresh, changed

        def done(result: tuple[int | None, int, list[Any] | None, list[Any] | None]) -> None:
            self._polling = False
            if gen != self._generation:
                return
            version, top, fresh, changed = result
            self._data_version = version
            self._watermark = max(self._watermark, top)
            if fresh is None:
                self.reload()
                return
            if foreign and changed is not None:
                got = {r.id: r for r in changed}
                gone = []
                for edit_id in foreign:
                    e = self.entry_for_edit(edit_id)
                    if e is None:
                        continue
                    rec = got.get(edit_id)
                    if rec is None:  # deleted (or purged) elsewhere
                        gone.append(e)
                        continue
                    self._apply_record(e, rec)
                if gone:
                    self.remove(gone)
            known = self._edit_ids | self._own.keys() | {
                e.edit_id for e in self._hidden.values() if e.edit_id is not None}
            # Pages are read by offset while another process may still be writing: a row
            # pushed down a place comes back on the next page. Each id once.
            new = list({r.id: r for r in fresh if r.id not in known}.values())
            if new:
                self.insert_records(new)
            self._update_ticker()

        def failed(_exc: BaseException) -> None:
            self._polling = False

        self._submit(query, done, failed)

    def _apply_record(self, e: HistoryEntry, rec: Any) -> None:
        """A foreign edit's new state, straight from its record (no second query)."""
        new = HistoryEntry.from_record(rec)
        before = (e.status, e.note, e.started, e.finished, e.result_paths)
        after = (new.status, new.note, new.started, new.finished, new.result_paths)
        if before == after:
            return
        e.status, e.note, e.started, e.finished, e.result_paths = after
        e.parent_id, e.batch_id, e.input_paths = new.parent_id, new.batch_id, new.input_paths
        e.usage = new.usage
        self._mark([e])
        if e.status not in ACTIVE:
            self.entryRefreshed.emit(e)


def _data_version(lib: Any) -> int | None:
    fn = getattr(lib, "data_version", None)
    return int(fn()) if fn is not None else None


def _max_id(lib: Any) -> int:
    fn = getattr(lib, "max_id", None)
    return int(fn()) if fn is not None else 0
