"""Wire formats: the bodies each style sends and how it reads answers (pure, no server)."""

from __future__ import annotations

import json

import pytest

from qwen_studio.core.errors import (
    BadResponseError,
    ConfigError,
    InvalidRequestError,
    ModerationError,
)
from qwen_studio.core.request import EditRequest
from qwen_studio.core.styles import STYLE_NAMES, get_style
from qwen_studio.core.styles.base import ResultRef
from qwen_studio.core.styles.dashscope import PRESETS

SEED_IMAGE = "https://v3.fal.media/files/penguin/XoW0qavfF-ahg-jX4BMyL_image.webp"
PNG_URI = "data:image/png;base64,iVBORw0KGgo="


def dumps(body: dict) -> str:
    """Key order matters to a reader comparing with the docs, so compare serialized text."""
    return json.dumps(body, ensure_ascii=False)


# -- flat --------------------------------------------------------------------------------------
def test_flat_reproduces_the_seed_example_exactly():
    seed = json.loads(
        '{\n "model": "qwen-image-edit-2509",\n "prompt": "把小鸭子放在女人的T恤上面",\n'
        ' "image": "https://v3.fal.media/files/penguin/XoW0qavfF-ahg-jX4BMyL_image.webp"\n \n}'
    )
    req = EditRequest(inputs=(SEED_IMAGE,), prompt="把小鸭子放在女人的T恤上面",
                      model="qwen-image-edit-2509", style="flat")
    body = get_style("flat").build_body(req, [SEED_IMAGE], None)
    assert dumps(body) == dumps(seed)


def test_flat_sends_several_images_as_an_array_in_order():
    req = EditRequest(inputs=("a.png", "b.png"), prompt="merge", style="flat")
    body = get_style("flat").build_body(req, [PNG_URI, SEED_IMAGE], None)
    assert body["image"] == [PNG_URI, SEED_IMAGE]


def test_flat_text_to_image_has_no_image_field():
    req = EditRequest(inputs=(), prompt="a red fox", model="qwen-image-plus", style="flat")
    assert get_style("flat").build_body(req, [], None) == {
        "model": "qwen-image-plus", "prompt": "a red fox"}


def test_flat_optional_fields_only_when_set():
    style = get_style("flat")
    bare = EditRequest(inputs=("a.png",), prompt="p", negative_prompt="", n=1)
    assert set(style.build_body(bare, [PNG_URI], None)) == {"model", "prompt", "image"}

    full = EditRequest(inputs=("a.png",), prompt="p", negative_prompt="blurry", size="1024x768",
                       n=2, seed=0, watermark=False, prompt_extend=False)
    body = style.build_body(full, [PNG_URI], "b64_json")
    assert body == {"model": full.model, "prompt": "p", "image": PNG_URI,
                    "negative_prompt": "blurry", "size": "1024x768", "n": 2, "seed": 0,
                    "watermark": False, "prompt_extend": False, "response_format": "b64_json"}


@pytest.mark.parametrize("given", ["1024*768", "1024x768", "1024×768", " 1024 X 768 "])
def test_size_forms_become_each_styles_spelling(given):
    req = EditRequest(inputs=("a.png",), prompt="p", size=given)
    assert get_style("flat").build_body(req, [PNG_URI], None)["size"] == "1024x768"
    assert get_style("bailian").build_body(req, [PNG_URI], None)["parameters"]["size"] == "1024*768"


# -- bailian -----------------------------------------------------------------------------------
def test_bailian_reproduces_the_contract_example():
    # api-contract.md's example; n=1 is the default and is therefore not sent. The top-level
    # prompt (= the text item) is what relays such as new-api require (docs/gateways.md).
    example = {
        "model": "qwen-image-edit-plus",
        "input": {"messages": [{"role": "user", "content": [
            {"image": "data:image/jpeg;base64,/9j/AAA"},
            {"image": "https://example.com/second.png"},
            {"text": "the girl from image 1 wears the dress from image 2"}]}]},
        "parameters": {"negative_prompt": "low quality", "prompt_extend": True,
                       "watermark": False, "size": "1024*1536", "seed": 42},
        "prompt": "the girl from image 1 wears the dress from image 2",
    }
    req = EditRequest(inputs=("girl.jpg", "https://example.com/second.png"),
                      prompt="the girl from image 1 wears the dress from image 2",
                      model="qwen-image-edit-plus", negative_prompt="low quality",
                      prompt_extend=True, watermark=False, size="1024x1536", n=1, seed=42)
    body = get_style("bailian").build_body(
        req, ["data:image/jpeg;base64,/9j/AAA", "https://example.com/second.png"], None)
    assert dumps(body) == dumps(example)


