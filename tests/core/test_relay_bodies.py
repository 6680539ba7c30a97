"""Bodies every relay accepts: the app's real client against the sandbox behaving as new-api,
and `qwen-studio models` against endpoints that list their models and ones that do not."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from qwen_studio.__main__ import main
from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
from qwen_studio.core.errors import ApiError
from qwen_studio.core.request import EditRequest
from qwen_studio.sandbox import SandboxServer

KEY = "relay-key"


def data_uri(size: tuple[int, int] = (640, 480)) -> str:
    buf = io.BytesIO()
    Image.new("RGB", size, (90, 140, 200)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@pytest.fixture
def new_api() -> Iterator[SandboxServer]:
    server = SandboxServer(api_key=KEY, gateway="new-api").start()
    try:
        yield server
    finally:
        server.stop()


async def generate(server: SandboxServer, request: EditRequest, images: list[str]):
    endpoint = Endpoint(server.base_url + "/v1", request.style, KEY)
    async with make_http_client() as http:
        client = ImageClient(http, endpoint, ClientSettings(max_attempts=1))
        result = await client.generate(request, images)
        pngs = [await client.fetch_image(ref) for ref in result.images]
    return result, [Image.open(io.BytesIO(p)).size for p in pngs]


def test_bailian_bodies_pass_new_api_with_every_option(new_api, run_async):
    req = EditRequest(inputs=("a.png",), prompt="add a scarf", model="qwen-image-2.0-pro",
                      style="bailian", seed=42, negative_prompt="blur", prompt_extend=False,
                      n=2)
    result, sizes = run_async(generate(new_api, req, [data_uri()]))
    assert sizes == [(640, 480), (640, 480)]  # an edit: the input's size, two results
    sent = new_api.received[-1]
    assert sent["prompt"] == "add a scarf"  # what new-api requires
    upstream = new_api.forwarded[-1]["parameters"]
    assert upstream["seed"] == 42 and upstream["negative_prompt"] == "blur"
    assert upstream["prompt_extend"] is False and not result.revised_prompt


def test_new_api_refuses_a_bailian_body_without_a_top_level_prompt(new_api):
    body = {"model": "qwen-image-edit-plus", "input": {"messages": [
        {"role": "user", "content": [{"image": data_uri()}, {"text": "add a scarf"}]}]}}
    r = httpx.post(new_api.base_url + "/v1/images/generations", json=body,
                   headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 400 and r.json()["error"]["message"] == "prompt is required"


def test_flat_bodies_lose_what_new_api_drops_and_the_request_says_so(new_api, run_async):
    req = EditRequest(inputs=("a.png",), prompt="a lighthouse at dusk", model="qwen-image-2.0",
                      style="flat", seed=42, negative_prompt="blur", size="1024x1024")
    note = req.notes()[0]
    assert note.code == "style_loses" and note.params["better"] == "bailian"
    _result, sizes = run_async(generate(new_api, req, [data_uri()]))
    upstream = new_api.forwarded[-1]
    assert upstream["parameters"] == {"size": "1024*1024", "n": 1}  # seed, negative: gone
    content = upstream["input"]["messages"][0]["content"]
    assert content == [{"text": "a lighthouse at dusk"}]  # the photo never reached the model
    assert sizes == [(1024, 1024)]


def test_a_flat_edit_through_new_api_arrives_without_its_photo(new_api, run_async):
    req = EditRequest(inputs=("a.png",), prompt="add a scarf", model="qwen-image-edit-plus",
                      style="flat")
    assert "input images" in req.notes()[0]
    with pytest.raises(ApiError) as info:
        run_async(generate(new_api, req, [data_uri()]))
    assert info.value.detail.status == 400
    assert "image items" in info.value.detail.provider_message


def test_the_native_path_gets_no_top_level_prompt(sandbox, run_async):
    req = EditRequest(inputs=("a.png",), prompt="add a scarf", model="qwen-image-edit-max",
                      style="dashscope")
    endpoint = Endpoint(sandbox.base_url, "dashscope", "test-key")

    async def go():
        async with make_http_client() as http:
            return await ImageClient(http, endpoint).generate(req, [data_uri()])

    run_async(go())
    assert "prompt" not in sandbox.received[-1]


# -- qwen-studio models ---------------------------------------------------------------------------
def models_json(base_url: str, capsys: pytest.CaptureFixture[str], monkeypatch) -> list[dict]:
    monkeypatch.setenv("QWEN_STUDIO_API_KEY", KEY)
    assert main(["models", "--endpoint", base_url, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_models_merges_the_catalog_with_the_endpoints_list(capsys, monkeypatch):
    listed = ["qwen-image-edit-plus", "qwen-image-4.0-preview", "qwen-image-edit-max-2027-01-01",
              "gpt-4o"]
    with SandboxServer(api_key=KEY, listed_models=listed) as server:
        models = models_json(server.base_url + "/v1", capsys, monkeypatch)
    by_id = {m["id"]: m for m in models}
    assert by_id["qwen-image-edit-plus"]["source"] == "catalog+endpoint"
    assert by_id["qwen-image-2.0-pro"]["source"] == "catalog"
    assert by_id["qwen-image-2.0-pro"]["recommended"] is True
    assert by_id["qwen-image-4.0-preview"]["source"] == "endpoint"
    assert by_id["qwen-image-4.0-preview"]["family"] is None  # offered, limits unknown
    assert by_id["qwen-image-edit-max-2027-01-01"]["family"] == "qwen-image-edit-max"
    assert "gpt-4o" not in by_id  # a chat model is no image model
    assert models[0]["recommended"]  # recommended first


def test_models_without_a_listing_is_the_catalog_alone_and_no_error(capsys, monkeypatch):
    with SandboxServer(api_key=KEY, list_models=False) as server:
        models = models_json(server.base_url, capsys, monkeypatch)
    assert {m["source"] for m in models} == {"catalog"}
    assert "qwen-image-edit-2509" in {m["id"] for m in models}


def test_a_listing_that_cannot_be_had_is_a_note_never_an_error(run_async):
    from qwen_studio.core.model_list import fetch_listing, fetch_listing_blocking

    for base in ("http://127.0.0.1:9", "not a url", "http://[bad"):
        endpoint = Endpoint(base, "bailian", KEY)
        assert fetch_listing_blocking(endpoint, timeout=2).ids is None

        async def go(ep=endpoint):
            async with make_http_client() as http:
                return await fetch_listing(http, ep, timeout=2)

        listing = run_async(go())
        assert listing.ids is None and listing.note
