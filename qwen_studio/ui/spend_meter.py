"""The spend meter for the status bar: today, this month and the running batch, estimated.

A plain view of a `core.spend.SpendSummary` (computed in the pool by whoever owns the
library and the price book, after each finished edit); it does no I/O. Words, not
colour alone: an over-budget batch says so in text and icon.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from qwen_studio.core.spend import Spend, SpendSummary, UnitPrice, money_text
from qwen_studio.ui import theme
from qwen_studio.ui.icons import icon


class SpendMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("spendMeter")
        self._icon = QLabel()
        self._icon.setObjectName("spendMeterIcon")
        # The status bar pads its labels by 8 px a side: none here, or the 14 px icon is cut.
        self._icon.setStyleSheet("padding: 0px;")
        self._icon.setFixedSize(14, 14)
        self._icon.hide()
        self.label = QLabel()
        self.label.setObjectName("spendMeterLabel")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self._icon)
        lay.addWidget(self.label)
        self.setAccessibleName(self.tr("Estimated spend"))
        # Nothing spent is said in the chosen model's currency (set_zero_currency): "$0.00"
        # that turns into "¥0.20" after the first edit reads as a different meter.
        self._zero_currency = "USD"
        self._shown: tuple[SpendSummary, UnitPrice | None] = (SpendSummary(Spend(), Spend()),
                                                               None)
        self.set_summary(*self._shown)

    def set_zero_currency(self, currency: str) -> None:
        if currency != self._zero_currency:
            self._zero_currency = currency
            self.set_summary(*self._shown)

    def amount_text(self, spend: Spend) -> str:
        parts = [money_text(a, c) for c, a in sorted(spend.amounts.items())]
        if spend.unpriced_images:
            n = spend.unpriced_images
            parts.append(self.tr("1 unpriced image") if n == 1
                         else self.tr("{n} unpriced images").format(n=n))
        return " + ".join(parts) if parts else money_text(0, self._zero_currency)

    def images_text(self, n: int) -> str:
        return self.tr("1 image") if n == 1 else self.tr("{n} images").format(n=n)

    def set_summary(self, summary: SpendSummary, budget: UnitPrice | None = None) -> None:
        """Show `summary`; with the running batch's `budget`, also how much is left."""
        self._shown = (summary, budget)
        text = self.tr("Today {today} · This month {month}").format(
            today=self.amount_text(summary.today), month=self.amount_text(summary.month))
        over = False
        if summary.batch is not None:
            text += self.tr(" · Batch {batch}").format(batch=self.amount_text(summary.batch))
            if budget is not None:
                spent = summary.batch.amounts.get(budget.currency, 0.0)
                over = spent >= budget.amount - 1e-9
                text += self.tr(" of {budget}").format(budget=budget.text())
                if over:
                    text += self.tr(" — budget reached")
        self.label.setText(text)
        if over and self._icon.pixmap().isNull():
            self._icon.setPixmap(icon("warning", "warning_fg").pixmap(14, 14))
        self._icon.setVisible(over)
        theme.set_state(self.label, "countOver", over)
        tip = [
            self.tr("Today: {images}, {amount}").format(
                images=self.images_text(summary.today.images),
                amount=self.amount_text(summary.today)),
            self.tr("This month: {images}, {amount}").format(
                images=self.images_text(summary.month.images),
                amount=self.amount_text(summary.month)),
        ]
        if summary.batch is not None:
            tip.append(self.tr("This batch: {images}, {amount}").format(
                images=self.images_text(summary.batch.images),
                amount=self.amount_text(summary.batch)))
        tip.append(self.tr("Estimates: images returned × price per image (Settings can "
                           "override a model's price). Failed edits cost nothing; the "
                           "service's bill is the authority."))
        self.setToolTip("\n".join(tip))
        self.setAccessibleDescription(text)
