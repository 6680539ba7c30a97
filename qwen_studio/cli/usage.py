"""`qwen-studio usage`: images and estimated spend by day and model, from the library.

Estimates: images returned x the model's price per image (the model catalog's, or
`--price`); failed edits cost nothing, deleted edits still count (they were billed).
A model without a known price shows its images and "unpriced", never a guess.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
from datetime import date, datetime, timedelta
from typing import Any

from qwen_studio.core.config import ConfigStore
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.library import Library
from qwen_studio.core.spend import (
    Spend,
    UnitPrice,
    parse_price,
    priced_model,
    usage_by_day_and_model,
    user_prices,
)

EXIT_OK = 0
EXIT_USAGE = 2


def _write(stream: Any, text: str) -> None:
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:  # a console that cannot print ¥ (Windows cp1252)
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding) + "\n")


def parse_since(text: str, today: date | None = None) -> date:
    """'2026-12-01', '7d' (the last 7 days, today included), 'today' or 'month'."""
    today = today or date.today()
    value = text.strip().lower()
    if value == "today":
        return today
    if value == "month":
        return today.replace(day=1)
    m = re.fullmatch(r"(\d{1,4})d", value)
    if m:
        return today - timedelta(days=max(int(m.group(1)) - 1, 0))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date such as 2026-12-01, 7d, today or month") from None


def _price(text: str) -> UnitPrice:
    try:
        return parse_price(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", metavar="DATE", type=parse_since, default=None,
                        help="from this day on: 2026-12-01, 7d, today or month "
                             "(default: everything)")
    parser.add_argument("--price", metavar="P", type=_price, default=None,
                        help="price per image for every model instead of the catalog's, "
                             "e.g. 0.2, '0.2 CNY' or $0.035")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--set-price", metavar="MODEL=P", type=_model_price, action="append",
                        default=[], help="keep a price per image for MODEL's family in your "
                        "settings (as Settings ▸ Prices does; instead of the catalog's): MODEL "
                        "is a name the catalog knows (its id, an alias or a dated snapshot); "
                        "a bare amount is in the catalog's currency for it, e.g. "
                        "qwen-image-edit-plus='0.2 CNY'")
    parser.add_argument("--clear-price", metavar="MODEL", action="append", default=[],
                        help="forget your price for MODEL's family (the catalog's applies "
                             "again)")


def _model_price(text: str) -> tuple[str, str]:
    """MODEL=PRICE, its price checked here (the currency a bare amount is in depends on
    the model: _set_prices reads it again)."""
    model, sep, price = text.partition("=")
    if not sep or not model.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not MODEL=PRICE, e.g. "
                                         "qwen-image-edit-plus=0.2")
    _price(price)
    return model.strip(), price


def _set_prices(args: argparse.Namespace) -> None:
    """Store the user's price overrides as Settings ▸ Prices does (one per model family,
    under the family's id) and say what changed. ValueError names an unknown model."""
    store = ConfigStore()
    for model, text in args.set_price:
        found = priced_model(model)
        price = parse_price(text, default_currency=found.currency)
        for stale in _family_keys(store, found.key):  # one price per family, as Settings
            store.set_price_override(stale, None)
        store.set_price_override(found.key, price.amount, price.currency)
        _write(sys.stderr, f"price for {_named(model, found.key)}: {price.text()} per image "
                           "(your setting)")
    for model in args.clear_price:
        name = model.strip()
        try:
            key = priced_model(name).key
        except ValueError:
            if name not in store.price_overrides():
                raise
            key = name  # kept by an older version under a name the catalog has dropped
        for stale in _family_keys(store, key) | {key}:
            store.set_price_override(stale, None)
        _write(sys.stderr, f"price for {_named(model, key)}: the model catalog's")


def _family_keys(store: ConfigStore, key: str) -> set[str]:
    """Overrides kept under another name of the family `key` (an alias, a snapshot)."""
    out = set()
    for name in store.price_overrides():
        with contextlib.suppress(ValueError):
            if name != key and priced_model(name).key == key:
                out.add(name)
    return out


def _named(model: str, key: str) -> str:
    """The family's id, and the name the user typed when that was another of its names."""
    return key if model.strip() == key else f"{key} (the family of {model.strip()})"


def _spend_json(spend: Spend) -> dict[str, Any]:
    return spend.to_dict()


def run(args: argparse.Namespace) -> int:
    if args.set_price or args.clear_price:
        try:
            _set_prices(args)
        except (QwenStudioError, ValueError) as exc:
            _write(sys.stderr, f"qwen-studio: {exc}")
            return EXIT_USAGE
    prices = user_prices(args.price)
    since = args.since
    start = None if since is None else datetime.combine(since, datetime.min.time()).timestamp()
    try:
        with Library() as lib:
            rows = usage_by_day_and_model(lib, prices, since=start)
    except QwenStudioError as exc:
        _write(sys.stderr, f"qwen-studio: {exc}")
        return EXIT_USAGE
    by_model: dict[str, Spend] = {}
    grand = Spend()
    for row in rows:
        for target in (by_model.setdefault(row.model, Spend()), grand):
            target.edits += row.spend.edits
            target.images += row.spend.images
            target.unpriced_images += row.spend.unpriced_images
            for currency, amount in row.spend.amounts.items():
                target.amounts[currency] = target.amounts.get(currency, 0.0) + amount
    if args.json:
        doc = {
            "since": since.isoformat() if since else None,
            "note": "estimates: images returned x price per image; failed edits cost nothing",
            "by_day": [{"day": r.day.isoformat(), "model": r.model, **_spend_json(r.spend)}
                       for r in rows],
            "by_model": [{"model": m, **_spend_json(s)} for m, s in sorted(by_model.items())],
            "total": _spend_json(grand),
        }
        _write(sys.stdout, json.dumps(doc, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        _write(sys.stderr, "no billed edits" + (f" since {since.isoformat()}" if since else ""))
        return EXIT_OK
    table = [("DAY", "MODEL", "EDITS", "IMAGES", "ESTIMATE")]
    table += [(r.day.isoformat(), r.model, str(r.spend.edits), str(r.spend.images),
               r.spend.text()) for r in rows]
    if len(by_model) > 1:
        table += [("all days", m, str(s.edits), str(s.images), s.text())
                  for m, s in sorted(by_model.items())]
    table.append(("total", "", str(grand.edits), str(grand.images), grand.text()))
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]),
                 row[2].rjust(widths[2]), row[3].rjust(widths[3]), row[4]]
        _write(sys.stdout, "  ".join(cells).rstrip())
    _write(sys.stdout, "Estimates: images returned × price per image; failed edits cost "
                       "nothing. The service's bill is the authority.")
    return EXIT_OK
