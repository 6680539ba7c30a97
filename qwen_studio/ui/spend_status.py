"""The spend meter in the window's status bar, kept current from the library.

Estimates (images returned × the price per image of the catalog, or the user's override)
for today, this month and the running batch are summed in the pool after finished edits
(coalesced); the meter only shows them. The prices come from the window's PriceTable (qt/
price_table.py): an override saved in Settings reloads it, and the figures follow at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, SignalInstance
from PySide6.QtWidgets import QStatusBar

from qwen_studio.qt.pool_calls import PoolCalls
from qwen_studio.qt.price_table import PriceTable
from qwen_studio.ui.spend_meter import SpendMeter

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from qwen_studio.core.config import ConfigStore
    from qwen_studio.core.editing.progress import EditProgress
    from qwen_studio.core.library import Library
    from qwen_studio.core.spend import SpendSummary, UnitPrice

REFRESH_MS = 150


class SpendStatus(QObject):
    def __init__(self, library: Library, config: ConfigStore, pool: Executor,
                 status_bar: QStatusBar, batch_id: Callable[[], str | None],
                 progress: SignalInstance, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._library, self._config = library, config
        self._calls = PoolCalls(pool, self)  # no asyncio: results come back as a signal
        self._batch_id = batch_id
        # The window's one price table (Settings ▸ Prices reloads it; everyone follows).
        self.prices = PriceTable(config, pool, self)
        self.prices.changed.connect(self.refresh)
        self._model = ""
        self.prices.changed.connect(lambda: self.set_model(self._model))
        self.budget: UnitPrice | None = None  # the running batch's budget (BatchBudget sets it)
        self.meter = SpendMeter()
        status_bar.addPermanentWidget(self.meter)
        # The first figures come once the loop runs (MainWindow.build_deferred), then after
        # finished edits: at most one read per REFRESH_MS (a batch finishes edits in bursts,
        # and each read sums the library in the pool).
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(REFRESH_MS)
        self._soon.timeout.connect(self.refresh)
        progress.connect(self._on_progress)  # EditProgress

    def set_model(self, model: str) -> None:
        """The model the editor will use: nothing spent yet is said in its currency."""
        self._model = model
        price = self.prices.price(model)
        if price is not None:
            self.meter.set_zero_currency(price.currency)

    def _on_progress(self, p: EditProgress) -> None:
        if p.finished and not self._soon.isActive():
            self._soon.start()

    def refresh(self) -> None:
        book = self.prices.book
        if book is None:  # the first figures: the prices load first (then `changed`)
            self.prices.reload()
            return
        library, batch_id = self._library, self._batch_id()

        def read() -> SpendSummary:
            from qwen_studio.core import spend

            return spend.summary(library, book.price, batch_id=batch_id)

        self._calls.submit(read, lambda summary: self.meter.set_summary(summary, self.budget))
