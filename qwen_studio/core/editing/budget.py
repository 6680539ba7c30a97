"""A batch's budget: the queue never sends a request that could take spend past it.

Before sending, the queue reserves the most the request can cost (n images x the price
per image). After the answer, commit() books what was really billed (the images
returned) and frees the rest; a failed edit is released (Alibaba bills only successful
images). Because the check and the reservation are one step under a lock, any number of
concurrent tasks cannot overshoot together.

A request that does not fit beside the edits in flight waits for them (`await
reserve()`): one may fail or return fewer images and leave room. It is refused, and the
edit skipped with the Reason "over_budget", only when it cannot fit even if nothing in
flight is billed; "no_price" when its model has no price in the budget's currency, as
its cost cannot be bounded.

Resuming a batch with a larger budget: build the gate with `spent` = what the batch has
cost so far (`BudgetGate.for_batch`), and only what is left to do is sent.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from dataclasses import dataclass

from qwen_studio.core.errors import QwenStudioError, Reason
from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest
from qwen_studio.core.spend import (
    PriceLookup,
    UnitPrice,
    billed_edits,
    money_text,
    total,
)

# Float sums of prices such as 0.1 must not refuse the last edit that exactly fits.
_EPSILON = 1e-9


class OverBudget(QwenStudioError):
    """The request was not sent: its cost does not fit in what is left of the budget."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(str(reason))
        self.reason = reason
        self.could_fit_later = False  # only edits in flight stand in its way


@dataclass(frozen=True)
class Reservation:
    token: int
    edit_id: int
    amount: float
    price: UnitPrice
    images: int


class BudgetGate:
    """Thread- and task-safe spend limit for one batch, in one currency."""

    def __init__(self, budget: UnitPrice, prices: PriceLookup, *, spent: float = 0.0) -> None:
        if budget.amount < 0:
            raise ValueError("a budget cannot be negative")
        self.budget = budget
        self._prices = prices
        self._lock = threading.Lock()
        self._spent = float(spent)
        self._held: dict[int, Reservation] = {}
        self._tokens = itertools.count(1)
        self._changed = asyncio.Event()  # set (and replaced) when a reservation ends

    @classmethod
    def for_batch(cls, library: Library, batch_id: str, budget: UnitPrice,
                  prices: PriceLookup) -> BudgetGate:
        """A gate that counts what this batch has already cost (resume)."""
        spent = total(billed_edits(library, batch_id=batch_id), prices)
        return cls(budget, prices, spent=spent.amounts.get(budget.currency, 0.0))

    # -- state -----------------------------------------------------------------------------------
    @property
    def spent(self) -> float:
        return self._spent

    @property
    def reserved(self) -> float:
        with self._lock:
            return sum(r.amount for r in self._held.values())

    @property
    def remaining(self) -> float:
        """What may still be reserved (budget - spent - reserved)."""
        with self._lock:
            return self.budget.amount - self._spent - sum(r.amount for r in self._held.values())

    def _money(self, amount: float) -> str:
        return money_text(amount, self.budget.currency)

    # -- the hook --------------------------------------------------------------------------------
    async def reserve(self, edit_id: int, request: EditRequest) -> Reservation:
        """Hold the most `request` can cost, waiting while edits in flight might leave
        room; raise OverBudget when it cannot fit (skip it: "skipped (over budget)").
        Call right before sending."""
        while True:
            changed = self._changed
            reservation = self.try_reserve(edit_id, request)
            if reservation is not None:
                return reservation
            await changed.wait()

    def try_reserve(self, edit_id: int, request: EditRequest) -> Reservation | None:
        """As reserve(), without waiting: None when it fits only if something in flight
        is not billed in full."""
        try:
            return self.reserve_now(edit_id, request)
        except OverBudget as exc:
            if exc.reason.code == "over_budget" and exc.could_fit_later:
                return None
            raise

    def reserve_now(self, edit_id: int, request: EditRequest) -> Reservation:
        """Hold the most `request` can cost now, or raise OverBudget."""
        price = self._prices(request.model)
        if price is None or price.currency.upper() != self.budget.currency:
            model = request.model if price is None else \
                f"{request.model} (priced in {price.currency})"
            raise OverBudget(Reason("no_price", model=model,
                                    budget=self._money(self.budget.amount)))
        unit = UnitPrice(float(price.amount), self.budget.currency)
        amount = request.n * unit.amount
        with self._lock:
            committed = self._spent + sum(r.amount for r in self._held.values())
            if committed + amount > self.budget.amount + _EPSILON:
                exc = OverBudget(Reason("over_budget", cost=self._money(amount),
                                        total=self._money(committed + amount),
                                        budget=self._money(self.budget.amount)))
                exc.could_fit_later = self._spent + amount <= self.budget.amount + _EPSILON
                raise exc
            reservation = Reservation(next(self._tokens), edit_id, amount, unit, request.n)
            self._held[reservation.token] = reservation
        return reservation

    def commit(self, reservation: Reservation, images_returned: int) -> float:
        """Book what the edit really cost (images returned x price); frees the rest of the
        reservation. Returns the amount booked."""
        images = max(0, min(int(images_returned), reservation.images))
        amount = images * reservation.price.amount
        with self._lock:
            if self._held.pop(reservation.token, None) is not None:
                self._spent += amount
            else:
                amount = 0.0  # committed or released already: book nothing twice
        self._wake()
        return amount

    def release(self, reservation: Reservation) -> None:
        """The edit failed or was cancelled: nothing billed, the reservation is freed."""
        with self._lock:
            self._held.pop(reservation.token, None)
        self._wake()

    def _wake(self) -> None:
        # Call from the event loop's thread (the queue's); waiters re-check the budget.
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
