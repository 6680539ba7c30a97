"""A file that starts like an image but stops too soon says it is cut short, naming the
file; text says it is text. A 3-byte JPEG was reported as "the file contains text": the
text check read a JPEG's 0xFF as a multi-byte character cut at the end of the sample."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from qwen_studio.core.errors import InputImageError
from qwen_studio.core.pipeline import prepare_image

TRUNCATED = "the file is incomplete (truncated)"
TEXT = "this is not an image (the file contains text)"


def encoded(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.effect_noise((200, 150), 60).convert("RGB").save(buf, fmt)
    return buf.getvalue()


CASES = [
    ("zero.png", lambda: b"", "the file is empty (0 bytes)"),
    ("three.jpg", lambda: b"\xff\xd8\xff", TRUNCATED),
    ("two.jpg", lambda: encoded("JPEG")[:2], TRUNCATED),
    ("header.jpg", lambda: encoded("JPEG")[:20], TRUNCATED),
    ("half.jpg", lambda: (b := encoded("JPEG"))[:len(b) // 2], TRUNCATED),
    ("signature.png", lambda: encoded("PNG")[:8], TRUNCATED),
    ("half.png", lambda: (b := encoded("PNG"))[:len(b) // 2], TRUNCATED),
    ("five.gif", lambda: encoded("GIF")[:5], TRUNCATED),
    ("ten.webp", lambda: encoded("WEBP")[:10], TRUNCATED),
    ("six.tif", lambda: encoded("TIFF")[:6], TRUNCATED),
    ("ten.bmp", lambda: encoded("BMP")[:10], TRUNCATED),
    ("letter.png", lambda: b"Dear diary, this is not a picture.\n", TEXT),
    ("notes.png", lambda: b"BMW service notes\n", TEXT),  # starts like a BMP's "BM"
    ("cafe.png", lambda: "café naïve ".encode() * 3 + "é".encode()[:1], TEXT),
]


@pytest.mark.parametrize(("name", "make", "reason"), CASES, ids=[c[0] for c in CASES])
def test_bad_bytes_get_a_plain_reason_naming_the_file(tmp_path: Path, name, make,
                                                      reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(InputImageError) as caught:
        prepare_image(path)
    assert str(caught.value).startswith(f"{path}: {reason}"), str(caught.value)
