"""A batch row's figures, kept up to date as its edits change instead of summed again on
every update: how many edits are in each status, how many wait for the user (over budget),
how many are starred, which edit comes first with a result or a reason that needs the user,
and the images billed at each price. A batch of 1,000 edits changes 1,000s of times while it
runs; summing every edit on each change made its row cost O(n) per change (issue 18).

One edit's change costs the same in a batch of 10 or 10,000: BatchGroup (entries.py) hands
each change here (`update`, `add`, `remove`), and what one edit counted for is kept
(`marks`) so it can be taken back out.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, NamedTuple

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui.theme.status import needs_you

if TYPE_CHECKING:
    from qwen_studio.core.spend import PriceLookup
    from qwen_studio.ui.history.entries import HistoryEntry

_DONE = EditStatus.DONE


class Mark(NamedTuple):
    """What one edit counts for in its batch's figures."""

    status: EditStatus
    over: bool  # skipped and waiting for the user (needs_you)
    starred: bool
    results: bool  # it has a result to show (the row's "after" picture)
    cost: tuple[str, float, int] | None  # (currency, price per image, images) billed


def mark_of(m: HistoryEntry, prices: PriceLookup | None) -> Mark:
    status = m.status
    cost = None
    if prices is not None and status is _DONE and m.result_paths:
        p = prices(m.request.model)
        if p is not None:  # unpriced images add no amount to the text
            cost = (p.currency, p.amount, len(m.result_paths))
    return Mark(status, needs_you(status, m.reason), m.favourite, bool(m.result_paths), cost)


class _Stale:
    """A 'first edit with …' that must be looked for again (its edit lost it or left)."""


STALE = _Stale()


class GroupTally:
    """The figures of one batch's members (`members` newest first, as the row lists them)."""

    __slots__ = ("_first_over", "_first_result", "_hi", "_lo", "cost", "counts", "marks",
                 "order", "over", "prices", "size", "starred", "with_results")

    def __init__(self, members: list[HistoryEntry], prices: PriceLookup | None) -> None:
        self.prices = prices
        self.size = 0
        self.counts: Counter[EditStatus] = Counter()
        self.over = 0
        self.starred = 0
        self.with_results = 0
        self.cost: dict[tuple[str, float], int] = {}  # (currency, price) -> images billed
        self.marks: dict[int, Mark] = {}  # id(member) -> what it counts for
        self.order: dict[int, int] = {}  # id(member) -> its place (smaller: nearer the top)
        self._first_result: HistoryEntry | _Stale | None = None
        self._first_over: HistoryEntry | _Stale | None = None
        for i, m in enumerate(members):
            self.order[id(m)] = i
            mark = self.marks[id(m)] = mark_of(m, prices)
            self._count(mark, 1)
            if mark.results and self._first_result is None:
                self._first_result = m
            if mark.over and self._first_over is None:
                self._first_over = m
        self.size = len(members)
        self._lo, self._hi = 0, len(members) - 1

    # -- changes -----------------------------------------------------------------------------
    def _count(self, mark: Mark, sign: int) -> None:
        self.counts[mark.status] += sign
        self.over += sign * mark.over
        self.starred += sign * mark.starred
        self.with_results += sign * mark.results
        if mark.cost is not None:
            currency, amount, images = mark.cost
            key = (currency, amount)
            left = self.cost.get(key, 0) + sign * images
            if left:
                self.cost[key] = left
            else:
                self.cost.pop(key, None)  # no "$0.00" for a price no edit is billed at

    def update(self, m: HistoryEntry) -> None:
        """A member changed (status, result, reason, star): its part of the figures again."""
        old = self.marks.get(id(m))
        if old is None:
            return  # not one of this batch's members (a live edit the filter hides)
        new = mark_of(m, self.prices)
        if new == old:
            return
        self.marks[id(m)] = new
        self._count(old, -1)
        self._count(new, 1)
        if new.results != old.results:
            self._first_result = self._moved(self._first_result, m, new.results)
        if new.over != old.over:
            self._first_over = self._moved(self._first_over, m, new.over)

    def _moved(self, first: HistoryEntry | _Stale | None, m: HistoryEntry,
               has: bool) -> HistoryEntry | _Stale | None:
        """The first member with a property after `m` gained (has) or lost it."""
        if has:
            if first is None or (not isinstance(first, _Stale)
                                 and self.order[id(m)] < self.order[id(first)]):
                return m
            return first
        return STALE if first is m else first

    def add(self, m: HistoryEntry, pos: int, members: list[HistoryEntry]) -> None:
        """`m` was inserted at `pos` of `members` (newest first: nearly always the top)."""
        if pos == 0:
            self._lo -= 1
            self.order[id(m)] = self._lo
        elif pos == len(members) - 1:
            self._hi += 1
            self.order[id(m)] = self._hi
        else:  # between two members (a late library read): number them again
            self.order = {id(x): i for i, x in enumerate(members)}
            self._lo, self._hi = 0, len(members) - 1
        mark = self.marks[id(m)] = mark_of(m, self.prices)
        self._count(mark, 1)
        self.size += 1
        if mark.results:
            self._first_result = self._moved(self._first_result, m, True)
        if mark.over:
            self._first_over = self._moved(self._first_over, m, True)

    def remove(self, m: HistoryEntry) -> None:
        mark = self.marks.pop(id(m), None)
        if mark is None:
            return
        del self.order[id(m)]
        self._count(mark, -1)
        self.size -= 1
        if self._first_result is m:
            self._first_result = STALE
        if self._first_over is m:
            self._first_over = STALE

    # -- answers ------------------------------------------------------------------------------
    def first_result(self, members: list[HistoryEntry]) -> HistoryEntry | None:
        if isinstance(self._first_result, _Stale):
            self._first_result = next((m for m in members if (k := self.marks.get(id(m)))
                                       is not None and k.results), None)
        return self._first_result

    def first_over(self, members: list[HistoryEntry]) -> HistoryEntry | None:
        if isinstance(self._first_over, _Stale):
            self._first_over = next((m for m in members if (k := self.marks.get(id(m)))
                                     is not None and k.over), None)
        return self._first_over

    def amounts(self) -> dict[str, float]:
        """Currency -> the estimated amount billed (images x price, per price)."""
        out: dict[str, float] = {}
        for (currency, amount), images in sorted(self.cost.items()):
            out[currency] = out.get(currency, 0.0) + images * amount
        return out
