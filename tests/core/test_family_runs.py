"""Every model family from the CLI against the sandbox, with its own limits from the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import cli_env_fixture  # noqa: F401  (env)
from PIL import Image

from qwen_studio.__main__ import main
from qwen_studio.core.catalog import default_catalog, default_output_size


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (640, 480), (200, 120, 40)).save(path, quality=90)
    return path


def batch(out: Path, *args: str) -> int:
    return main(["batch", "--out", str(out), "--prompt", "a fox in the snow", *args])


def sizes(out: Path) -> list[tuple[int, int]]:
    return [Image.open(p).size for p in sorted(out.glob("*.png"))]


def test_qwen_image_2_pro_generates_from_text_alone_with_n_results(env, tmp_path, capsys):
    out = tmp_path / "out"
    code = batch(out, "--model", "qwen-image-2.0-pro", "--n", "2", "--size", "2048x2048")
    assert code == 0, capsys.readouterr().err
    assert sizes(out) == [(2048, 2048)] * 2
    body = env.received[-1]
    assert [c for c in body["input"]["messages"][0]["content"]] == [{"text": "a fox in the snow"}]


def test_qwen_image_2_edits_a_photo_and_keeps_its_size(env, tmp_path, photo, capsys):
    out = tmp_path / "out"
    assert batch(out, str(photo), "--model", "qwen-image-2.0") == 0, capsys.readouterr().err
    assert sizes(out) == [(640, 480)]  # the last input's size, inside the pixel range


@pytest.mark.parametrize("model", ["qwen-image-edit-max", "qwen-image-edit-plus-2025-12-15",
                                   "qwen-image-edit-2509", "qwen-image-edit-max-2027-01-01"])
def test_edit_models_make_several_results_at_about_one_megapixel(env, tmp_path, photo, model,
                                                                  capsys):
    out = tmp_path / "out"
    assert batch(out, str(photo), "--model", model, "--n", "2") == 0, capsys.readouterr().err
    assert sizes(out) == [(1184, 880)] * 2
    assert env.received[-1]["model"] == model


def test_old_edit_model_is_held_to_one_result(env, tmp_path, photo, capsys):
    assert batch(tmp_path / "out", str(photo), "--model", "qwen-image-edit", "--n", "2") == 2
    assert "outside 1–1 for qwen-image-edit" in capsys.readouterr().err
    assert env.request_count == 0


def test_text_to_image_models_take_their_sizes_and_no_photo(env, tmp_path, photo, capsys):
    out = tmp_path / "out"
    assert batch(out, "--model", "qwen-image-max", "--size", "1104x1472") == 0
    assert sizes(out) == [(1104, 1472)]
    assert batch(tmp_path / "o2", str(photo), "--model", "qwen-image-plus") == 2
    assert "takes no input image" in capsys.readouterr().err


def test_an_edit_model_without_input_is_a_usage_error(env, tmp_path, capsys):
    assert batch(tmp_path / "out", "--model", "qwen-image-edit-plus") == 2
    assert "give at least one INPUT" in capsys.readouterr().err
    assert env.request_count == 0


def test_an_unknown_model_is_sent_and_the_service_judges(env, tmp_path, photo, capsys):
    code = batch(tmp_path / "out", str(photo), "--model", "qwen-image-9.9-ultra", "--n", "9")
    err = capsys.readouterr().err
    assert "not in Qwen Studio's model catalog" in err  # said before sending
    assert env.received[-1]["model"] == "qwen-image-9.9-ultra"  # sent, not refused by name
    assert code == 1 and "Model not exist" in err


def test_the_cli_warns_before_a_flat_body_loses_the_seed(env, tmp_path, photo, capsys):
    out = tmp_path / "out"
    code = batch(out, str(photo), "--style", "flat", "--model", "qwen-image-edit-plus",
                 "--seed", "5")
    err = capsys.readouterr().err
    assert code == 0, err
    assert "the flat request style loses input images, seed on new-api relays; the bailian " \
           "style keeps them" in err


FAMILIES = [f.id for f in default_catalog().families]


@pytest.mark.parametrize("model", FAMILIES)
def test_every_family_runs_from_the_cli_with_its_own_count(env, tmp_path, photo, model,
                                                            capsys):
    family = default_catalog().lookup(model)
    n = min(family.n_max, 2)
    inputs = [str(photo)] if family.inputs[0] > 0 else []
    out = tmp_path / "out"
    assert batch(out, *inputs, "--model", model, "--n", str(n)) == 0, capsys.readouterr().err
    expected = default_output_size(family, [(640, 480)] if inputs else [])
    assert sizes(out) == [expected] * n
