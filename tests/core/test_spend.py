"""Spend estimates: images returned x price per image, failed edits free, totals for
today / this month / a batch, and `qwen-studio usage`."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta

import pytest

from qwen_studio.__main__ import main
from qwen_studio.core.library import EditStatus, Library
from qwen_studio.core.request import EditRequest
from qwen_studio.core.spend import (
    PriceBook,
    Spend,
    UnitPrice,
    edit_estimate,
    parse_price,
    summary,
)

PRICES = PriceBook({"qwen-image-edit-plus": (0.2, "CNY"), "qwen-image-2.0": (0.035, "USD")})
PNG = b"\x89PNG\r\n\x1a\n"


def edit(lib: Library, *, model: str = "qwen-image-edit-plus", images: int = 1,
         status: str = "done", batch: str | None = None, when: float | None = None) -> int:
    eid = lib.create_edit(EditRequest(inputs=("a.png",), prompt="x", model=model, n=max(images, 1)),
                          input_hashes=[], batch_id=batch)
    lib.set_status(eid, EditStatus.RUNNING)
    if status == "done":
        lib.complete_edit(eid, [PNG + bytes([eid, k]) for k in range(images)])
    else:
        lib.set_status(eid, EditStatus(status), error="boom")
    if when is not None:
        with lib.transaction() as conn:
            conn.execute("UPDATE edits SET created_at = ?, finished_at = ? WHERE id = ?",
                         (when, when, eid))
    return eid


def test_an_edit_costs_its_images_and_a_failed_one_nothing() -> None:
    with Library() as lib:
        done = edit(lib, images=3)
        failed = edit(lib, status="failed")
        unknown = edit(lib, model="qwen-image-9")
        assert edit_estimate(lib.get(done), PRICES) == pytest.approx(0.6)
        assert edit_estimate(lib.get(failed), PRICES) == 0
        assert edit_estimate(lib.get(unknown), PRICES) is None


def test_today_month_and_batch_totals_per_currency() -> None:
    now = time.time()
    today = datetime.fromtimestamp(now)
    earlier_this_month = today.replace(day=1, hour=0, minute=0, second=5).timestamp()
    last_month = (today.replace(day=1) - timedelta(days=3)).timestamp()
    with Library() as lib:
        edit(lib, images=2, batch="b1")                     # today: ¥0.40
        edit(lib, model="qwen-image-2.0", images=1, batch="b1")  # today: $0.035
        edit(lib, status="failed", batch="b1")              # free
        deleted = edit(lib, images=1)                       # deleted, still billed: ¥0.20
        lib.delete(deleted)
        edit(lib, model="qwen-image-9", images=4)           # unpriced
        if earlier_this_month < start_of_today(now):
            edit(lib, images=5, when=earlier_this_month)    # this month, not today: ¥1.00
        edit(lib, images=7, when=last_month)                # not this month
        s = summary(lib, PRICES, batch_id="b1", now=now)
    assert s.today.images == 2 + 1 + 1 + 4
    assert s.today.amounts == pytest.approx({"CNY": 0.6, "USD": 0.035})
    assert s.today.unpriced_images == 4
    month_cny = 0.6 + (1.0 if earlier_this_month < start_of_today(now) else 0)
    assert s.month.amounts["CNY"] == pytest.approx(month_cny)
    assert s.batch is not None and s.batch.edits == 2 and s.batch.images == 3
    assert s.batch.text() == "¥0.40 + $0.035"  # currencies never add up
    assert s.text().startswith("Today ¥0.60 + $0.035 + 4 unpriced images · This month ¥")


def start_of_today(now: float) -> float:
    return datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0,
                                               microsecond=0).timestamp()


def test_overrides_win_and_prices_parse() -> None:
    book = PRICES.with_overrides({"qwen-image-edit-plus": (0.1, "USD")})
    assert book("qwen-image-edit-plus") == UnitPrice(0.1, "USD")
    assert book("qwen-image-2.0") == UnitPrice(0.035, "USD")
    assert PRICES.with_overrides({"*": (1, "EUR")})("anything") == UnitPrice(1.0, "EUR")
    assert parse_price("¥0.2") == UnitPrice(0.2, "CNY")
    assert parse_price("0.2 cny") == UnitPrice(0.2, "CNY")
    assert parse_price("$0.035") == UnitPrice(0.035, "USD")
    for bad in ("free", "-1", "0.2 dollars", "nan"):
        with pytest.raises(ValueError):
            parse_price(bad)
    assert Spend().text() == "$0.00"


def test_usage_command_by_day_and_model(capsys) -> None:
    day0 = datetime.combine(date.today() - timedelta(days=2), datetime.min.time()).timestamp()
    with Library() as lib:
        edit(lib, images=2, when=day0 + 3600)
        edit(lib, images=1, when=day0 + 7200)
        edit(lib, model="qwen-image-2.0", images=3)
        edit(lib, status="failed")
    assert main(["usage", "--json", "--price", "0.5 USD"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(d["model"], d["edits"], d["images"], d["amounts"]) for d in doc["by_day"]] == [
        ("qwen-image-edit-plus", 2, 3, {"USD": 1.5}),
        ("qwen-image-2.0", 1, 3, {"USD": 1.5}),
    ]
    assert doc["by_day"][0]["day"] == (date.today() - timedelta(days=2)).isoformat()
    assert doc["total"] == {"edits": 3, "images": 6, "amounts": {"USD": 3.0},
                            "unpriced_images": 0}
    assert main(["usage", "--since", "today", "--price", "$0.035"]) == 0
    out = capsys.readouterr().out
    assert "qwen-image-2.0" in out and "qwen-image-edit-plus" not in out
    assert "$0.105" in out


def test_usage_command_rejects_a_bad_date_in_one_line(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["usage", "--since", "last tuesday"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "not a date such as 2026-12-01" in err and "Traceback" not in err
