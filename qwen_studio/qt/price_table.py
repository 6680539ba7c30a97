"""The window's prices per image: one table, read once, told again when Settings change it.

The catalog's price of each model with the user's overrides (core/spend.py `user_prices`),
loaded in the pool. Everything that shows or limits spend (the status bar's meter, the
history rows, the batch's budget) reads `price()` and follows `changed`, so an override
saved in Settings shows everywhere at once.

An override is stored under the name the user chose in Settings (a model family's id); it
applies to every name of that family the catalog knows (aliases, dated snapshots).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from qwen_studio.qt.pool_calls import PoolCalls

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from qwen_studio.core.config import ConfigStore
    from qwen_studio.core.spend import PriceBook, UnitPrice


def load_prices(config: ConfigStore) -> PriceBook:
    """Worker thread: the catalog's prices with the user's overrides (each for its model's
    whole family: core/spend.py family_overrides, as the command line prices them)."""
    from qwen_studio.core.spend import user_prices

    return user_prices(config=config)


class PriceTable(QObject):
    changed = Signal()  # the prices were (re)loaded: estimates and budgets follow

    def __init__(self, config: ConfigStore, pool: Executor, parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self._config = config
        self._calls = PoolCalls(pool, self)
        self._book: PriceBook | None = None
        self._known: dict[str, UnitPrice | None] = {}  # model -> price (rows ask per row)
        self._loading = False
        self._again = False

    @property
    def loaded(self) -> bool:
        return self._book is not None

    @property
    def book(self) -> PriceBook | None:
        """The prices (None until the first load)."""
        return self._book

    def price(self, model: str) -> UnitPrice | None:
        """The price per image of `model` (None: unknown, or not loaded yet)."""
        if self._book is None:
            return None
        try:
            return self._known[model]
        except KeyError:
            found = self._known[model] = self._book.price(model)
            return found

    def reload(self) -> None:
        """Read the prices again (in the pool), then tell everyone (`changed`)."""
        if self._loading:
            self._again = True  # a save while loading: read once more after this one
            return
        self._loading = True
        config = self._config
        self._calls.submit(lambda: load_prices(config), self._loaded, self._failed)

    def _loaded(self, book: PriceBook) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.reload()
            return
        self._book = book
        self._known = {}
        self.changed.emit()

    def _failed(self, _exc: BaseException) -> None:
        self._loading = False

    def close(self) -> None:
        self._calls.close()
