"""The region rules (crop with context, answer size, feather), RegionSpec on EditRequest,
and the banded PNG writer the composite uses."""

from __future__ import annotations

import io
import json
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from qwen_studio.core.png_bands import BoxedPng, adler32_combine
from qwen_studio.core.region_mask import (
    MIN_CROP_SIDE,
    answer_size,
    aspect_residual,
    crop_box,
    feathered,
    load_mask,
    service_default_size,
    shape_to_aspect,
)
from qwen_studio.core.region_spec import RegionSpec
from qwen_studio.core.request import EditRequest

# -- crop with context ------------------------------------------------------------------------


def test_crop_grows_the_box_by_half_on_each_side() -> None:
    assert crop_box((1000, 1000, 1400, 1300), (6000, 4000)) == (800, 850, 1600, 1450)


def test_crop_is_cut_at_the_edges_and_at_least_384_a_side() -> None:
    assert crop_box((0, 0, 400, 300), (6000, 4000)) == (0, 0, 600, 450)
    # A small region: 384 px around it; at the edge, shifted into the image.
    assert crop_box((3000, 2000, 3010, 2010), (6000, 4000)) == (2813, 1813, 3197, 2197)
    assert crop_box((5990, 10, 6000, 20), (6000, 4000)) == (5616, 0, 6000, 384)
    # An image smaller than 384 px: the whole side.
    assert crop_box((10, 10, 20, 20), (300, 200)) == (0, 0, 300, 200)


def test_crop_includes_the_feather_and_is_at_most_4_to_1() -> None:
    assert crop_box((1000, 1000, 1010, 1400), (6000, 4000), feather=30)[0] <= 970
    left, top, right, bottom = crop_box((100, 1000, 5900, 1040), (6000, 4000))
    assert (right - left) <= 4 * (bottom - top) + 1


@settings(max_examples=200, deadline=None)
@given(w=st.integers(50, 8000), h=st.integers(50, 8000), data=st.data())
def test_crop_always_holds_the_region_and_feather(w: int, h: int, data: st.DataObject) -> None:
    x0 = data.draw(st.integers(0, w - 1))
    y0 = data.draw(st.integers(0, h - 1))
    x1 = data.draw(st.integers(x0 + 1, w))
    y1 = data.draw(st.integers(y0 + 1, h))
    feather = data.draw(st.integers(0, 64))
    box = crop_box((x0, y0, x1, y1), (w, h), feather=feather)
    left, top, right, bottom = box
    assert 0 <= left <= max(0, x0 - feather) and min(w, x1 + feather) <= right <= w
    assert 0 <= top <= max(0, y0 - feather) and min(h, y1 + feather) <= bottom <= h
    assert right - left >= min(w, MIN_CROP_SIDE) and bottom - top >= min(h, MIN_CROP_SIDE)
    aspect = answer_size(right - left, bottom - top)
    shaped = shape_to_aspect(box, (w, h), aspect)
    assert shaped[0] <= left and shaped[1] <= top and shaped[2] >= right and shaped[3] >= bottom
    # Within the image, the shaped crop has the answer's aspect within half a pixel.
    if shaped[2] - shaped[0] < w and shaped[3] - shaped[1] < h:
        assert aspect_residual(shaped, aspect) <= 0.5 + 1e-9


# -- answer size -------------------------------------------------------------------------------


@pytest.mark.parametrize(("crop", "expected"), [
    ((2448, 1632), (1248, 832)),   # 3:2 at 1 MP
    ((1200, 800), (1200, 800)),    # smaller than 1 MP: its own size
    ((400, 400), (512, 512)),      # never under 512 a side
    ((4000, 1000), (2048, 512)),   # 4:1
])
def test_answer_size(crop: tuple[int, int], expected: tuple[int, int]) -> None:
    assert answer_size(*crop) == expected


def test_answer_sides_are_multiples_of_16_within_limits() -> None:
    for w in range(384, 6000, 97):
        for h in (384, 700, 1333, 2900):
            if max(w, h) > 4 * min(w, h):
                continue
            aw, ah = answer_size(w, h)
            assert aw % 16 == 0 and ah % 16 == 0 and 512 <= aw <= 2048 and 512 <= ah <= 2048


def test_service_default_matches_the_sandbox() -> None:
    from qwen_studio.core.catalog import default_catalog
    from qwen_studio.sandbox.render import output_size

    family = default_catalog().lookup("qwen-image-edit-plus")
    assert family is not None
    for size in ((2448, 1632), (1000, 1000), (900, 1600), (3072, 1024)):
        im = Image.new("RGB", size)
        assert service_default_size(*size) == output_size(family, [im], None)


# -- mask and feather ----------------------------------------------------------------------------


def test_feather_ramps_to_zero_within_its_width() -> None:
    mask = Image.new("L", (200, 100), 0)
    mask.paste(255, (80, 30, 120, 70))
    soft = feathered(mask, 10)
    assert soft.getbbox() == (70, 20, 130, 80)
    assert soft.getpixel((100, 50)) == 255 and soft.getpixel((80, 50)) == 255
    row = [soft.getpixel((x, 50)) for x in range(120, 131)]
    assert row == sorted(row, reverse=True) and row[0] > 200 and row[-1] == 0


def test_mask_alpha_counts_as_black_and_jpeg_noise_is_ignored() -> None:
    im = Image.new("RGBA", (100, 100), (255, 255, 255, 0))
    im.paste((255, 255, 255, 255), (10, 10, 30, 30))
    left, top, right, bottom = load_mask(im, (200, 200)).getbbox()  # bilinear: ±1 px soft
    assert 18 <= left <= 20 and 18 <= top <= 20 and 60 <= right <= 62 and 60 <= bottom <= 62
    noisy = Image.new("L", (100, 100), 5)
    noisy.paste(250, (50, 50, 60, 60))
    assert load_mask(noisy, (100, 100)).getbbox() == (50, 50, 60, 60)


