"""Settings ▸ Prices per image: the catalog's price of each model and the user's own.

Estimates (status bar, history) and batch budgets use the user's price where one is set,
else the catalog's. A price is saved (ConfigStore) when its field is left; `pricesSaved`
then tells the window, whose price table reloads and every estimate follows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qwen_studio.core.config import ConfigStore
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.spend import UnitPrice, money_text, parse_price
from qwen_studio.qt.tasks import TaskRunner
from qwen_studio.ui.icon_label import IconLabel

C_MODEL, C_CATALOG, C_YOURS = range(3)
VISIBLE_ROWS = 5  # the table scrolls: the dialog stays a dialog


class PriceSettings(QGroupBox):
    pricesSaved = Signal()  # a price was stored: the window reloads its price table

    def __init__(self, store: ConfigStore, tasks: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Prices per image"), parent)
        self.setObjectName("priceSettings")
        self.store, self.tasks = store, tasks
        self._catalog: dict[str, UnitPrice | None] = {}
        self._saved: dict[str, str] = {}  # model -> the text last stored (no double saves)
        note = QLabel(self.tr("Estimates and batch budgets use your price where you set one, "
                              "else the catalog's. Leave a field empty to use the catalog's; "
                              "type 0.2 CNY for another currency."))
        note.setObjectName("priceNote")
        note.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("priceTable")
        self.table.setAccessibleName(self.tr("Prices per image"))
        self.table.setAccessibleDescription(self.tr(
            "One row per model: the catalog's price per image and yours"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Model"), self.tr("Catalog"), self.tr("Your price")])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(C_MODEL, QHeaderView.ResizeMode.Stretch)
        for col in (C_CATALOG, C_YOURS):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.status = IconLabel()  # the outcome's icon before the words, not a glyph
        self.status.setObjectName("priceStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addWidget(self.table)
        lay.addWidget(self.status)
        self._fill()

    # -- rows ----------------------------------------------------------------------------------
    def _fill(self) -> None:
        from qwen_studio.core.catalog import default_catalog

        try:
            families = default_catalog().families
        except (OSError, ValueError, QwenStudioError):
            families = ()
        try:
            overrides = self.store.price_overrides()
        except (OSError, ValueError, QwenStudioError):
            overrides = {}
        self.table.setRowCount(len(families))
        for row, family in enumerate(families):
            p = family.price
            catalog = UnitPrice(p.amount, p.currency) if p is not None else None
            self._catalog[family.id] = catalog
            name = QTableWidgetItem(family.id)
            name.setToolTip(family.display_name())
            self.table.setItem(row, C_MODEL, name)
            shown = QTableWidgetItem(catalog.text() if catalog else self.tr("unknown"))
            if p is not None and p.source:
                shown.setToolTip(self.tr("Source: {source}").format(source=p.source))
            self.table.setItem(row, C_CATALOG, shown)
            edit = QLineEdit()
            edit.setObjectName(f"price:{family.id}")
            edit.setAccessibleName(self.tr("Your price for {model}").format(model=family.id))
            edit.setAccessibleDescription(self.tr(
                "Price per image, e.g. 0.05 or 0.2 CNY; empty uses the catalog's price"))
            edit.setPlaceholderText(self.tr("as catalog") if catalog else self.tr("none"))
            edit.setMinimumWidth(110)
            own = overrides.get(family.id)
            text = money_text(own[0], own[1]) if own else ""
            edit.setText(text)
            self._saved[family.id] = text
            edit.editingFinished.connect(lambda m=family.id, e=edit: self._edited(m, e))
            self.table.setCellWidget(row, C_YOURS, edit)
        self.table.resizeColumnsToContents()
        rows_h = self.table.verticalHeader().defaultSectionSize() * min(VISIBLE_ROWS,
                                                                         len(families))
        self.table.setFixedHeight(rows_h + self.table.horizontalHeader().sizeHint().height()
                                  + 2 * self.table.frameWidth())

    def field(self, model: str) -> QLineEdit | None:
        """The override field of `model`'s row (tests and the screenshot script)."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, C_MODEL)
            if item is not None and item.text() == model:
                w = self.table.cellWidget(row, C_YOURS)
                return w if isinstance(w, QLineEdit) else None
        return None

    # -- saving --------------------------------------------------------------------------------
    def _edited(self, model: str, edit: QLineEdit) -> None:
        text = edit.text().strip()
        if text == self._saved.get(model, ""):
            return
        catalog = self._catalog.get(model)
        price: UnitPrice | None = None
        if text:
            try:
                price = parse_price(text, catalog.currency if catalog else "USD")
            except ValueError:
                self.status.set_note(self.tr("Not saved: “{text}” is not a price such as "
                                             "0.05, 0.2 CNY or $0.035.").format(text=text),
                                     "warning", "warning_fg")
                return
        self._saved[model] = text
        self.tasks.spawn(self._save(model, price))

    async def _save(self, model: str, price: UnitPrice | None) -> None:
        def write() -> None:
            if price is None:
                self.store.set_price_override(model, None)
            else:
                self.store.set_price_override(model, price.amount, price.currency)

        try:
            await self.tasks.run(write)
        except (QwenStudioError, OSError) as exc:
            self._saved.pop(model, None)
            self.status.set_note(self.tr("Not saved: {problem}").format(problem=exc),
                                 "warning", "warning_fg")
            return
        if price is None:
            self.status.set_note(self.tr("{model} uses the catalog's price again.").format(
                model=model), "done", "ok_fg")
        else:
            self.status.set_note(self.tr("{model}: estimates use {price} per image.").format(
                model=model, price=price.text()), "done", "ok_fg")
        self.pricesSaved.emit()
