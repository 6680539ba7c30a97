"""The region step as the edit runner uses it: a region edit with a reference and n = 2
through the sandbox over HTTP, composites embedded with their metadata."""

from __future__ import annotations

import base64
import io
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

from qwen_studio.core.client import ImageClient
from qwen_studio.core.endpoint import Endpoint
from qwen_studio.core.http_session import make_http_client
from qwen_studio.core.png_metadata import metadata_for, read_png_metadata
from qwen_studio.core.region import changed_pixels
from qwen_studio.core.region_spec import RegionSpec
from qwen_studio.core.region_step import RegionStep
from qwen_studio.core.request import EditRequest


def _image(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> Image.Image:
    im = Image.effect_noise(size, 30).convert("RGB")
    ImageDraw.Draw(im).rectangle((50, 50, size[0] - 50, size[1] - 50), outline=colour, width=20)
    im.save(path)
    return im


def _decoded(uri: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))


async def _run(base_url: str, request: EditRequest, pool: ThreadPoolExecutor
               ) -> tuple[RegionStep, tuple[bytes, ...]]:
    step = await RegionStep.start(request, pool, takes_size=True)
    assert step is not None
    async with make_http_client() as http:
        client = ImageClient(http, Endpoint(base_url, "bailian", "test-key", "test"))
        result = await client.generate(step.request, step.images)
        answers = [await client.fetch_image(ref) for ref in result.images]
    pngs = await step.finish(answers, lambda k: metadata_for(
        request, {"region": step.plan.record(), "result_index": k}))
    return step, pngs


def test_region_step_with_a_reference_and_two_results(sandbox, run_async, tmp_path: Path) -> None:
    src = _image(tmp_path / "edit.png", (2000, 1500), (200, 40, 40))
    _image(tmp_path / "ref.png", (600, 900), (40, 200, 40))  # portrait: its aspect must not win
    rect = (1200, 500, 400, 300)
    spec = RegionSpec(rect=rect, feather=6)
    request = EditRequest(inputs=(str(tmp_path / "edit.png"), str(tmp_path / "ref.png")),
                          prompt="the shirt from image 2", n=2, region=spec)
    with ThreadPoolExecutor(2) as pool:
        step, pngs = run_async(_run(sandbox.base_url, request, pool))

    content = sandbox.received[-1]["input"]["messages"][0]["content"]
    first, second = _decoded(content[0]["image"]), _decoded(content[1]["image"])
    assert first.size == step.plan.crop_size  # image 1 is the crop, image 2 the reference
    assert second.size == (600, 900)
    assert sandbox.received[-1]["parameters"]["size"] == step.plan.ask_size_text
    assert len(pngs) == 2
    keep = Image.new("L", src.size, 255)
    x, y, w, h = rect
    keep.paste(0, (x - 6, y - 6, x + w + 6, y + h + 6))
    outs = []
    for k, png in enumerate(pngs):
        out = Image.open(io.BytesIO(png)).convert("RGB")
        assert out.size == src.size
        assert ImageChops.multiply(changed_pixels(src, out), keep).getbbox() is None
        record = json.loads(read_png_metadata(png)["qwen_studio"])
        assert record["result_index"] == k and record["region"]["crop"] == list(step.plan.crop)
        assert record["request"]["region"] == spec.to_dict()
        outs.append(out)
    inside = (x, y, x + w, y + h)
    assert changed_pixels(outs[0].crop(inside), outs[1].crop(inside)).getbbox() is not None


def test_no_region_no_step(run_async, tmp_path: Path) -> None:
    _image(tmp_path / "a.png", (800, 600), (1, 2, 3))
    plain = EditRequest(inputs=(str(tmp_path / "a.png"),), prompt="x")
    assert run_async(RegionStep.start(plain)) is None
    whole = plain.with_changes(region=RegionSpec(rect=(0, 0, 800, 600)))
    assert run_async(RegionStep.start(whole)) is None
