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


def _jpeg_and_png() -> tuple[bytes, bytes]:
    jpg, png = io.BytesIO(), io.BytesIO()
    photo = Image.new("RGB", (320, 240), P3_GREEN)
    photo.save(jpg, "JPEG", quality=90, icc_profile=icc_profile(DISPLAY_P3))
    photo.save(png, "PNG", icc_profile=icc_profile(DISPLAY_P3))
    return jpg.getvalue(), png.getvalue()


def test_the_format_the_source_lists_first_is_the_one_kept(make_window, qloop):
    """A photo's own JPEG listed first (a phone, a photo app) is kept as it came, not the
    bigger PNG re-encode after it; a bitmap offered PNG-first (Qt, GTK, browsers) keeps the
    lossless PNG, not the lossy JPEG conversion."""
    jpg, png = _jpeg_and_png()
    window = make_window()
    mime = QMimeData()
    mime.setData("image/jpeg", QByteArray(jpg))
    mime.setData("image/png", QByteArray(png))
    pasted = _paste(window, qloop, mime=mime)
    assert pasted.suffix == ".jpg" and pasted.read_bytes() == jpg

    window.clear_inputs()
    mime = QMimeData()
    mime.setData("image/png", QByteArray(png))
    mime.setData("image/jpeg", QByteArray(jpg))
    pasted = _paste(window, qloop, mime=mime)
    assert pasted.suffix == ".png" and pasted.read_bytes() == png


def test_a_dropped_encoded_image_becomes_an_input_as_it_came(make_window, qloop):
    """Dropped image data (not a file) is written as its bytes in the pool: not decoded on
    the GUI thread by QMimeData.imageData() and encoded again as PNG."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    jpg, _ = _jpeg_and_png()
    window = make_window()
    mime = QMimeData()
    mime.setData("image/jpeg", QByteArray(jpg))
    zone = window.drop_zone
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    pos = QPointF(zone.rect().center())
    QApplication.sendEvent(zone, QDragEnterEvent(pos.toPoint(), *args))
    drop = QDropEvent(pos, *args)
    QApplication.sendEvent(zone, drop)
    assert drop.isAccepted()

    async def scenario():
        await until(lambda: window.inputs and window.inputs[0].thumbnail is not None, 30,
                    "the dropped input")

    qloop.run(scenario())
    dropped = window.inputs[0].path
    assert dropped.suffix == ".jpg" and dropped.read_bytes() == jpg
    thumb = window.inputs[0].thumbnail
    shown = thumb.pixelColor(thumb.width() // 2, thumb.height() // 2).getRgb()
    assert _close(shown, reference_to_srgb(DISPLAY_P3, P3_GREEN)), shown


def test_old_pasted_files_are_pruned_after_a_paste(make_window, qloop):
    import os

    from qwen_studio.core import paths
    from qwen_studio.core.pasted_files import KEEP_SECONDS

    folder = paths.cache_dir() / "pasted"
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / "pasted-20200101-000000-aaaaaa.png"
    old.write_bytes(b"an old paste")
    os.utime(old, (0, 0))
    assert KEEP_SECONDS < 1e9
    window = make_window()
    jpg, _ = _jpeg_and_png()
    mime = QMimeData()
    mime.setData("image/jpeg", QByteArray(jpg))
    pasted = _paste(window, qloop, mime=mime)

    async def scenario():
        await until(lambda: not old.exists(), 30, "the old paste to go")

    qloop.run(scenario())
    assert pasted.exists()  # the input's own file stays


def _ppm() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 90)).save(buf, "PPM")
    return buf.getvalue()


def test_an_image_outside_the_six_formats_is_decoded_in_the_pool(make_window, qloop,
                                                                 monkeypatch):
    """A format Qt reads but the pipeline does not take (here PPM) becomes a PNG input:
    decoded in the pool, not on the GUI thread by QMimeData.imageData()."""
    import threading

    from qwen_studio.ui import image_loading as il

    gui = threading.current_thread()
    threads: list[threading.Thread] = []
    decode = il.decode_image

    def watched(source, max_side=None):
        threads.append(threading.current_thread())
        return decode(source, max_side)

    monkeypatch.setattr(il, "decode_image", watched)
    window = make_window()
    mime = QMimeData()
    mime.setData("image/x-portable-pixmap", QByteArray(_ppm()))
    pasted = _paste(window, qloop, mime=mime)

    assert pasted.suffix == ".png"
    with Image.open(pasted) as im:
        assert im.size == (64, 48) and im.convert("RGB").getpixel((5, 5)) == (200, 40, 90)
    assert threads and gui not in threads, threads


def test_undecodable_data_outside_the_six_says_why_in_the_drop_zone(make_window, qloop):
    window = make_window()
    mime = QMimeData()
    mime.setData("image/x-portable-pixmap", QByteArray(b"P6\n64 48\n255\n" + b"\x00" * 9))
    QApplication.clipboard().setMimeData(mime)

    async def scenario():
        window.paste_action.trigger()
        await until(lambda: window.drop_zone.message(), 30, "the drop zone's reason")

    qloop.run(scenario())
    assert not window.inputs and "truncated" in window.drop_zone.message()
