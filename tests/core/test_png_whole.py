"""png_bands.encode_whole: a whole PNG written strip by strip (zlib releases the GIL), the
pasted bitmap's file. Decoded by Pillow it is the picture exactly, with its profile."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops

from qwen_studio.core import png_bands
from qwen_studio.core.png_bands import encode_whole


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA"])
def test_the_png_decodes_to_the_same_pixels(monkeypatch: pytest.MonkeyPatch, mode: str
                                            ) -> None:
    monkeypatch.setattr(png_bands, "_IDAT_CHUNK", 4096)  # several IDAT chunks
    picture = Image.effect_noise((301, 203), 70).convert(mode)
    data = b"".join(encode_whole(picture, icc_profile=b"not checked by PNG readers"))
    with Image.open(io.BytesIO(data)) as back:
        back.load()
        assert back.mode == mode and back.size == picture.size
        assert ImageChops.difference(back.convert("RGBA"), picture.convert("RGBA")
                                     ).getbbox() is None
        assert back.info["icc_profile"] == b"not checked by PNG readers"


def test_a_16_bit_grey_picture_stays_16_bit() -> None:
    picture = Image.linear_gradient("L").resize((256, 70)).convert("I").point(
        lambda v: v * 257).convert("I;16")
    with Image.open(io.BytesIO(b"".join(encode_whole(picture)))) as back:
        assert back.mode.startswith("I") and back.getpixel((255, 5)) == picture.getpixel((255, 5))
