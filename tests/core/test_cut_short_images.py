"""A file that starts like an image but stops too soon says it is cut short, naming the
file; text says it is text. A 3-byte JPEG was reported as "the file contains text": the
text check read a JPEG's 0xFF as a multi-byte character cut at the end of the sample."""

from __future__ import annotations

import io
import struct
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
    ("twenty.webp", lambda: encoded("WEBP")[:20], TRUNCATED),
    ("half.webp", lambda: (b := encoded("WEBP"))[:len(b) // 2], TRUNCATED),
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


def whole_tiff_in_an_unknown_encoding() -> bytes:
    """A complete TIFF whose photometric interpretation (LogL) Pillow cannot read."""
    data = bytearray(encoded("TIFF"))
    ifd = struct.unpack("<I", data[4:8])[0]
    for i in range(struct.unpack("<H", data[ifd:ifd + 2])[0]):
        entry = ifd + 2 + 12 * i
        if struct.unpack("<H", data[entry:entry + 2])[0] == 262:  # PhotometricInterpretation
            data[entry + 8:entry + 10] = struct.pack("<H", 32844)
    return bytes(data)


def test_a_whole_webp_with_damaged_data_is_damaged_not_cut_short(tmp_path: Path) -> None:
    # The RIFF header's length is the evidence: whole, it is damaged, not incomplete.
    data = bytearray(encoded("WEBP"))
    data[20:40] = b"\x00" * 20
    path = tmp_path / "scrambled.webp"
    path.write_bytes(bytes(data))
    with pytest.raises(InputImageError) as caught:
        prepare_image(path)
    assert "truncated" not in str(caught.value) and "damaged" in str(caught.value)


def test_a_whole_file_pillow_cannot_read_is_not_called_cut_short(tmp_path: Path) -> None:
    # Evidence of truncation is the read running out of bytes, not the first bytes alone.
    path = tmp_path / "logl.tif"
    path.write_bytes(whole_tiff_in_an_unknown_encoding())
    with pytest.raises(InputImageError) as caught:
        prepare_image(path)
    assert str(caught.value).startswith(f"{path}: this is not an image, or it is damaged")
