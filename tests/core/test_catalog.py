"""The model catalog: data, not code. Loading, each family's rules, snapshots by pattern."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwen_studio.core import request as request_module
from qwen_studio.core.catalog import (
    CatalogError,
    default_catalog,
    default_output_size,
    load_catalog,
)
from qwen_studio.core.request import EditRequest, max_inputs, max_n

CATALOG = default_catalog()


def codes(req: EditRequest) -> list[str]:
    return [p.code for p in req.problems()]


# -- loading ------------------------------------------------------------------------------------
MINIMAL_FAMILY = """
[[family]]
id = "qwen-image-3.0"
name = { en = "Qwen Image 3.0", zh_CN = "千问图像 3.0" }
description = { en = "Next year's model" }
inputs = [0, 3]
n = [1, 6]
size = { rule = "total_pixels", min = "512*512", max = "2560*2560" }
default_size = "last_input_within_range"
"""


@pytest.mark.parametrize(("text", "reason"), [
    ("schema = 1\n[[family]\nid = 'x'", "is not valid TOML"),
    ("schema = 2\n" + MINIMAL_FAMILY, "'schema' must be 1"),
    ("schema = 1\n", "no [[family]] entries"),
    ("schema = 1\n" + MINIMAL_FAMILY.replace("inputs = [0, 3]", "inputs = [3, 0]"),
     "family 'qwen-image-3.0': 'inputs' must be [min, max]"),
    ("schema = 1\n" + MINIMAL_FAMILY.replace('rule = "total_pixels"', 'rule = "roomy"'),
     "'size.rule' must be one of fixed, each_side, total_pixels, not_customizable"),
    ("schema = 1\n" + MINIMAL_FAMILY + MINIMAL_FAMILY, "belongs to both"),
    ("schema = 1\n" + MINIMAL_FAMILY.replace('default_size = "last_input_within_range"',
                                             'default_size = "big"'), "'default_size'"),
])
def test_a_malformed_catalog_is_a_clear_error_naming_the_file(tmp_path: Path, text, reason):
    bad = tmp_path / "models.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(bad)
    message = str(info.value)
    assert str(bad) in message and reason in message, message


def test_a_missing_catalog_names_the_file(tmp_path: Path):
    with pytest.raises(CatalogError, match=r"nowhere\.toml cannot be read"):
        load_catalog(tmp_path / "nowhere.toml")


def test_the_shipped_catalog_loads_with_every_family_of_the_issue():
    ids = [f.id for f in CATALOG.families]
    for family in ("qwen-image-edit", "qwen-image-edit-plus", "qwen-image-edit-max",
                   "qwen-image-2.0", "qwen-image-2.0-pro", "qwen-image", "qwen-image-plus",
                   "qwen-image-max", "qwen-image-3.0", "qwen-image-3.0-pro"):
        assert family in ids
    for f in CATALOG.families:
        assert f.display_name("zh_CN") != f.display_name("en") or f.id
        assert f.describe("en") and f.describe("zh_CN")
    assert [f.id for f in CATALOG.families if f.recommended] == [
        "qwen-image-2.0-pro", "qwen-image-2.0"]
    price = CATALOG.lookup("qwen-image-2.0-pro").price
    assert price and price.currency == "USD" and price.source


# -- each family's rules --------------------------------------------------------------------------
def test_qwen_image_2_pro_generates_and_edits_with_up_to_six_results_by_total_pixels():
    req = EditRequest(inputs=(), prompt="a red fox", model="qwen-image-2.0-pro",
                      size="2048x2048", n=6)
    assert req.problems() == []  # text to image, the largest size, six results
    assert req.with_changes(inputs=("a.png", "b.png", "c.png")).problems() == []
    assert codes(req.with_changes(inputs=("a", "b", "c", "d"))) == ["too_many_inputs"]
    assert codes(req.with_changes(n=7)) == ["count_range"]
    # By total pixels, not by side: a long strip inside the area is fine, over it is not.
    assert req.with_changes(size="2560x1024").problems() == []
    assert codes(req.with_changes(size="2049x2048")) == ["size_pixels"]
    assert codes(req.with_changes(size="500x500")) == ["size_pixels"]
    assert "512x512 to 2048x2048 pixels in total" in req.with_changes(size="500x500").problems()[0]


def test_qwen_image_2_takes_the_same_limits_as_its_pro_sibling():
    req = EditRequest(inputs=("a.png",), prompt="x", model="qwen-image-2.0", size="2048*2048",
                      n=6)
    assert req.problems() == []
    assert codes(req.with_changes(model="qwen-image-2.0-2026-03-03", n=7)) == ["count_range"]


@pytest.mark.parametrize("model", ["qwen-image-edit-max", "qwen-image-edit-max-2026-01-16",
                                   "qwen-image-edit-plus", "qwen-image-edit-plus-2025-10-30",
                                   "qwen-image-edit-plus-2025-12-15", "qwen-image-edit-2509"])
def test_edit_plus_and_max_take_one_to_three_photos_six_results_sides_512_to_2048(model):
    req = EditRequest(inputs=("a.png",), prompt="x", model=model, n=6, size="2048x512")
    assert req.problems() == []
    assert codes(req.with_changes(inputs=())) == ["no_input"]
    assert codes(req.with_changes(n=7)) == ["count_range"]
    assert codes(req.with_changes(size="2049x1024")) == ["size_sides"]
    assert max_inputs(model) == 3 and max_n(model) == 6


def test_qwen_image_edit_takes_one_result_and_no_size():
    req = EditRequest(inputs=("a", "b", "c"), prompt="x", model="qwen-image-edit")
    assert req.problems() == []
    # prompt_extend is an edit-plus option: turning it off here is noted, not refused.
    assert [n.code for n in req.with_changes(prompt_extend=False).notes()] == [
        "option_not_taken"]
    assert codes(req.with_changes(n=2)) == ["count_range"]
    assert codes(req.with_changes(size="1024x1024")) == ["size_not_customizable"]


@pytest.mark.parametrize("model", ["qwen-image", "qwen-image-plus", "qwen-image-max",
                                   "qwen-image-plus-2026-01-09"])
def test_text_to_image_models_take_no_photo_one_result_and_five_sizes(model):
    req = EditRequest(inputs=(), prompt="x", model=model, size="1104*1472")  # 3:4, new
    assert req.problems() == []
    assert codes(req.with_changes(inputs=("a.png",))) == ["text_model_with_input"]
    assert codes(req.with_changes(n=2)) == ["count_range"]
    assert codes(req.with_changes(size="1024x1024")) == ["size_not_offered"]
    assert max_inputs(model) == 0


def test_a_new_dated_snapshot_is_recognised_by_its_familys_pattern():
    family = CATALOG.lookup("qwen-image-edit-max-2027-01-01")
    assert family is not None and family.id == "qwen-image-edit-max"
    req = EditRequest(inputs=("a.png",), prompt="x", model="qwen-image-edit-max-2027-01-01", n=2)
    assert req.problems() == [] and req.notes() == []
    assert CATALOG.lookup("qwen-image-2.0-pro-2027-06-30").id == "qwen-image-2.0-pro"
    assert CATALOG.lookup("qwen-image-2.0-2027-06-30").id == "qwen-image-2.0"
    # Not a date: not a snapshot.
    assert CATALOG.lookup("qwen-image-edit-max-preview") is None


def test_a_name_the_catalog_does_not_know_is_sent_with_a_note_not_refused():
    req = EditRequest(inputs=("a", "b", "c"), prompt="x", model="qwen-image-9.9-ultra",
                      n=9, size="4096x4096")
    assert req.problems() == []
    assert [n.code for n in req.notes()] == ["unknown_model"]
    assert "limits are not checked" in req.notes()[0]
    # What holds for every model still holds.
    assert codes(req.with_changes(prompt=" ", seed=-1)) == ["prompt_empty", "seed_range"]


def test_a_new_family_needs_only_a_catalog_entry(tmp_path: Path, monkeypatch):
    path = tmp_path / "models.toml"
    path.write_text("schema = 1\n" + MINIMAL_FAMILY, encoding="utf-8")
    catalog = load_catalog(path)
    monkeypatch.setattr(request_module, "default_catalog", lambda: catalog)
    req = EditRequest(inputs=(), prompt="x", model="qwen-image-3.0", size="2560x2560", n=6)
    assert req.problems() == [] and req.notes() == []
    assert codes(req.with_changes(model="qwen-image-3.0-2027-02-02", n=7)) == ["count_range"]


# -- the size the service answers without one ---------------------------------------------------
def test_edit_models_answer_about_one_megapixel_at_the_last_inputs_aspect():
    plus = CATALOG.lookup("qwen-image-edit-plus")
    assert default_output_size(plus, [(400, 400), (800, 600)]) == (1184, 880)
    w, h = default_output_size(plus, [(3000, 1000)])
    assert w % 16 == 0 and h % 16 == 0 and abs(w / h - 3) < 0.1


def test_the_2_0_series_keeps_the_last_inputs_size_within_the_pixel_range():
    fam = CATALOG.lookup("qwen-image-2.0")
    assert default_output_size(fam, [(640, 480)]) == (640, 480)
    w, h = default_output_size(fam, [(3000, 3000)])
    assert (w, h) == (2048, 2048)
    w, h = default_output_size(fam, [(400, 300)])
    assert w * h >= 512 * 512 and abs(w / h - 4 / 3) < 0.01
    assert default_output_size(fam, []) == (1328, 1328)


# -- what the request style loses on a relay ------------------------------------------------------
def test_flat_bodies_are_warned_of_what_new_api_drops_and_bailian_is_suggested():
    req = EditRequest(inputs=("a.png",), prompt="x", model="qwen-image-2.0", style="flat",
                      seed=7, negative_prompt="blur", prompt_extend=True, watermark=False)
    notes = req.notes()
    assert [n.code for n in notes] == ["style_loses"]
    assert notes[0].params["options"] == "input images, seed, negative_prompt"
    assert notes[0].params["better"] == "bailian" and notes[0].params["gateway"] == "new-api"
    # The service's own defaults are not losses (prompt_extend on, watermark off).
    plain = req.with_changes(inputs=(), seed=None, negative_prompt="")
    assert plain.notes() == []
    assert [n.code for n in plain.with_changes(prompt_extend=False).notes()] == ["style_loses"]
    assert req.with_changes(style="bailian").notes() == []


def test_an_option_a_family_does_not_take_is_noted_not_refused(tmp_path: Path, monkeypatch):
    path = tmp_path / "models.toml"
    path.write_text("schema = 1\n" + MINIMAL_FAMILY + 'options = ["seed", "watermark"]\n',
                    encoding="utf-8")
    catalog = load_catalog(path)
    monkeypatch.setattr(request_module, "default_catalog", lambda: catalog)
    req = EditRequest(inputs=(), prompt="x", model="qwen-image-3.0", negative_prompt="blur",
                      prompt_extend=False)
    assert req.problems() == []
    notes = req.notes()
    assert [n.code for n in notes] == ["option_not_taken"]
    assert notes[0].params["options"] == "prompt_extend, negative_prompt"


def test_a_newer_catalog_can_be_used_without_a_release_and_a_bad_one_is_named(
        tmp_path: Path, monkeypatch, capsys):
    from qwen_studio.__main__ import main

    newer = tmp_path / "newer.toml"
    newer.write_text("schema = 1\n" + MINIMAL_FAMILY, encoding="utf-8")
    monkeypatch.setenv("QWEN_STUDIO_CATALOG", str(newer))
    assert main(["models", "--offline", "--json"]) == 0
    assert '"id": "qwen-image-3.0"' in capsys.readouterr().out
    assert EditRequest(inputs=(), prompt="x", model="qwen-image-3.0", n=6).problems() == []

    broken = tmp_path / "broken.toml"
    broken.write_text("schema = 1\n[[family]]\nid = 'x'\n", encoding="utf-8")
    monkeypatch.setenv("QWEN_STUDIO_CATALOG", str(broken))
    assert main(["models", "--offline"]) == 2
    err = capsys.readouterr().err
    assert str(broken) in err and "malformed" in err and "Traceback" not in err
    out = tmp_path / "out"
    assert main(["batch", "--prompt", "x", "--out", str(out), "--demo"]) == 2
    assert str(broken) in capsys.readouterr().err
