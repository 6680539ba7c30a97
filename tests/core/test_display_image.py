"""Decoding for display in bands into anonymous memory gives the picture a one-piece Pillow
decode, resize and transpose would give (transposes exactly, resizes within 1 level), with
every opaque pixel's alpha at 255."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from icc_profiles import PROPHOTO, icc_profile, tiff16_bytes
from PIL import Image, ImageChops, ImageDraw

from qwen_studio.core import display_image as di


def _photo(size: tuple[int, int] = (900, 610)) -> Image.Image:
    im = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(im)
    for k in range(0, size[0], 13):
        draw.line((k, 0, size[0] - k, size[1]), fill=(k % 256, 255 - k % 256, 90), width=3)
    return im


def _same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


@pytest.mark.parametrize("mode", ["RGBX", "RGB", "RGBA"])
def test_banded_resize_is_the_one_piece_resize(monkeypatch, mode: str) -> None:
    monkeypatch.setattr(di, "BAND_PIXELS", 5000)  # many bands
    src = _photo().convert(mode)
    _, dst = di._mapped((317, 215), "RGBA" if mode == "RGBA" else "RGBX")
    di.resize_into(dst, src)
    expected = src.resize((317, 215), Image.Resampling.LANCZOS)
    # Pillow takes the band's box as 32-bit floats: a filter tap may round one level apart.
    diff = ImageChops.difference(dst.convert("RGB"), expected.convert("RGB")).getextrema()
    assert max(hi for _lo, hi in diff) <= 1  # type: ignore[union-attr]


@pytest.mark.parametrize("method", list(Image.Transpose), ids=lambda m: m.name)
def test_banded_orientation_is_the_one_piece_transpose(monkeypatch, method) -> None:
    monkeypatch.setattr(di, "BAND_PIXELS", 7000)
    src = _photo((300, 170)).convert("RGBA")
    expected = src.transpose(method)
    _, dst = di._mapped(expected.size)
    di.copy_into(dst, src, method)
    assert _same(dst, expected)


def _alpha_range(px: di.Pixels) -> tuple[int, int]:
    return px.to_image().getchannel("A").getextrema()  # type: ignore[return-value]


def _encoded(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["jpeg", "png", "png-palette", "png-grey", "webp",
                                  "jpeg-cmyk", "tiff16", "jpeg-rotated", "jpeg-draft"])
def test_every_opaque_source_is_shown_opaque_and_unchanged(tmp_path: Path, kind: str) -> None:
    photo = _photo((2700, 1830) if kind == "jpeg-draft" else (900, 610))
    if kind == "tiff16":
        raw = photo.convert("RGB").tobytes()
        pixels = [(raw[i] * 257, raw[i + 1] * 257, raw[i + 2] * 257)
                  for i in range(0, len(raw), 3)]
        data = tiff16_bytes(photo.width, photo.height, pixels, None)
    elif kind == "jpeg-rotated":
        exif = Image.Exif()
        exif[0x0112] = 8
        data = _encoded(photo, "JPEG", quality=95, exif=exif)
    else:
        fmt, src = {"jpeg": ("JPEG", photo), "png": ("PNG", photo),
                    "png-palette": ("PNG", photo.quantize(64)),
                    "png-grey": ("PNG", photo.convert("L")), "webp": ("WEBP", photo),
                    "jpeg-cmyk": ("JPEG", photo.convert("CMYK")),
                    "jpeg-draft": ("JPEG", photo)}[kind]
        data = _encoded(src, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    shown = di.decode_for_display(data, 640, level_sides=(400,), smallest_side=100)
    assert shown.opaque
    for px in (shown.image, *shown.levels):
        assert _alpha_range(px) == (255, 255)
    expected = Image.open(io.BytesIO(data))
    expected.draft(None, _fit(expected.size, 640))  # libjpeg's 1/2 … 1/8 decode, as shown
    expected.load()
    expected = expected.convert("RGB")
    # Resized at the stored orientation, then turned (turning first rounds differently).
    expected = expected.resize(_fit(expected.size, 640), Image.Resampling.LANCZOS)
    if kind == "jpeg-rotated":
        expected = expected.transpose(Image.Transpose.ROTATE_90)
    got = shown.image.to_image().convert("RGB")
    diff = ImageChops.difference(got, expected).getextrema()
    assert max(hi for _lo, hi in diff) <= 2  # type: ignore[union-attr]


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    return di._fit(size, side)


def test_a_transparent_colour_in_an_rgb_png_becomes_transparent() -> None:
    im = Image.new("RGB", (30, 20), (0, 255, 0))
    im.paste((200, 0, 0), (0, 0, 15, 20))
    shown = di.decode_for_display(_encoded(im, "PNG", transparency=(0, 255, 0)))
    assert not shown.opaque
    out = shown.image.to_image()
    assert out.getpixel((20, 10))[3] == 0 and out.getpixel((5, 10)) == (200, 0, 0, 255)


def test_transparency_is_kept_and_flagged() -> None:
    im = Image.new("RGBA", (50, 40), (10, 200, 30, 0))
    im.paste((200, 10, 10, 255), (0, 0, 25, 40))
    shown = di.decode_for_display(_encoded(im, "PNG"))
    assert not shown.opaque
    assert _alpha_range(shown.image) == (0, 255)
    assert shown.image.to_image().getpixel((5, 5)) == (200, 10, 10, 255)


def test_a_16_bit_tiff_is_decoded_into_the_display_memory(tmp_path: Path) -> None:
    pixels = [(65535, 30000, 0)] * (64 * 48)
    path = tmp_path / "wide.tif"
    path.write_bytes(tiff16_bytes(64, 48, pixels, icc_profile(PROPHOTO)))
    shown = di.decode_for_display(path)
    assert (shown.image.width, shown.image.height) == (64, 48)
    r, _g, b, a = shown.image.to_image().getpixel((3, 3))
    assert a == 255 and r == 255 and b < 40  # ProPhoto orange, clipped into sRGB
