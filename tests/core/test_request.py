"""EditRequest: the record every other part stores, so round trips and limits must be exact."""

from __future__ import annotations

import pytest

from qwen_studio.core.request import EditRequest, normalize_size, parse_size


def full_request() -> EditRequest:
    return EditRequest(
        inputs=("/photos/猫.jpg", "/photos/dress.png"),
        prompt="the cat wears the dress 🐱",
        model="qwen-image-edit-plus",
        style="flat",
        negative_prompt="blurry",
        size="1024x1536",
        n=3,
        seed=42,
        watermark=False,
        prompt_extend=True,
        extra=(("note", "x"),),
    )


def test_json_round_trip_is_lossless() -> None:
    req = full_request()
    again = EditRequest.from_json(req.to_json())
    assert again == req
    assert again.to_json() == req.to_json()
    assert "猫" in req.to_json()  # stored readable, not \u-escaped


def test_unset_options_stay_unset_through_json() -> None:
    req = EditRequest(inputs=("a.png",), prompt="x")
    again = EditRequest.from_json(req.to_json())
    assert again.seed is None and again.watermark is None and again.prompt_extend is None
    assert again.size is None


@pytest.mark.parametrize("text", ["1024x768", "1024*768", "1024×768", " 1024 X 768 "])
def test_size_spellings_normalize_to_star(text: str) -> None:
    assert normalize_size(text) == "1024*768"
    assert parse_size(text) == (1024, 768)


@pytest.mark.parametrize("text", [None, "", "auto", "Auto"])
def test_auto_size_is_none(text: str | None) -> None:
    assert normalize_size(text) is None


def test_bad_size_says_what_is_expected() -> None:
    with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
        parse_size("big")


def test_valid_request_has_no_problems() -> None:
    assert full_request().problems() == []


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"prompt": ""}, "prompt is empty"),
        ({"prompt": "x" * 801}, "801 characters; the limit is 800"),
        ({"negative_prompt": "x" * 501}, "limit is 500"),
        ({"inputs": ("a", "b", "c", "d")}, "at most 3"),
        ({"inputs": ()}, "at least one input"),
        ({"n": 7}, "outside 1–6"),
        ({"seed": -1}, "seed -1"),
        ({"seed": 2**31}, "outside 0–2147483647"),
        ({"size": "4000*4000"}, "512–2048"),
        ({"style": "soap"}, "unknown request style"),
    ],
)
def test_problems_name_the_limit(changes: dict, fragment: str) -> None:
    problems = full_request().with_changes(**changes).problems()
    assert any(fragment in p for p in problems), problems


def test_problems_carry_codes_and_keep_the_clis_english() -> None:
    """The window translates and acts by code; the CLI prints the same English as ever."""
    req = EditRequest(inputs=(), prompt="", model="qwen-image-edit", style="soap", n=2,
                      seed=-1, size="100*100")
    problems = req.problems()
    assert [p.code for p in problems] == ["prompt_empty", "unknown_style", "no_input",
                                          "count_range", "seed_range", "size_not_customizable"]
    assert problems == [
        "the prompt is empty",
        "unknown request style 'soap' (use one of bailian, flat, dashscope)",
        "an edit needs at least one input image",
        "count n=2 is outside 1–1 for qwen-image-edit",
        "seed -1 is outside 0–2147483647",
        "qwen-image-edit does not take a size; leave Size on Auto",
    ]
    with pytest.raises(ValueError) as info:
        parse_size("big")
    assert str(info.value) == "size 'big' is not of the form WIDTHxHEIGHT, e.g. 1024x1024"
    assert info.value.args[0].code == "size_format"


def test_text_to_image_models_take_only_their_fixed_sizes() -> None:
    t2i = EditRequest(inputs=(), prompt="a cat", model="qwen-image-plus", n=1)
    assert t2i.problems() == []
    assert any("1664*928" in p for p in t2i.with_changes(size="1024*1024").problems())
    assert t2i.with_changes(size="1328*1328").problems() == []
    assert any("takes no input" in p for p in t2i.with_changes(inputs=("a.png",)).problems())


def test_old_edit_model_takes_up_to_three_images_one_result_and_no_size() -> None:
    req = EditRequest(inputs=("a", "b", "c", "d"), prompt="x", model="qwen-image-edit")
    assert any("at most 3" in p for p in req.problems())
    assert req.with_changes(inputs=("a", "b", "c")).problems() == []
    assert any("outside 1–1" in p for p in req.with_changes(inputs=("a",), n=2).problems())
    assert [p.code for p in req.with_changes(inputs=("a",), size="1024x1024").problems()] == [
        "size_not_customizable"]


def test_identity_ignores_paths_but_not_content_or_prompt() -> None:
    a = EditRequest(inputs=("/one/x.jpg",), prompt="p")
    b = a.with_changes(inputs=("/two/renamed.jpg",))
    assert a.identity(("h1",)) == b.identity(("h1",))
    assert a.identity(("h1",)) != a.identity(("h2",))
    assert a.identity(("h1",)) != a.with_changes(prompt="q").identity(("h1",))


def test_parameters_text_is_a1111_shaped() -> None:
    text = full_request().parameters_text()
    lines = text.splitlines()
    assert lines[0] == "the cat wears the dress 🐱"
    assert lines[1] == "Negative prompt: blurry"
    assert lines[2].startswith("Size: 1024x1536, Seed: 42, Model: qwen-image-edit-plus")
