"""The spend meter in the window's status bar, kept current from the library.

Estimates (images returned × the price per image of the catalog, or the user's override)
for today, this month and the running batch are summed in the pool after every finished
edit; the meter only shows them. The prices are read once per window (a change in Settings
applies at the next start).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QStatusBar

from qwen_studio.ui.spend_meter import SpendMeter

if TYPE_CHECKING:
    from qwen_studio.core.config import ConfigStore
    from qwen_studio.core.library import Library
    from qwen_studio.core.spend import PriceBook
    from qwen_studio.qt.tasks import TaskRunner


class SpendStatus(QObject):
    def __init__(self, library: Library, config: ConfigStore, tasks: TaskRunner,
                 status_bar: QStatusBar, batch_id: Callable[[], str | None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._library, self._config, self._tasks = library, config, tasks
        self._batch_id = batch_id
        self._prices: PriceBook | None = None
        self.meter = SpendMeter()
        status_bar.addPermanentWidget(self.meter)
        self.refresh()

    def refresh(self) -> None:
        self._tasks.spawn(self._refresh())

    async def _refresh(self) -> None:
        from qwen_studio.core import spend  # the catalog behind it loads in the pool

        if self._prices is None:
            self._prices = await self._tasks.run(spend.user_prices, config=self._config)
        prices, batch_id = self._prices, self._batch_id()
        summary = await self._tasks.run(spend.summary, self._library, prices.price,
                                        batch_id=batch_id)
        self.meter.set_summary(summary)
