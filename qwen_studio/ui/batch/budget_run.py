"""The window's batch budget at work: Run builds the batch's BudgetGate from the amount in
the queue's header (the CLI's gate: reserve before sending); Run skipped sends what it
skipped under a larger one, and Resume an interrupted batch under the one typed, each
counting what the batch has cost so far.

Prices come from the window's price table (qt/price_table.py), so the budget's currency is
the chosen model's, and a price changed in Settings is the one the next Run uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QCoreApplication

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.spend import UnitPrice, money_text
from qwen_studio.ui.batch.budget_field import BudgetField
from qwen_studio.ui.batch_controller import BatchController
from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel

if TYPE_CHECKING:
    from qwen_studio.core.editing.budget import BudgetGate
    from qwen_studio.ui.main_window import MainWindow

translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")


class BatchBudget:
    def __init__(self, window: MainWindow, field: BudgetField,
                 controller: BatchController) -> None:
        self.window, self.field, self.controller = window, field, controller
        self.prices = window.spend.prices
        field.remember(window.qsettings)
        field.runSkippedRequested.connect(self.run_skipped)
        self.prices.changed.connect(self._follow_model)
        window.params.modelChanged.connect(lambda _m: self._follow_model())
        self._follow_model()

    def _follow_model(self) -> None:
        price = self.prices.price(self.window.params.model())
        if price is not None:
            self.field.set_currency(price.currency)

    # -- Run -----------------------------------------------------------------------------------
    def budget(self, model: str) -> UnitPrice | Literal[False] | None:
        """The budget typed (None: none), or False after saying why it cannot be used."""
        try:
            budget = self.field.budget()
        except ValueError:
            self._problem(translate(
                "BatchUi", "The budget “{text}” is not an amount in {currency}.").format(
                    text=self.field.edit.text().strip(), currency=self.field.currency),
                translate("BatchUi", "Type an amount such as 5 or 12.50, or leave it empty "
                                     "for no limit."))
            return False
        if budget is None:
            return None
        price = self.prices.price(model)
        if price is None or price.currency != budget.currency:
            self._problem(translate(
                "BatchUi", "No price per image is known for {model} in {currency}, so a "
                           "budget cannot be kept.").format(model=model,
                                                            currency=budget.currency),
                translate("BatchUi", "Set its price in Settings ▸ Prices per image, or leave "
                                     "the budget empty."))
            return False
        return budget

    def gate(self, model: str) -> BudgetGate | Literal[False] | None:
        """Run's gate: the budget typed, less what the batch's finished edits cost."""
        from qwen_studio.core.editing.budget import BudgetGate

        budget = self.budget(model)
        if budget is not False:
            self.window.spend.budget = budget  # the meter says "Batch $0.40 of $0.50"
        if budget is None or budget is False:
            return budget
        lookup = self.prices.price
        spent = 0.0
        for p in self.controller.jobs():
            price = lookup(p.request.model)
            if (p.status is EditStatus.DONE and p.result is not None and price is not None
                    and price.currency == budget.currency):
                spent += len(p.result.paths) * price.amount
        return BudgetGate(budget, lookup, spent=spent)

    def _problem(self, text: str, hint: str) -> None:
        self.window.notices.show(Notice(NoticeKind.BATCH, NoticeLevel.WARNING, text, hint))
        self.field.edit.setFocus()

    async def resume(self, batch_id: str) -> None:
        """Resume an interrupted batch: under the budget typed beside the queue (what the
        batch cost before counts), or with no limit when the field is empty."""
        from qwen_studio.core.editing.budget import BudgetGate

        budget = self.budget(self.window.params.model())
        if budget is False:
            return
        gate = None
        if budget is not None:
            gate = await self.window.tasks.run(BudgetGate.for_batch, self.window.library,
                                               batch_id, budget, self.prices.price)
        self.window.spend.budget = budget
        await self.controller.resume_batch(batch_id, gate)

    # -- Run skipped ---------------------------------------------------------------------------
    def run_skipped(self) -> None:
        """Send what the budget skipped, under the budget typed now."""
        c = self.controller
        skipped = [p for p in c.jobs() if p.status is EditStatus.SKIPPED]
        if c.batch_id is None or c.active or not skipped:
            return
        budget = self.budget(skipped[0].request.model)
        if budget is False:
            return
        if budget is None:
            self._problem(
                translate("BatchUi", "Type a larger budget to send the skipped photos."),
                translate("BatchUi", "What the batch has cost so far counts toward it."))
            return
        price = self.prices.price(skipped[0].request.model)
        least = (price.amount if price is not None else 0.0) * skipped[0].request.n
        self.window.tasks.spawn(self._run_skipped(c.batch_id, budget, least))

    async def _run_skipped(self, batch_id: str, budget: UnitPrice, least: float) -> None:
        from qwen_studio.core.editing.budget import BudgetGate

        gate = await self.window.tasks.run(BudgetGate.for_batch, self.window.library, batch_id,
                                           budget, self.prices.price)
        if gate.remaining + 1e-9 < least:
            self._problem(translate(
                "BatchUi", "The batch has cost {spent} of {budget} already: no photo more fits.")
                .format(spent=money_text(gate.spent, budget.currency), budget=budget.text()),
                translate("BatchUi", "Type a larger budget, then Run skipped."))
            return
        self.window.notices.clear(NoticeKind.BATCH)
        self.window.spend.budget = budget
        await self.controller.run_skipped(gate)
