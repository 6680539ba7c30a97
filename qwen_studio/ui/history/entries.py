"""What a history row shows: an edit (`HistoryEntry`), or a batch (`BatchGroup`, one
expandable row over its edits). Both are plain data kept by HistoryModel; words for them are
made here, in the user's language."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt

from qwen_studio import i18n
from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.editing.status import ACTIVE_STATUSES, EditStatus
from qwen_studio.core.library import EditRecord
from qwen_studio.core.request import EditRequest
from qwen_studio.core.spend import money_text
from qwen_studio.ui.error_text import error_message, recorded_reason
from qwen_studio.ui.history.group_tally import GroupTally
from qwen_studio.ui.history.status_words import batch_status_texts, edit_status_texts

if TYPE_CHECKING:
    from qwen_studio.core.spend import PriceLookup

translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")

EntryRole = Qt.ItemDataRole.UserRole + 3  # the HistoryEntry or BatchGroup of a row
HeaderRole = Qt.ItemDataRole.UserRole + 4  # day label for the first row of a day, else ""
EditIdRole = Qt.ItemDataRole.UserRole + 5
StatusRole = Qt.ItemDataRole.UserRole + 2

_RUNNING, _DONE = EditStatus.RUNNING, EditStatus.DONE
# time.monotonic() (what EditProgress carries) -> the wall clock (what the library stores).
_WALL_OFFSET = time.time() - time.monotonic()


def wall(monotonic: float | None) -> float | None:
    return None if monotonic is None else monotonic + _WALL_OFFSET


@dataclass(eq=False)
class HistoryEntry:
    """One edit, as the library recorded it plus what its live progress says now."""

    edit_id: int
    request: EditRequest
    created: float = field(default_factory=time.time)
    status: EditStatus = EditStatus.QUEUED
    stage: str = ""
    note: str = ""  # retry notes, error message
    reason: str = ""  # its reason code (EditRecord.reason): a budget skip looks "needs you"
    started: float | None = None
    finished: float | None = None
    result_paths: list[Path] = field(default_factory=list)
    input_paths: list[Path] = field(default_factory=list)  # stored copies in the library
    error: Exception | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    favourite: bool = False
    parent_id: int | None = None
    batch_id: str | None = None
    label: str = ""
    spend: str = ""  # "≈ $0.15" for a done edit with a price (set by price(), not painted)
    _day: int | None = field(default=None, repr=False)  # cached: layout asks for every row
    _said: tuple[tuple[object, ...], tuple[str, ...]] | None = field(default=None, repr=False)

    def day(self) -> int:
        if self._day is None:
            self._day = datetime.fromtimestamp(self.created).date().toordinal()
        return self._day

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def price(self, prices: PriceLookup | None) -> bool:
        """Work out the row's spend text once (a change or new prices), never in paint.
        True when it changed (its batch's total changes with it)."""
        text = ""
        if prices is not None and self.status is EditStatus.DONE and self.result_paths:
            p = prices(self.request.model)
            if p is not None:  # the common case, made cheap: 10,000 rows at a price change
                text = approx_text(_money(len(self.result_paths) * p.amount, p.currency))
        before, self.spend = self.spend, text
        return before != text

    def elapsed(self) -> int:
        start = self.started if self.started is not None else self.created
        end = self.finished if self.finished is not None else time.time()
        return max(0, int(end - start))

    def status_text(self) -> str:
        return self.status_texts()[0]

    def status_texts(self) -> tuple[str, ...]:
        """What the status says, longest first; a row shows the first that fits its room
        ("done in 12 s · 3 images", "done in 12 s", "done"). Painted for every row of every
        frame, so kept with the state it was made from (and the language): compared with
        the state each time, it cannot outlive a change. A running edit's seconds move: made
        afresh."""
        status = self.status
        if status is _RUNNING or (status is _DONE and self.finished is None):
            return edit_status_texts(self, status)
        key = (status, self.reason, self.started, self.finished, self.created,
               len(self.result_paths), i18n.generation())
        said = self._said
        if said is not None and said[0] == key:
            return said[1]
        texts = edit_status_texts(self, status)
        self._said = (key, texts)
        return texts

    def before_path(self) -> Path | None:
        if self.input_paths:
            return self.input_paths[0]
        if self.request.inputs and not self.request.inputs[0].startswith(("http:", "https:")):
            return Path(self.request.inputs[0])
        return None

    def after_path(self) -> Path | None:
        return self.result_paths[0] if self.result_paths else None

    @classmethod
    def from_record(cls, rec: EditRecord) -> HistoryEntry:
        e = cls(edit_id=int(rec.id), request=rec.request)
        e.take_record(rec)
        return e

    def take_record(self, rec: EditRecord) -> None:
        """Everything the library knows about this edit (its stored state wins)."""
        self.request = rec.request
        self.created = rec.created_at
        self._day = None
        status = rec.status
        self.status = (status if type(status) is EditStatus
                       else EditStatus(str(getattr(status, "value", status))))
        self.stage = ""
        self.note = recorded_reason(rec)  # in the window's language, after a restart too
        self.reason = rec.reason
        self.started = rec.started_at
        self.finished = rec.finished_at
        self.result_paths = list(rec.result_files)
        self.input_paths = list(rec.input_files)
        self.usage = dict(rec.usage)
        self.favourite = bool(rec.favourite)
        self.parent_id = rec.parent_id
        self.batch_id = rec.batch_id

    @classmethod
    def from_progress(cls, p: EditProgress) -> HistoryEntry:
        e = cls(edit_id=p.edit_id, request=p.request, batch_id=p.batch_id, label=p.label)
        e.take_progress(p)
        return e

    def take_progress(self, p: EditProgress) -> None:
        """What the edit service says about this edit now (newer than the library)."""
        if p.status is EditStatus.QUEUED:  # a staged batch's prompt changed before Run
            self.request = p.request  # (later, the library's has the seed it drew)
        self.status = p.status
        self.stage = p.stage.value if p.status is EditStatus.RUNNING else ""
        if p.started_at is not None:
            self.started = wall(p.started_at)
        if p.finished_at is not None:
            self.finished = wall(p.finished_at)
        elif p.finished and self.finished is None:
            self.finished = time.time()
        if p.error is not None:
            self.error = p.error
            self.note = error_message(p.error)  # the banner's words, in the window's language
        elif p.retry is not None:
            self.note = translate("HistoryModel", "retrying in {s} s (attempt {a} of {n})").format(
                s=f"{p.retry.delay:.0f}", a=p.retry.attempt + 1, n=p.retry.max_attempts)
        elif not p.finished:
            self.note = ""
        if p.note is not None:
            self.reason = str(getattr(p.note, "code", "") or "")
        elif not p.finished:  # sent again (Run skipped): no longer over its budget
            self.reason = ""
        if p.result is not None:
            self.result_paths = list(p.result.paths)
            self.usage = dict(p.result.usage)
        if p.batch_id is not None:
            self.batch_id = p.batch_id


@dataclass(eq=False)
class BatchGroup:
    """A batch: one row in the history, its edits (newest first) as the row's children.

    Its figures (counts, needs-you, star, picture, spend) come from a GroupTally kept as
    edits change: change `members` through insert()/discard(), and tell it of a member's
    change with note() (HistoryRows._mark does), so no update reads every member."""

    batch_id: str
    members: list[HistoryEntry] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    complete: bool = False  # every member (matching the filter) is loaded
    spend: str = ""  # the batch's estimated total, "≈ $1.20" (set by price())
    _day: int | None = field(default=None, repr=False)
    _tally: GroupTally | None = field(default=None, repr=False)
    _prices: PriceLookup | None = field(default=None, repr=False)
    _said: tuple[tuple[int, ...], tuple[str, ...]] | None = field(default=None, repr=False)

    def day(self) -> int:
        if self._day is None:
            self._day = datetime.fromtimestamp(self.created).date().toordinal()
        return self._day

    def tally(self) -> GroupTally:
        """The figures: counted over every member when first asked (or members changed)."""
        t = self._tally
        if t is None or t.size != len(self.members):
            t = self._tally = GroupTally(self.members, self._prices)
        return t

    def insert(self, pos: int, e: HistoryEntry) -> None:
        self.members.insert(pos, e)
        if self._tally is not None and self._tally.size == len(self.members) - 1:
            self._tally.add(e, pos, self.members)

    def discard(self, e: HistoryEntry) -> None:
        self.members.remove(e)
        if self._tally is not None and self._tally.size == len(self.members) + 1:
            self._tally.remove(e)

    def note(self, e: HistoryEntry) -> None:
        """A member changed: its part of the batch's figures again (O(1))."""
        if self._tally is not None:
            self._tally.update(e)

    def newest(self) -> float:
        return max((m.created for m in self.members), default=self.created)

    def counts(self) -> Counter[EditStatus]:
        return +self.tally().counts  # a copy without the statuses counted down to 0

    @property
    def status(self) -> EditStatus:
        c = self.tally().counts
        for s in (EditStatus.RUNNING, EditStatus.QUEUED, EditStatus.FAILED,
                  EditStatus.INTERRUPTED):
            if c[s]:
                return s
        if c[EditStatus.SKIPPED] and self.reason:  # its budget stopped some: needs you
            return EditStatus.SKIPPED
        for s in (EditStatus.DONE, EditStatus.SKIPPED):
            if c[s]:
                return s
        return EditStatus.CANCELLED

    @property
    def reason(self) -> str:
        """A member's reason that needs the user (over budget), else "": the row's look."""
        first = self.tally().first_over(self.members)
        return first.reason if first is not None else ""

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def request(self) -> EditRequest:
        return self.members[0].request

    @property
    def favourite(self) -> bool:
        return bool(self.members) and self.tally().starred == len(self.members)

    def status_text(self) -> str:
        return self.status_texts()[0]

    def status_texts(self) -> tuple[str, ...]:
        """Its counts, longest first, as the row has room ("1/5 done · 1 failed · 1 running
        · 2 queued", …, "1/5 done"): "1/5 张完成 · 1 …" said nothing of the one. Kept with
        the counts it was made from (and the language), as an edit's words are."""
        t = self.tally()
        c = t.counts
        key = (len(self.members), t.over, c[_DONE], c[EditStatus.FAILED],
               c[EditStatus.INTERRUPTED], c[_RUNNING], c[EditStatus.QUEUED],
               c[EditStatus.SKIPPED], i18n.generation())
        said = self._said
        if said is not None and said[0] == key:
            return said[1]
        texts = batch_status_texts(self, t)
        self._said = (key, texts)
        return texts

    def first_with_result(self) -> HistoryEntry | None:
        """The newest member with a result (the row's picture; what the row stands for)."""
        return self.tally().first_result(self.members)

    def after_path(self) -> Path | None:
        first = self.first_with_result()
        return first.after_path() if first is not None else None

    def price(self, prices: PriceLookup | None) -> bool:
        """The batch's total from its tally (each member priced once, when the tally is
        counted: a new batch or new prices). True when the text changed."""
        if self._tally is None or prices is not self._prices:
            self._prices, self._tally = prices, None
            for m in self.members:
                m.price(prices)
        amounts = self.tally().amounts() if prices is not None else {}
        text = approx_text(" + ".join(_money(a, c) for c, a in sorted(amounts.items()))
                           ) if amounts else ""
        before, self.spend = self.spend, text
        return before != text

    def reprice(self) -> None:
        self._tally = None  # new prices (the same lookup may answer differently)

    def before_path(self) -> Path | None:
        return next((p for m in self.members if (p := m.before_path()) is not None), None)


Row = HistoryEntry | BatchGroup


def approx_text(amount: str) -> str:
    return translate("HistoryModel", "≈ {amount}").format(amount=amount)


@lru_cache(maxsize=512)
def _money(amount: float, currency: str) -> str:
    return money_text(amount, currency)  # rows repeat a few amounts: each formatted once


def order_key(row: Row) -> tuple[float, int]:
    if isinstance(row, BatchGroup):
        return (row.newest(), max((m.edit_id for m in row.members), default=0))
    return (row.created, row.edit_id)


@dataclass(frozen=True)
class HistoryFilter:
    """What the history list shows: search text, starred only, failed only, one batch."""

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

    def matches(self, e: HistoryEntry) -> bool:
        """For a live edit the library has not been asked about: the cheap part of the
        filter (text is the library's to match; a live edit is shown only without text)."""
        from qwen_studio.core.editing.status import FAILED_STATUSES

        if self.text.strip():
            return False
        if self.favourites_only and not e.favourite:
            return False
        if self.failed_only and e.status not in FAILED_STATUSES:
            return False
        return not (self.batch_id and e.batch_id != self.batch_id)
