"""A region edit through the sandbox over real HTTP: the service receives the crop (not
the photo), answers at its own size or the asked one, and the composite keeps the rest."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

from qwen_studio.core.client import ImageClient
from qwen_studio.core.endpoint import Endpoint
from qwen_studio.core.http_session import make_http_client
from qwen_studio.core.region import changed_pixels, composite, plan_region
from qwen_studio.core.region_spec import RegionSpec
from qwen_studio.core.request import EditRequest


def _photo(path: Path, size: tuple[int, int]) -> Image.Image:
    im = Image.effect_noise(size, 40).convert("RGB")
    ImageDraw.Draw(im).ellipse((100, 100, size[0] - 100, size[1] - 100), fill=(200, 60, 40))
    im.save(path)
    return im


async def _edit(base_url: str, request: EditRequest, images: list[str]) -> bytes:
    async with make_http_client() as http:
        client = ImageClient(http, Endpoint(base_url, request.style, "test-key", "test"))
        result = await client.generate(request, images)
        return await client.fetch_image(result.images[0])


@pytest.mark.parametrize("takes_size", [True, False], ids=["asked-size", "service-size"])
def test_region_edit_through_the_sandbox(sandbox, run_async, tmp_path: Path,
                                         takes_size: bool) -> None:
    src = _photo(tmp_path / "in.png", (2400, 1600))
    rect = (1500, 300, 420, 260)
    spec = RegionSpec(rect=rect, feather=10)
    plan = plan_region(tmp_path / "in.png", spec, takes_size=takes_size)
    assert plan is not None
    request = EditRequest(inputs=(str(tmp_path / "in.png"),), prompt="make it blue",
                          model="qwen-image-edit-plus", size=plan.ask_size_text, region=spec)
    answer = run_async(_edit(sandbox.base_url, request, [plan.prepared.data_uri]))

    body = sandbox.received[-1]
    item = body["input"]["messages"][0]["content"][0]["image"]
    sent = Image.open(io.BytesIO(base64.b64decode(item.split(",", 1)[1])))
    assert sent.size == plan.crop_size and sent.size != src.size
    got = Image.open(io.BytesIO(answer)).size
    assert got == plan.expected_answer
    if takes_size:
        assert body["parameters"]["size"] == plan.ask_size_text
    else:
        assert "size" not in body.get("parameters", {})

    out = Image.open(io.BytesIO(composite(plan, answer)))
    out.load()
    assert out.size == src.size
    keep = Image.new("L", src.size, 255)
    x, y, w, h = rect
    keep.paste(0, (x - 10, y - 10, x + w + 10, y + h + 10))
    assert ImageChops.multiply(changed_pixels(src, out), keep).getbbox() is None
    inside = changed_pixels(src.crop((x, y, x + w, y + h)), out.crop((x, y, x + w, y + h)))
    assert inside.histogram()[255] > 0.95 * w * h
