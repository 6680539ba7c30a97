"""Pasting an image makes it an input, with its colours: a big Display P3 bitmap, a
semi-transparent one, and an encoded file another app put on the clipboard (kept as it came).

Colours are read back from the input's thumbnail (what the drop zone shows, colour-managed)
and from the written file, and compared with the reference conversion of tests/icc_profiles.py.
"""

from __future__ import annotations

import io
from pathlib import Path

from icc_profiles import DISPLAY_P3, icc_profile, reference_to_srgb
from PIL import Image
from PySide6.QtCore import QByteArray, QMimeData
from PySide6.QtGui import QColor, QColorSpace, QImage
from PySide6.QtWidgets import QApplication
from window_helpers import until

P3_GREEN = (20, 210, 60)  # far outside sRGB: shown raw it would look clearly different
TOLERANCE = 2  # levels of 255: conversion and thumbnail rounding


def _paste(window, qloop, mime: QMimeData | None = None, image: QImage | None = None) -> Path:
    if mime is not None:
        QApplication.clipboard().setMimeData(mime)
    else:
        assert image is not None
        QApplication.clipboard().setImage(image)

    async def scenario():
        window.paste_action.trigger()
        await until(lambda: window.inputs and window.inputs[0].thumbnail is not None, 30,
                    "the pasted input")

    qloop.run(scenario())
    return window.inputs[0].path


def _close(rgb: tuple[int, ...], ref: tuple[float, ...]) -> bool:
    return all(abs(a - b) <= TOLERANCE for a, b in zip(rgb[:3], ref, strict=True))


def test_a_big_pasted_p3_bitmap_becomes_an_input_that_keeps_its_colours(make_window, qloop):
    window = make_window()
    img = QImage(6000, 4000, QImage.Format.Format_RGB32)
    img.fill(QColor(*P3_GREEN))
    img.setColorSpace(QColorSpace.fromIccProfile(QByteArray(icc_profile(DISPLAY_P3))))
    pasted = _paste(window, qloop, image=img)

    assert pasted.suffix == ".png" and pasted.is_file()
    with Image.open(pasted) as im:
        assert im.size == (6000, 4000)
        assert im.getpixel((3000, 2000))[:3] == P3_GREEN  # the pixels as they were
        assert im.info.get("icc_profile")  # … and what they mean
    thumb = window.inputs[0].thumbnail
    shown = thumb.pixelColor(thumb.width() // 2, thumb.height() // 2).getRgb()
    assert _close(shown, reference_to_srgb(DISPLAY_P3, P3_GREEN)), shown


def test_a_pasted_semi_transparent_bitmap_keeps_its_colour_and_alpha(make_window, qloop):
    window = make_window()
    img = QImage(300, 200, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(QColor(200, 100, 50, 128))  # stored premultiplied; the PNG is straight alpha
    pasted = _paste(window, qloop, image=img)

    with Image.open(pasted) as im:
        r, g, b, a = im.convert("RGBA").getpixel((150, 100))
    assert a == 128 and _close((r, g, b), (200, 100, 50)), (r, g, b, a)


def test_an_encoded_image_on_the_clipboard_becomes_an_input_as_it_came(make_window, qloop):
    window = make_window()
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), P3_GREEN).save(buf, "JPEG", quality=95,
                                                icc_profile=icc_profile(DISPLAY_P3))
    mime = QMimeData()
    mime.setData("image/jpeg", QByteArray(buf.getvalue()))
    pasted = _paste(window, qloop, mime=mime)

    assert pasted.suffix == ".jpg"
    assert pasted.read_bytes() == buf.getvalue()  # not decoded and encoded again
    thumb = window.inputs[0].thumbnail
    shown = thumb.pixelColor(thumb.width() // 2, thumb.height() // 2).getRgb()
    assert _close(shown, reference_to_srgb(DISPLAY_P3, P3_GREEN)), shown