def test_bailian_seed_schema_minimal_body_has_no_parameters():
    req = EditRequest(inputs=("a.png",), prompt="make it snow")
    body = get_style("bailian").build_body(req, [PNG_URI], None)
    assert body == {"model": "qwen-image-edit-plus", "prompt": "make it snow", "input": {
        "messages": [{"role": "user", "content": [{"image": PNG_URI}, {"text": "make it snow"}]}]}}


def test_bailian_three_images_then_one_text_and_n_when_not_one():
    req = EditRequest(inputs=("a", "b", "c"), prompt="combine", n=3)
    body = get_style("bailian").build_body(req, ["u1", "u2", "u3"], "url")
    content = body["input"]["messages"][0]["content"]
    assert content == [{"image": "u1"}, {"image": "u2"}, {"image": "u3"}, {"text": "combine"}]
    assert body["parameters"] == {"n": 3}
    assert body["response_format"] == "url"  # gateway field: top level, not in parameters


def test_bailian_text_to_image_content_is_text_alone():
    req = EditRequest(inputs=(), prompt="a lighthouse", model="qwen-image", size="1328*1328")
    body = get_style("bailian").build_body(req, [], None)
    assert body["input"]["messages"][0]["content"] == [{"text": "a lighthouse"}]
    assert body["parameters"] == {"size": "1328*1328"}


# -- dashscope ---------------------------------------------------------------------------------
def test_dashscope_body_is_bailians_without_response_format_or_top_level_prompt():
    req = EditRequest(inputs=("a.png",), prompt="p", seed=7, watermark=True)
    ds = get_style("dashscope").build_body(req, [PNG_URI], "b64_json")
    bl = get_style("bailian").build_body(req, [PNG_URI], None)
    assert bl.pop("prompt") == "p"  # only relays want it; the native path does not get it
    assert ds == bl
    assert "response_format" not in ds and "prompt" not in ds


def test_dashscope_parses_several_content_items_and_choices():
    body = {
        "output": {"choices": [
            {"finish_reason": "stop", "message": {"role": "assistant", "content": [
                {"image": "https://r/1.png?Expires=1"}, {"image": "https://r/2.png"}]}},
            {"finish_reason": "stop", "message": {"role": "assistant", "content": [
                {"text": "ignored"}, {"image": "https://r/3.png"}]}},
        ]},
        "usage": {"width": 1248, "height": 832, "image_count": 3},
        "request_id": "12bc3915-abc",
    }
    result = get_style("dashscope").parse_success(body)
    assert [r.url for r in result.images] == [
        "https://r/1.png?Expires=1", "https://r/2.png", "https://r/3.png"]
    assert result.usage["image_count"] == 3
    assert result.request_id == "12bc3915-abc"


def test_dashscope_error_inside_a_200_is_raised_as_that_error():
    body = {"request_id": "r1", "code": "DataInspectionFailed",
            "message": "Input data may contain inappropriate content."}
    with pytest.raises(ModerationError) as info:
        get_style("dashscope").parse_success(body)
    assert info.value.request_id == "r1"
    with pytest.raises(InvalidRequestError):
        get_style("dashscope").parse_success({"code": "InvalidParameter", "message": "bad size"})


def test_dashscope_answer_without_images_is_a_bad_response():
    with pytest.raises(BadResponseError):
        get_style("dashscope").parse_success({"output": {"choices": []}, "request_id": "x"})


