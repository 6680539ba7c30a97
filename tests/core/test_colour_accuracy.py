"""Wide-gamut photos are shown in sRGB with the right colours.

The reference is independent of LittleCMS and Qt: the textbook matrix + transfer-curve maths
of tests/icc_profiles.py (primaries -> XYZ D50 -> sRGB, clipped). Tolerance, stated once:
8-bit sources within 1 level of 255 per channel (max) and 0.3 on average; 16-bit sources,
which are shown from their top 8 bits (core/colour.py), within 1 level of the conversion of
those 8 bits and within 5 levels of the full 16-bit values (max, deep ProPhoto shadows).
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest
from icc_profiles import (
    ADOBE_RGB,
    DISPLAY_P3,
    PROPHOTO,
    RgbSpace,
    icc_profile,
    reference_to_srgb,
    tiff16_bytes,
)
from PIL import Image, ImageCms

from qwen_studio.core import colour
from qwen_studio.core.display_image import decode_for_display

MAX_DIFF_8BIT = 1
MEAN_DIFF_8BIT = 0.3
MAX_DIFF_16BIT = 5

# Every corner and edge of the cube (where wide gamuts differ most from sRGB), plus greys.
STEPS = (0, 20, 64, 128, 190, 235, 255)
COLOURS = list(itertools.product(STEPS, repeat=3))


def _rgb(im: Image.Image) -> list[tuple[int, int, int]]:
    data = im.convert("RGB").tobytes()
    return [tuple(data[i:i + 3]) for i in range(0, len(data), 3)]  # type: ignore[misc]


def _diffs(shown: Image.Image, space: RgbSpace, source: list[tuple[int, ...]],
           bits: int = 8) -> list[float]:
    pixels = _rgb(shown)
    out: list[float] = []
    for px, src in zip(pixels, source, strict=True):
        ref = reference_to_srgb(space, src, bits)
        out += [abs(a - b) for a, b in zip(px, ref, strict=True)]
    return out


def _tagged_png(tmp_path: Path, space: RgbSpace) -> Path:
    im = Image.new("RGB", (len(COLOURS), 1))
    im.putdata(COLOURS)
    path = tmp_path / f"{space.name}.png"
    im.save(path, icc_profile=icc_profile(space))  # lossless: only the conversion differs
    return path


@pytest.mark.parametrize("space", [DISPLAY_P3, ADOBE_RGB, PROPHOTO], ids=lambda s: s.name)
def test_wide_gamut_colours_match_the_reference_conversion(tmp_path: Path,
                                                           space: RgbSpace) -> None:
    shown = decode_for_display(_tagged_png(tmp_path, space)).image.to_image()
    diffs = _diffs(shown, space, COLOURS)
    assert max(diffs) <= MAX_DIFF_8BIT
    assert sum(diffs) / len(diffs) <= MEAN_DIFF_8BIT
    # And it was converted at all: most colours moved well beyond rounding.
    moved = [src for px, src in zip(_rgb(shown), COLOURS, strict=True)
             if max(abs(a - b) for a, b in zip(px, src, strict=True)) > 4]
    assert len(moved) > len(COLOURS) // 2


def test_sixteen_bit_prophoto_tiff_matches_the_reference(tmp_path: Path) -> None:
    values = (0, 3000, 16000, 33000, 47000, 60000, 65535)
    pixels = list(itertools.product(values, repeat=3))
    path = tmp_path / "export.tif"
    path.write_bytes(tiff16_bytes(len(pixels), 1, pixels, icc_profile(PROPHOTO)))
    shown = decode_for_display(path).image.to_image()
    assert shown.size == (len(pixels), 1)
    # The conversion itself is exact for what is shown: the top 8 bits of each sample...
    top_bytes = [tuple(v >> 8 for v in p) for p in pixels]
    assert max(_diffs(shown, PROPHOTO, top_bytes)) <= MAX_DIFF_8BIT
    # ...and against the full 16-bit values the 8-bit display path costs at most this much
    # (the deep shadows of gamma 1.8 are where a dropped low byte shows most).
    assert max(_diffs(shown, PROPHOTO, pixels, bits=16)) <= MAX_DIFF_16BIT


def test_conversion_happens_at_display_size_with_the_same_colours(tmp_path: Path) -> None:
    # A flat P3 photo shown as a 64 px thumbnail: the colour is the reference's.
    src = (40, 200, 90)
    path = tmp_path / "flat.png"
    Image.new("RGB", (1200, 800), src).save(path, icc_profile=icc_profile(DISPLAY_P3))
    shown = decode_for_display(path, 64).image.to_image()
    assert shown.size == (64, 43)
    ref = reference_to_srgb(DISPLAY_P3, src)
    assert all(abs(a - b) <= MAX_DIFF_8BIT
               for a, b in zip(shown.getpixel((30, 20)), ref, strict=False))


def test_levels_carry_the_converted_colours(tmp_path: Path) -> None:
    src = (230, 30, 30)
    path = tmp_path / "red.png"
    Image.new("RGB", (3000, 2000), src).save(path, icc_profile=icc_profile(DISPLAY_P3))
    shown = decode_for_display(path, level_sides=(1280,), smallest_side=320)
    assert [max(lv.width, lv.height) for lv in shown.levels] == [1280, 640, 320]
    ref = reference_to_srgb(DISPLAY_P3, src)
    for px in (shown.image, *shown.levels):
        im = px.to_image()
        px = im.getpixel((im.width // 2, im.height // 2))
        assert all(abs(a - b) <= MAX_DIFF_8BIT for a, b in zip(px, ref, strict=False))


def test_srgb_and_untagged_photos_are_left_as_they_are(tmp_path: Path) -> None:
    im = Image.new("RGB", (len(COLOURS), 1))
    im.putdata(COLOURS)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    renamed = srgb.replace(b"sRGB", b"Mine")  # what it calls itself does not matter
    for icc in (None, srgb, renamed):
        buf = io.BytesIO()
        im.save(buf, "PNG", **({"icc_profile": icc} if icc else {}))
        shown = decode_for_display(buf.getvalue()).image.to_image()
        assert _rgb(shown) == COLOURS
    assert colour.srgb_transform(srgb, "RGB") is None


def test_an_unusable_profile_leaves_the_colours_and_shows_the_image(tmp_path: Path) -> None:
    im = Image.new("RGB", (8, 8), (10, 120, 240))
    for icc in (b"not a profile", icc_profile(DISPLAY_P3)[:200]):
        buf = io.BytesIO()
        im.save(buf, "PNG", icc_profile=icc)
        shown = decode_for_display(buf.getvalue()).image.to_image()
        assert shown.getpixel((4, 4)) == (10, 120, 240, 255)
    with pytest.raises(colour.ProfileError):
        colour.srgb_transform(b"not a profile", "RGB")
    with pytest.raises(colour.ProfileError):  # an RGB profile on a grey image
        colour.srgb_transform(icc_profile(DISPLAY_P3), "L")


def test_transparency_survives_the_conversion(tmp_path: Path) -> None:
    im = Image.new("RGBA", (4, 4), (0, 255, 0, 100))
    buf = io.BytesIO()
    im.save(buf, "PNG", icc_profile=icc_profile(DISPLAY_P3))
    shown = decode_for_display(buf.getvalue())
    assert not shown.opaque
    r, g, b, a = shown.image.to_image().getpixel((1, 1))
    ref = reference_to_srgb(DISPLAY_P3, (0, 255, 0))
    assert a == 100
    assert all(abs(x - y) <= MAX_DIFF_8BIT for x, y in zip((r, g, b), ref, strict=True))


def test_exif_orientation_is_applied_after_the_conversion(tmp_path: Path) -> None:
    im = Image.new("RGB", (60, 40), (200, 30, 30))
    im.paste((30, 30, 200), (0, 0, 30, 40))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: shown rotated 90° clockwise
    path = tmp_path / "portrait.jpg"
    im.save(path, quality=98, exif=exif, icc_profile=icc_profile(ADOBE_RGB))
    shown = decode_for_display(path).image.to_image()
    assert shown.size == (40, 60)
    top = shown.getpixel((20, 5))  # the stored left half is now on top
    assert top[2] > 150 and top[0] < 80


def test_inputs_sent_to_the_service_are_converted_to_srgb(tmp_path: Path) -> None:
    # The service works in sRGB: a large P3 photo is shrunk to the send limit, converted
    # (at that size) and sent untagged. Flat patches, so JPEG's own error stays small.
    import base64

    from qwen_studio.core.pipeline import prepare_image

    patches = [(230, 30, 30), (20, 210, 60), (40, 60, 220), (128, 128, 128)]
    im = Image.new("RGB", (4000, 1000))
    for i, c in enumerate(patches):
        im.paste(c, (i * 1000, 0, (i + 1) * 1000, 1000))
    path = tmp_path / "phone.png"
    im.save(path, icc_profile=icc_profile(DISPLAY_P3))
    sent = prepare_image(path)
    assert (sent.width, sent.height) == (3072, 768)
    assert any("to sRGB" in n for n in sent.notes)
    out = Image.open(io.BytesIO(base64.b64decode(sent.data_uri.split(",", 1)[1])))
    assert out.info.get("icc_profile") is None
    for i, c in enumerate(patches):
        px = out.convert("RGB").getpixel((i * 768 + 384, 384))
        ref = reference_to_srgb(DISPLAY_P3, c)
        assert all(abs(a - b) <= 3 for a, b in zip(px, ref, strict=True)), (c, px, ref)
