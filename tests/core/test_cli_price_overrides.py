"""`qwen-studio usage --set-price / --clear-price` take what Settings ▸ Prices takes: a price
for a model family, by any name the catalog knows (its id, an alias, a dated snapshot),
kept under the family's id (the row Settings shows), a bare amount in the catalog's
currency for that model; and the price then applies to every name of the family on the
command line as in the window. An unknown model is a clear message, not a silent entry."""

from __future__ import annotations

import pytest

from qwen_studio.__main__ import main
from qwen_studio.core.config import ConfigStore
from qwen_studio.core.spend import UnitPrice, user_prices

FAMILY = "qwen-image-edit-plus"  # priced in CNY by the catalog
ALIAS = "qwen-image-edit-2509"
SNAPSHOT = "qwen-image-edit-plus-2025-10-30"
UNLISTED_SNAPSHOT = "qwen-image-edit-plus-2026-07-01"  # matched by the family's pattern


def test_a_price_set_by_an_alias_is_the_familys_in_its_currency(capsys) -> None:
    assert main(["usage", "--set-price", f"{ALIAS}=0.5"]) == 0
    err = capsys.readouterr().err
    assert f"price for {FAMILY} (the family of {ALIAS}): ¥0.50 per image" in err
    # Where Settings ▸ Prices keeps it, and a bare amount read as Settings reads it.
    assert ConfigStore().price_overrides() == {FAMILY: (0.5, "CNY")}
    prices = user_prices()
    for name in (FAMILY, ALIAS, SNAPSHOT, UNLISTED_SNAPSHOT):
        assert prices(name) == UnitPrice(0.5, "CNY"), name


def test_a_price_set_in_settings_applies_to_every_name_of_the_family_on_the_cli() -> None:
    ConfigStore().set_price_override(FAMILY, 0.05, "USD")  # what the Settings field saves
    prices = user_prices()
    assert prices(SNAPSHOT) == UnitPrice(0.05, "USD")
    assert prices(ALIAS) == UnitPrice(0.05, "USD")
    assert prices("qwen-image-edit") != UnitPrice(0.05, "USD")  # another family


def test_one_price_per_family_and_clearing_by_any_of_its_names(capsys) -> None:
    store = ConfigStore()
    store.set_price_override(SNAPSHOT, 0.1, "USD")  # kept by an older version, exact name
    assert main(["usage", "--set-price", f"{FAMILY}=$0.035"]) == 0
    assert store.price_overrides() == {FAMILY: (0.035, "USD")}
    assert user_prices()(SNAPSHOT) == UnitPrice(0.035, "USD")
    assert main(["usage", "--clear-price", UNLISTED_SNAPSHOT]) == 0
    assert f"price for {FAMILY} (the family of {UNLISTED_SNAPSHOT}): the model catalog's" \
        in capsys.readouterr().err
    assert store.price_overrides() == {}
    assert user_prices()(FAMILY) == UnitPrice(0.2, "CNY")  # the catalog's again


@pytest.mark.parametrize("args", [["--set-price", "no-such-model=0.2"],
                                  ["--clear-price", "no-such-model"]])
def test_an_unknown_model_is_named_with_the_known_ones(args: list[str], capsys) -> None:
    assert main(["usage", *args]) == 2
    err = capsys.readouterr().err
    assert "qwen-studio: unknown model 'no-such-model'" in err
    assert FAMILY in err and "Traceback" not in err
    assert ConfigStore().price_overrides() == {}


def test_a_price_kept_under_a_name_the_catalog_dropped_can_still_be_cleared(capsys) -> None:
    ConfigStore().set_price_override("qwen-image-edit-legacy", 0.1, "USD")
    assert main(["usage", "--clear-price", "qwen-image-edit-legacy"]) == 0
    assert ConfigStore().price_overrides() == {}


@pytest.mark.parametrize("order", ["snapshot first", "family first"])
def test_the_familys_own_price_wins_over_a_snapshots_for_the_other_names(order) -> None:
    """Settings ▸ Prices shows the family's row; a price an older version kept under one
    snapshot's name prices that snapshot only, whatever order the settings file lists them."""
    store = ConfigStore()
    entries = [(SNAPSHOT, 0.1, "USD"), (FAMILY, 0.3, "CNY")]
    for model, amount, currency in (entries if order == "snapshot first" else entries[::-1]):
        store.set_price_override(model, amount, currency)
    prices = user_prices()
    assert prices(SNAPSHOT) == UnitPrice(0.1, "USD")
    for name in (FAMILY, ALIAS, UNLISTED_SNAPSHOT):
        assert prices(name) == UnitPrice(0.3, "CNY"), name