# -- endpoint URLs -----------------------------------------------------------------------------
@pytest.mark.parametrize("base", [
    "https://gw.example.com", "https://gw.example.com/", "https://gw.example.com/v1",
    "https://gw.example.com/v1/", " https://gw.example.com/v1/images/generations ",
])
@pytest.mark.parametrize("name", ["flat", "bailian"])
def test_gateway_endpoint_url_variants(base, name):
    assert get_style(name).endpoint_url(base) == "https://gw.example.com/v1/images/generations"


def test_gateway_endpoint_keeps_a_path_prefix():
    assert (get_style("flat").endpoint_url("http://127.0.0.1:8080/proxy/v1")
            == "http://127.0.0.1:8080/proxy/v1/images/generations")


@pytest.mark.parametrize("suffix", ["", "/", "/api/v1", "/api/v1/"])
@pytest.mark.parametrize("region", sorted(PRESETS))
def test_dashscope_endpoint_url_variants(region, suffix):
    assert get_style("dashscope").endpoint_url(PRESETS[region] + suffix) == (
        PRESETS[region] + "/api/v1/services/aigc/multimodal-generation/generation")


def test_presets_are_the_two_regions():
    assert PRESETS == {"Beijing": "https://dashscope.aliyuncs.com",
                       "Singapore": "https://dashscope-intl.aliyuncs.com"}


@pytest.mark.parametrize("bad", ["", "   ", "dashscope.aliyuncs.com", "ftp://x.example"])
def test_endpoint_url_refuses_what_is_not_http(bad):
    with pytest.raises(ConfigError):
        get_style("bailian").endpoint_url(bad)


def test_get_style_names_and_unknown():
    assert set(STYLE_NAMES) == {"flat", "bailian", "dashscope"}
    assert all(get_style(n).name == n for n in STYLE_NAMES)
    with pytest.raises(ConfigError, match="openai"):
        get_style("openai")


# -- OpenAI-shape answers (flat and bailian) ---------------------------------------------------
@pytest.mark.parametrize("name", ["flat", "bailian"])
def test_openai_shape_url_and_b64_items_with_empty_strings_absent(name):
    body = {
        "created": 1758636610,
        "data": [
            {"url": "https://r/1.png", "b64_json": "", "revised_prompt": ""},
            {"url": "", "b64_json": "iVBORw0KGgo=", "revised_prompt": "a cat, detailed"},
        ],
        "usage": {"prompt_tokens": 0, "total_tokens": 0,
                  "prompt_tokens_details": {"cached_tokens_details": {}}},
        "metadata": {"anything": [1, {"nested": True}]},
    }
    result = get_style(name).parse_success(body)
    assert result.images == (ResultRef(url="https://r/1.png"), ResultRef(b64_json="iVBORw0KGgo="))
    assert result.revised_prompt == "a cat, detailed"
    assert result.usage["prompt_tokens_details"] == {"cached_tokens_details": {}}
    assert result.metadata == {"anything": [1, {"nested": True}]}
    assert result.created == 1758636610


def test_openai_shape_tolerates_missing_optional_parts():
    result = get_style("flat").parse_success({"data": [{"url": "https://r/x.png"}],
                                              "usage": None, "metadata": "odd"})
    assert result.usage == {} and result.metadata == {} and result.created is None


@pytest.mark.parametrize("body", [
    {"created": 1, "data": []},
    {"created": 1},
    {"data": [{"url": "", "b64_json": ""}]},
    {"data": [{"revised_prompt": "only this"}]},
    {"data": ["https://r/x.png"]},
    ["not", "an", "object"],
])
def test_openai_shape_without_a_usable_image_is_a_bad_response(body):
    with pytest.raises(BadResponseError):
        get_style("bailian").parse_success(body)


def test_openai_error_envelope_inside_a_200_is_raised_as_that_error():
    body = {"error": {"message": "Input data may contain inappropriate content.",
                      "type": "upstream_error", "param": "400", "code": "DataInspectionFailed"}}
    with pytest.raises(ModerationError):
        get_style("flat").parse_success(body)
