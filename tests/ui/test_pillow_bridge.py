"""QImage <-> Pillow in the pool (ui/image_loading.py to_pillow / from_pillow): the pixels
survive the trip in every format Qt hands us, and each side owns its own memory (a Pillow
image read from a QImage must not change, or point at freed memory, when the QImage does)."""

from __future__ import annotations

import gc

import pytest
from PIL import Image
from PySide6.QtCore import QByteArray
from PySide6.QtGui import QColor, QColorSpace, QImage

from qwen_studio.ui import image_loading as il

F = QImage.Format
COLOUR = QColor(200, 100, 50)
FORMATS = [F.Format_RGB32, F.Format_ARGB32, F.Format_ARGB32_Premultiplied, F.Format_RGBX8888,
           F.Format_RGBA8888, F.Format_RGBA8888_Premultiplied, F.Format_RGB888,
           F.Format_Grayscale8, F.Format_RGB16, F.Format_Indexed8,
           # 16-bit and float pastes (a 16-bit PNG, an HDR screenshot): through Qt's 8 bits
           F.Format_RGBA64, F.Format_Grayscale16, F.Format_RGBA32FPx4, F.Format_Mono]


def _image(fmt: QImage.Format, width: int = 7, height: int = 5) -> QImage:
    """An odd width: rows of 1- and 3-byte formats are padded to 4 bytes."""
    img = QImage(width, height, F.Format_ARGB32).convertToFormat(fmt)
    img.fill(COLOUR)
    return img


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_every_format_reaches_pillow_with_its_pixels(qapp, fmt):
    img = _image(fmt)
    pil = il.to_pillow(img)
    assert pil.size == (7, 5)
    want = img.pixelColor(6, 4)
    got = pil.convert("RGB").getpixel((6, 4))
    assert got == (want.red(), want.green(), want.blue())


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_the_pillow_image_is_a_copy_that_outlives_the_qimage(qapp, fmt):
    img = _image(fmt)
    pil = il.to_pillow(img)
    before = pil.tobytes()
    img.fill(QColor(0, 0, 0))  # writes into the QImage's own bytes
    assert pil.tobytes() == before, "the Pillow image still reads the QImage's memory"
    del img
    gc.collect()
    assert pil.tobytes() == before


def test_a_colour_space_travels_as_an_icc_profile(qapp):
    img = _image(F.Format_RGB32)
    img.setColorSpace(QColorSpace(QColorSpace.NamedColorSpace.DisplayP3))
    pil = il.to_pillow(img)
    assert QColorSpace.fromIccProfile(QByteArray(pil.info["icc_profile"])) == img.colorSpace()
    assert "icc_profile" not in il.to_pillow(_image(F.Format_RGB32)).info  # sRGB: none


@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA"])
def test_from_pillow_owns_its_pixels_opaque(qapp, mode):
    src = Image.new(mode, (9, 3), {"RGB": (10, 20, 30), "L": 77, "RGBA": (10, 20, 30, 40)}[mode])
    want = src.convert("RGB").getpixel((8, 2))
    assert isinstance(want, tuple)
    out = il.from_pillow(src)
    del src
    gc.collect()
    copy = QImage(out)  # shares the pixels: they live as long as any QImage over them
    del out
    gc.collect()
    c = copy.pixelColor(8, 2)
    assert (c.red(), c.green(), c.blue(), c.alpha()) == (*want, 255)
