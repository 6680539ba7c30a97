"""What the edits cost: a price per image per model, and estimates over the library.

Alibaba bills only the images it returns, so an edit's estimate is images returned x the
model's price per image, and a failed edit costs nothing. The price comes from a lookup
(the model catalog's `price`, with the user's overrides from Settings or `--price`); a
model without a known price is counted in images and reported as unpriced, never guessed.
Soft-deleted edits still count: deleting an edit does not refund it. Amounts are kept
per currency (a USD model and a CNY model do not add up).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from qwen_studio.core.library import EditRecord, Library

_SYMBOLS = {"USD": "$", "CNY": "¥", "EUR": "€", "GBP": "£", "JPY": "¥"}


class PriceLike(Protocol):
    """Anything with an amount per image and a currency (the catalog's Price is one)."""

    @property
    def amount(self) -> float: ...

    @property
    def currency(self) -> str: ...


@dataclass(frozen=True)
class UnitPrice:
    """A price per image in one currency."""

    amount: float
    currency: str

    def text(self) -> str:
        return money_text(self.amount, self.currency)


PriceLookup = Callable[[str], PriceLike | None]


class ConfigLike(Protocol):
    """Where the user's price overrides are kept (core/config.py ConfigStore)."""

    def price_overrides(self) -> Mapping[str, tuple[float, str]]: ...
PriceSource = PriceLookup | Mapping[str, PriceLike | tuple[float, str]]


def _unit(value: PriceLike | tuple[float, str] | None) -> UnitPrice | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        amount, currency = value
    else:
        amount, currency = value.amount, value.currency
    amount = float(amount)
    if amount < 0 or amount != amount or not currency:
        return None
    return UnitPrice(amount, str(currency).upper())


def parse_price(text: str, default_currency: str = "USD") -> UnitPrice:
    """'0.2', '0.2 CNY', 'CNY 0.2', '¥0.2' or '$0.035' -> UnitPrice; ValueError if not."""
    raw = text.strip()
    currency = default_currency
    for code, symbol in (("USD", "$"), ("CNY", "¥"), ("EUR", "€"), ("GBP", "£")):
        if raw.startswith(symbol):
            raw, currency = raw[len(symbol):], code
    parts = raw.split()
    if len(parts) == 2:
        if parts[0].replace(".", "", 1).isdigit():
            raw, currency = parts[0], parts[1]
        else:
            currency, raw = parts[0], parts[1]
    try:
        amount = float(raw)
    except ValueError:
        raise ValueError(f"{text!r} is not a price such as 0.2, '0.2 CNY' or $0.035") from None
    if not amount >= 0 or amount == float("inf"):
        raise ValueError(f"{text!r} is not a price (it must be 0 or more)")
    if not currency.isalpha() or len(currency) != 3:
        raise ValueError(f"{currency!r} is not a currency code such as USD or CNY")
    return UnitPrice(amount, currency.upper())


class PriceBook:
    """Price per image for a model name: the user's overrides, else the catalog's.

    `prices` is the catalog's lookup (a callable model -> price or None; the catalog
    engineer's `lambda m: (f := catalog.lookup(m)) and f.price`) or a plain mapping.
    `overrides` maps model names to prices; the key "*" prices every model (what
    `qwen-studio batch --price P` sets). `family` names a model's family (the catalog's
    id, None if unknown): a name without an override of its own takes its family's (a
    dated snapshot the catalog only knows by its pattern)."""

    def __init__(self, prices: PriceSource | None = None,
                 overrides: Mapping[str, PriceLike | tuple[float, str]] | None = None,
                 family: Callable[[str], str | None] | None = None) -> None:
        self._prices = prices
        self._overrides = {k: p for k, v in (overrides or {}).items()
                           if (p := _unit(v)) is not None}
        self._family = family

    def price(self, model: str) -> UnitPrice | None:
        if model in self._overrides:
            return self._overrides[model]
        if self._family is not None and self._overrides:
            family = self._family(model)
            if family is not None and family in self._overrides:
                return self._overrides[family]
        if "*" in self._overrides:
            return self._overrides["*"]
        if self._prices is None:
            return None
        if callable(self._prices):
            return _unit(self._prices(model))
        return _unit(self._prices.get(model))

    __call__ = price

    def with_overrides(self, overrides: Mapping[str, PriceLike | tuple[float, str]]
                       ) -> PriceBook:
        return PriceBook(self._prices, {**self._overrides, **overrides}, self._family)


def money_text(amount: float, currency: str) -> str:
    """'$0.35', '¥1.20', '$0.035', '0.50 EUR': two decimals, up to four when they matter."""
    number = f"{amount:,.4f}"
    while number.endswith("0") and len(number.rsplit(".", 1)[1]) > 2:
        number = number[:-1]
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


@dataclass
class Spend:
    """Images and estimated amounts over a set of edits."""

    edits: int = 0
    images: int = 0
    amounts: dict[str, float] = field(default_factory=dict)  # currency -> amount
    unpriced_images: int = 0  # images of models with no known price

    def add(self, images: int, price: UnitPrice | None) -> None:
        self.edits += 1
        self.images += images
        if price is None:
            self.unpriced_images += images
        else:
            self.amounts[price.currency] = self.amounts.get(price.currency, 0.0) \
                + images * price.amount

    def text(self) -> str:
        """'$0.35', '$0.35 + ¥1.20', '$0.35 + 4 unpriced images', 'nothing yet'."""
        parts = [money_text(a, c) for c, a in sorted(self.amounts.items())]
        if self.unpriced_images:
            n = self.unpriced_images
            parts.append(f"{n} unpriced image{'s' if n != 1 else ''}")
        return " + ".join(parts) if parts else money_text(0, "USD")

    def to_dict(self) -> dict[str, object]:
        return {"edits": self.edits, "images": self.images,
                "amounts": {c: round(a, 6) for c, a in sorted(self.amounts.items())},
                "unpriced_images": self.unpriced_images}


def edit_cost(record: EditRecord, prices: PriceLookup) -> tuple[int, UnitPrice | None]:
    """(images billed, price per image) for one edit: its results once it is done, plus
    images billed that were not downloaded (core/paid_results.py)."""
    images = len(record.result_files) if record.status == "done" else 0
    return images + record.billed_unsaved, _unit(prices(record.model))


def edit_estimate(record: EditRecord, prices: PriceLookup) -> float | None:
    """The estimated amount of one edit in its model's currency (None: price unknown)."""
    images, price = edit_cost(record, prices)
    return None if price is None else images * price.amount


# -- over the library --------------------------------------------------------------------------

# Billed: a done edit's results, plus the images of any edit billed but not downloaded
# (paid_results: kept to download again, or expired). Those count even if the edit failed.
_BILLED_SQL = (
    "SELECT e.id, e.model, e.batch_id, coalesce(e.finished_at, e.created_at),"
    " CASE WHEN e.status = 'done' THEN (SELECT count(*) FROM edit_files ef"
    "  WHERE ef.edit_id = e.id AND ef.role = 'result') ELSE 0 END"
    " + (SELECT coalesce(sum(p.images), 0) FROM paid_results p WHERE p.edit_id = e.id)"
    " FROM edits e WHERE (e.status = 'done'"
    " OR EXISTS (SELECT 1 FROM paid_results p WHERE p.edit_id = e.id))"
)


@dataclass(frozen=True)
class BilledEdit:
    """A done edit as spend counts it: its model, batch, finish time and images returned."""

    edit_id: int
    model: str
    batch_id: str | None
    finished_at: float
    images: int


def billed_edits(library: Library, *, since: float | None = None, until: float | None = None,
                 batch_id: str | None = None) -> list[BilledEdit]:
    """Every billed edit (done, or billed and not downloaded; deleted ones too: they were
    paid for) in a time range or batch."""
    sql, params = _BILLED_SQL, []
    if since is not None:
        sql += " AND coalesce(e.finished_at, e.created_at) >= ?"
        params.append(since)
    if until is not None:
        sql += " AND coalesce(e.finished_at, e.created_at) < ?"
        params.append(until)
    if batch_id is not None:
        sql += " AND e.batch_id = ?"
        params.append(batch_id)
    with library.reading() as conn:
        rows = conn.execute(sql + " ORDER BY 4", params).fetchall()
    return [BilledEdit(int(r[0]), r[1], r[2], float(r[3]), int(r[4])) for r in rows]


def total(edits: Iterable[BilledEdit], prices: PriceLookup) -> Spend:
    out = Spend()
    # Each model priced once: a month is thousands of edits of a few models (the status
    # bar sums it after finished edits), and a lookup walks the catalog.
    units: dict[str, UnitPrice | None] = {}
    for e in edits:
        model = e.model
        if model in units:
            unit = units[model]
        else:
            unit = units[model] = _unit(prices(model))
        out.add(e.images, unit)
    return out


def start_of_day(now: float | None = None) -> float:
    d = datetime.fromtimestamp(time.time() if now is None else now)
    return d.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def start_of_month(now: float | None = None) -> float:
    d = datetime.fromtimestamp(time.time() if now is None else now)
    return d.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp()


@dataclass(frozen=True)
class SpendSummary:
    """What the status bar shows: today and this month (and the batch, when one runs)."""

    today: Spend
    month: Spend
    batch: Spend | None = None

    def text(self) -> str:
        out = f"Today {self.today.text()} · This month {self.month.text()}"
        if self.batch is not None:
            out += f" · This batch {self.batch.text()}"
        return out


def summary(library: Library, prices: PriceLookup, *, batch_id: str | None = None,
            now: float | None = None) -> SpendSummary:
    month_edits = billed_edits(library, since=start_of_month(now))
    day = start_of_day(now)
    return SpendSummary(
        today=total((e for e in month_edits if e.finished_at >= day), prices),
        month=total(month_edits, prices),
        batch=None if batch_id is None else total(billed_edits(library, batch_id=batch_id),
                                                  prices),
    )


@dataclass(frozen=True)
class UsageRow:
    """The spend of one model on one day."""

    day: date
    model: str
    spend: Spend


def usage_by_day_and_model(library: Library, prices: PriceLookup, *,
                           since: float | None = None) -> list[UsageRow]:
    """One row per local day and model, oldest day first (what `qwen-studio usage` shows)."""
    groups: dict[tuple[date, str], Spend] = {}
    for e in billed_edits(library, since=since):
        key = (datetime.fromtimestamp(e.finished_at).date(), e.model)
        groups.setdefault(key, Spend()).add(e.images, _unit(prices(e.model)))
    return [UsageRow(day, model, spend) for (day, model), spend in sorted(groups.items())]


def catalog_prices(overrides: Mapping[str, PriceLike | tuple[float, str]] | None = None
                   ) -> PriceBook:
    """The model catalog's prices (core/catalog.py, when this build has it) with the
    user's overrides; an empty book otherwise, so estimates say "unpriced", never guess."""
    try:
        from qwen_studio.core import catalog  # type: ignore[attr-defined]

        book = catalog.default_catalog()

        def lookup(model: str) -> PriceLike | None:
            family = book.lookup(model)
            return getattr(family, "price", None) if family is not None else None

        def family_of(model: str) -> str | None:
            family = book.lookup(model)
            return family.id if family is not None else None
    except (ImportError, AttributeError, OSError, ValueError):
        return PriceBook(None, overrides)
    return PriceBook(lookup, overrides, family_of)


def family_overrides(overrides: Mapping[str, tuple[float, str]]
                     ) -> dict[str, tuple[float, str]]:
    """Each override under every name of its model's family (the exact name wins): a price
    kept for a family (Settings ▸ Prices, `usage --set-price`) applies to its aliases and
    dated snapshots too, in the window and on the command line alike."""
    try:
        from qwen_studio.core.catalog import default_catalog

        catalog = default_catalog()
    except (ImportError, OSError, ValueError):
        return dict(overrides)
    out: dict[str, tuple[float, str]] = {}
    found = [(model, price, catalog.lookup(model)) for model, price in overrides.items()]
    # The family's own row (what Settings shows) first: a price an older version kept under
    # one snapshot's name must not price the family's other names by the file's order.
    found.sort(key=lambda entry: entry[2] is None or entry[0] != entry[2].id)
    for _model, price, family in found:
        for name in (family.names if family is not None else ()):
            out.setdefault(name, price)
    out.update(overrides)
    return out


@dataclass(frozen=True)
class PricedModel:
    """Where a price override for a model name is kept: its family's id (the row Settings ▸
    Prices shows), and the currency a bare amount is in (the catalog's for that model)."""

    key: str
    currency: str = "USD"


def priced_model(model: str) -> PricedModel:
    """The family a model name belongs to, as Settings ▸ Prices lists them: any name the
    catalog knows (a family's id, an alias, a dated snapshot) -> that family's id. ValueError
    naming the model and the known ids for a name the catalog does not know."""
    from qwen_studio.core.catalog import default_catalog

    name = model.strip()
    catalog = default_catalog()
    family = catalog.lookup(name) if name else None
    if family is None:
        known = ", ".join(f.id for f in catalog.families)
        raise ValueError(f"unknown model {name!r}: prices are kept per model the catalog "
                         f"knows (its name, an alias or a dated snapshot): {known}")
    price = family.price
    return PricedModel(family.id, price.currency if price is not None else "USD")


def user_prices(cli_price: PriceLike | None = None, *, config: ConfigLike | None = None
                ) -> PriceBook:
    """The prices every estimate and budget uses: the catalog's, with the user's overrides
    from Settings (config), all replaced by `cli_price` when given (`--price P`: every
    model, whatever the config says). A config that cannot be read adds nothing."""
    if cli_price is not None:
        return catalog_prices({"*": cli_price})
    if config is None:
        from qwen_studio.core.config import ConfigStore

        config = ConfigStore()
    try:
        overrides = config.price_overrides()
    except (OSError, ValueError):
        overrides = {}
    return catalog_prices(family_overrides(overrides))