# -- RegionSpec and EditRequest ------------------------------------------------------------------


def test_region_spec_validates() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        RegionSpec()
    with pytest.raises(ValueError, match="exactly one"):
        RegionSpec(mask_sha256="a" * 64, rect=(0, 0, 1, 1))
    with pytest.raises(ValueError, match="X,Y,W,H"):
        RegionSpec(rect=(0, 0, 0, 5))
    with pytest.raises(ValueError, match="feather"):
        RegionSpec(rect=(0, 0, 5, 5), feather=-1)
    with pytest.raises(ValueError, match="sha256"):
        RegionSpec(mask_sha256="xyz")
    assert RegionSpec.parse_rect("10, 20,300,200").rect == (10, 20, 300, 200)
    with pytest.raises(ValueError, match="X,Y,W,H"):
        RegionSpec.parse_rect("10,20,300")


def test_request_round_trips_its_region_and_identity_tells_it_apart() -> None:
    plain = EditRequest(inputs=("a.jpg",), prompt="blue sky")
    region = plain.with_changes(region=RegionSpec(rect=(1, 2, 30, 40), feather=8))
    masked = plain.with_changes(region=RegionSpec(mask_sha256="c" * 64))
    for req in (plain, region, masked):
        assert EditRequest.from_json(req.to_json()) == req
    ids = {r.identity(("h",)) for r in (plain, region, masked)}
    assert len(ids) == 3
    assert region.to_dict()["region"] == {"rect": [1, 2, 30, 40], "feather": 8}


def test_a_plain_request_serialises_as_before() -> None:
    """No "region" key when there is none, so identities of earlier edits still match."""
    plain = EditRequest(inputs=("a.jpg",), prompt="blue sky", seed=3)
    assert "region" not in plain.to_dict()
    before = {"inputs": ["h"], "prompt": "blue sky", "model": plain.model, "style": plain.style,
              "negative_prompt": "", "size": None, "n": 1, "seed": 3, "watermark": None,
              "prompt_extend": None, "extra": []}
    import hashlib

    assert plain.identity(("h",)) == hashlib.sha256(
        json.dumps(before, sort_keys=True).encode()).hexdigest()


# -- banded PNG ---------------------------------------------------------------------------------


def test_adler32_combine() -> None:
    a, b = b"region" * 999, b"edits!" * 1234
    assert adler32_combine(zlib.adler32(a), zlib.adler32(b), len(b)) == zlib.adler32(a + b)


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA", "I;16"])
@pytest.mark.parametrize("box", [(0, 0, 301, 207), (40, 50, 200, 120), (0, 10, 1, 11),
                                 (300, 206, 301, 207), (0, 100, 301, 207)])
def test_boxed_png_decodes_to_the_picture_with_the_new_box(mode: str, box: tuple) -> None:
    def picture(seed: int) -> Image.Image:
        grey = Image.effect_noise((301, 207), 60 + seed).convert("L")
        if mode == "I;16":
            return grey.point(lambda v: v * 250 + 3 + seed, "I").convert("I;16")
        return Image.merge(mode, [grey] * len(mode))

    old, new = picture(0), picture(5)
    writer = BoxedPng(old, box, icc_profile=b"profile" if mode == "RGB" else None)
    left, top, right, _bottom = box
    patch = new.crop(box)
    png = writer.encode(lambda a, b: patch.crop((0, a, right - left, b)))
    out = Image.open(io.BytesIO(png))
    out.load()
    expected = old.copy()
    expected.paste(patch, (left, top))
    assert out.mode == old.mode and out.size == old.size
    assert out.tobytes() == expected.tobytes()
    assert old.crop(box).tobytes() != patch.tobytes()
    if mode == "RGB":
        assert out.info["icc_profile"] == b"profile"
    # The same writer serves every result (n > 1).
    again = Image.open(io.BytesIO(writer.encode(lambda a, b: old.crop(box).crop(
        (0, a, right - left, b)))))
    assert again.tobytes() == old.tobytes()


def test_cli_region_options(tmp_path) -> None:
    import hashlib

    from qwen_studio.core.errors import InputImageError
    from qwen_studio.core.region import region_from_cli

    assert region_from_cli(None, None) == (None, None)
    spec, data = region_from_cli(None, "10,20,300,200", feather=5)
    assert spec == RegionSpec(rect=(10, 20, 300, 200), feather=5) and data is None
    mask = tmp_path / "mask.png"
    Image.new("L", (40, 30), 255).save(mask)
    spec, data = region_from_cli(str(mask), None)
    assert data == mask.read_bytes() and spec is not None
    assert spec.mask_sha256 == hashlib.sha256(data).hexdigest()
    with pytest.raises(ValueError, match="not both"):
        region_from_cli(str(mask), "1,2,3,4")
    with pytest.raises(ValueError, match="cannot be read"):
        region_from_cli(str(tmp_path / "missing.png"), None)
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(InputImageError, match=r"notes\.png"):
        region_from_cli(str(tmp_path / "notes.png"), None)


def test_changes_heatmap_counts_and_places_the_changes() -> None:
    from qwen_studio.core.region import changes_heatmap

    before = Image.new("RGB", (100, 80), (10, 20, 30))
    after = before.copy()
    after.putpixel((70, 10), (11, 20, 30))  # one channel, by one level
    after.paste((200, 0, 0), (5, 40, 15, 50))
    heat, count, box = changes_heatmap(before, after)
    assert count == 101 and box == (5, 10, 71, 50)
    assert heat.getpixel((70, 10)) == (255, 40, 80) and heat.getpixel((50, 70)) != (255, 40, 80)
