"""What the sandbox's HTTP tests share (tests/core/test_sandbox*.py): request bodies in
each style, image data URIs, and the `client` / `post` fixtures over a real loopback
client (import client_fixture / post_fixture: they register under those names)."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from qwen_studio.sandbox import SandboxServer

KEY = "test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
GATEWAY = "/v1/images/generations"
NATIVE = "/api/v1/services/aigc/multimodal-generation/generation"


# -- helpers ------------------------------------------------------------------------------------
def data_uri(w: int = 512, h: int = 384, colour: tuple[int, int, int] = (30, 160, 90),
             fmt: str = "PNG") -> str:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), colour).save(buf, fmt)
    mime = "jpeg" if fmt == "JPEG" else fmt.lower()
    return f"data:image/{mime};base64,{base64.b64encode(buf.getvalue()).decode()}"


IMG = data_uri()


def truncated_png_uri() -> str:
    buf = io.BytesIO()
    Image.effect_noise((512, 512), 64).save(buf, "PNG")
    cut = buf.getvalue()[: buf.tell() // 2]
    return "data:image/png;base64," + base64.b64encode(cut).decode()


def flat_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "qwen-image-edit-2509", "prompt": "put a duck on the shirt",
                            "image": IMG, "size": "512x512"}
    body.update(over)
    return {k: v for k, v in body.items() if v is not None}


def bailian_body(images: list[str] | None = None, text: str = "make it sunny",
                 model: str = "qwen-image-edit-plus", **params: Any) -> dict[str, Any]:
    content: list[dict[str, str]] = [{"image": u} for u in (images if images is not None
                                                           else [IMG])]
    content.append({"text": text})
    params.setdefault("size", "512*512")
    return {"model": model,
            "input": {"messages": [{"role": "user", "content": content}]},
            "parameters": {k: v for k, v in params.items() if v is not None}}


def decode_png(data: bytes) -> Image.Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


@pytest.fixture(name="client")
def client_fixture() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(20.0)) as c:
        yield c


@pytest.fixture(name="post")
def post_fixture(sandbox: SandboxServer, client: httpx.Client):
    def _post(body: Any, path: str = GATEWAY, headers: dict[str, str] | None = None
              ) -> httpx.Response:
        return client.post(sandbox.base_url + path, json=body,
                           headers=AUTH if headers is None else headers)

    return _post
