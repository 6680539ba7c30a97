"""The spend meter in the window's status bar, kept current from the library.

Estimates (images returned × the price per image of the catalog, or the user's override)
for today, this month and the running batch are summed in the pool after every finished
edit; the meter only shows them. The prices are read once per window (a change in Settings
applies at the next start).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QStatusBar

from qwen_studio.qt.pool_calls import PoolCalls
from qwen_studio.ui.spend_meter import SpendMeter

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from qwen_studio.core.config import ConfigStore
    from qwen_studio.core.library import Library
    from qwen_studio.core.spend import PriceBook, SpendSummary


class SpendStatus(QObject):
    def __init__(self, library: Library, config: ConfigStore, pool: Executor,
                 status_bar: QStatusBar, batch_id: Callable[[], str | None],
                 progress: SignalInstance, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._library, self._config = library, config
        self._calls = PoolCalls(pool, self)  # no asyncio: results come back as a signal
        self._batch_id = batch_id
        self._prices: PriceBook | None = None
        self.meter = SpendMeter()
        status_bar.addPermanentWidget(self.meter)
        progress.connect(lambda p: p.finished and self.refresh())  # EditProgress
        # The first figures come once the loop runs (MainWindow.build_deferred), then after
        # every finished edit.

    def refresh(self) -> None:
        library, config, batch_id = self._library, self._config, self._batch_id()

        def read() -> tuple[PriceBook, SpendSummary]:
            from qwen_studio.core import spend  # the catalog behind it loads in the pool

            prices = self._prices or spend.user_prices(config=config)
            return prices, spend.summary(library, prices.price, batch_id=batch_id)

        self._calls.submit(read, self._show)

    def _show(self, result: tuple[PriceBook, SpendSummary]) -> None:
        self._prices, summary = result
        self.meter.set_summary(summary)
