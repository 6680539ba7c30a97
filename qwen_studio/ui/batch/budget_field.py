"""The batch's budget in the queue's header: an optional amount in the currency of the chosen
model's price (empty: no budget), remembered in the settings, and "Run skipped" for what
the budget did not send.

Run hands the amount to the batch's BudgetGate (core/editing/budget.py, the CLI's gate): a
request is sent only when its images fit in what is left, so edits at once cannot overshoot.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from qwen_studio.core.spend import UnitPrice, parse_price
from qwen_studio.ui.batch_controller import BatchController

SETTINGS_KEY = "batch/budget"


class BudgetField(QWidget):
    runSkippedRequested = Signal()

    def __init__(self, controller: BatchController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchBudget")
        self.controller = controller
        self._settings: QSettings | None = None
        self.currency = "USD"
        self.edit = QLineEdit()
        self.edit.setObjectName("batchBudgetEdit")
        self.edit.setPlaceholderText(self.tr("no limit"))
        self.edit.setFixedWidth(80)
        self.edit.setClearButtonEnabled(False)
        self.edit.setAccessibleName(self.tr("Budget"))
        label = QLabel(self.tr("Budget"))
        label.setBuddy(self.edit)
        self.currency_label = QLabel(self.currency)
        self.currency_label.setObjectName("batchBudgetCurrency")
        self.run_skipped_button = QPushButton()
        self.run_skipped_button.setObjectName("batchRunSkippedButton")
        self.run_skipped_button.setAccessibleDescription(self.tr(
            "Send the photos the budget skipped, under the budget typed beside it (what the "
            "batch has cost so far counts)"))
        self.run_skipped_button.setToolTip(self.run_skipped_button.accessibleDescription())
        self.run_skipped_button.hide()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(label)
        lay.addWidget(self.edit)
        lay.addWidget(self.currency_label)
        lay.addWidget(self.run_skipped_button)
        self._describe()
        self.edit.editingFinished.connect(self._remember)
        self.run_skipped_button.clicked.connect(self.runSkippedRequested)
        controller.statsChanged.connect(lambda _s: self.update_skipped())
        controller.activeChanged.connect(lambda _a: self.update_skipped())
        controller.reset.connect(self.update_skipped)
        self.update_skipped()

    def _describe(self) -> None:
        tip = self.tr("The most this batch may cost, in {currency} (the chosen model's price "
                      "per image). No photo is sent whose images would go over it; those are "
                      "“skipped (over budget)”. Empty: no limit.").format(currency=self.currency)
        self.edit.setAccessibleDescription(tip)
        self.edit.setToolTip(tip)

    # -- the amount ----------------------------------------------------------------------------
    def remember(self, settings: QSettings) -> None:
        """Keep the amount in `settings` (and show the one kept there)."""
        self._settings = settings
        kept = settings.value(SETTINGS_KEY, "")
        if isinstance(kept, str) and kept and not self.edit.text():
            self.edit.setText(kept)

    def _remember(self) -> None:
        if self._settings is not None:
            self._settings.setValue(SETTINGS_KEY, self.edit.text().strip())

    def set_currency(self, currency: str) -> None:
        """The currency of the chosen model's price (the budget is kept in it)."""
        if currency and currency != self.currency:
            self.currency = currency
            self.currency_label.setText(currency)
            self._describe()

    def budget(self) -> UnitPrice | None:
        """The amount typed (None: no budget). ValueError when it is not an amount in the
        model's currency."""
        text = self.edit.text().strip()
        if not text:
            return None
        price = parse_price(text, default_currency=self.currency)
        if price.currency != self.currency:
            raise ValueError(f"the model is priced in {self.currency}")
        return price

    def set_budget(self, amount: float) -> None:
        self.edit.setText(f"{amount:g}")
        self._remember()

    # -- skipped (over budget) -----------------------------------------------------------------
    def update_skipped(self) -> None:
        n = self.controller.over_budget_count()
        b = self.run_skipped_button
        b.setVisible(n > 0)
        b.setEnabled(n > 0 and not self.controller.active)
        text = self.tr("Run skipped ({n})").format(n=n)
        if b.text() != text:
            b.setText(text)
            b.setAccessibleName(text)
