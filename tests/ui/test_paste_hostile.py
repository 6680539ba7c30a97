"""Pasting what is not what it claims: garbage under image/png, text under image/webp, an
empty image/png, an encoded image too big to be an input. The window names the problem
inline (the drop zone, as for a dropped file) and adds nothing; nothing turns into a
traceback or a "background task failed" notice."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QMimeData
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from window_helpers import until

from qwen_studio.core import paths


def _paste(window, qloop, formats: dict[str, bytes], bitmap: bool = False) -> str:
    mime = QMimeData()
    if bitmap:  # a bitmap only (as a screenshot tool puts it): Pillow encodes it
        img = QImage(40, 30, QImage.Format.Format_RGB32)
        img.fill(QColor(10, 20, 30))
        mime.setImageData(img)
    else:
        for kind, data in formats.items():
            mime.setData(kind, QByteArray(data))
    QApplication.clipboard().setMimeData(mime)

    async def scenario():
        window.paste_action.trigger()
        await until(lambda: window.drop_zone.message() or window.inputs, 30,
                    "the paste's outcome")

    qloop.run(scenario())
    return window.drop_zone.message()


def _failures(window) -> list[str]:
    return [m for m in (window.banner.message(),) if "failed" in m.casefold()]


@pytest.mark.parametrize(("kind", "data"), [
    ("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 50),  # a PNG's signature, then junk
    ("image/webp", b"just some text someone copied"),
    ("image/jpeg", b"\xff\xd8\xff"),  # a JPEG's first bytes and nothing more
])
def test_bytes_that_are_not_the_image_they_claim_are_named_not_added(
        make_window, qloop, kind, data):
    window = make_window()
    message = _paste(window, qloop, {kind: data})
    assert window.inputs == []
    assert "pasted" in message, message  # the file the paste became is named …
    assert "Traceback" not in message and not _failures(window)


def test_an_empty_encoded_image_falls_back_to_the_text_or_says_empty(make_window, qloop):
    window = make_window()
    message = _paste(window, qloop, {"image/png": b"", "text/plain": b"hello"})
    assert window.inputs == []
    assert message and not _failures(window)
    pasted = paths.cache_dir() / "pasted"
    assert not pasted.exists() or not any(pasted.iterdir()), "an empty paste wrote a file"


@pytest.mark.parametrize("bitmap", [False, True], ids=["encoded", "bitmap"])
def test_a_cache_folder_that_cannot_take_the_paste_is_named_with_the_reason(
        make_window, qloop, bitmap):
    blocker = paths.cache_dir() / "pasted"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_bytes(b"")  # a file where the folder goes: nothing can be written in it
    window = make_window()
    message = _paste(window, qloop, {"image/png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64},
                     bitmap=bitmap)
    assert window.inputs == []
    assert "pasted" in message and "could not be kept" in message, message
    assert "Not a directory" in message or "File exists" in message, message
