"""The quick PNG check (core/png_check.py) never passes a result Pillow's full decode
refuses: whole results of the common kinds pass without building the image, and every
cut-off or damaged copy either fails the quick check (Pillow then decides) or decodes."""

from __future__ import annotations

import io
import random
import zlib

import pytest
from PIL import Image

from qwen_studio.core.answer_parsing import decode_problem
from qwen_studio.core.png_check import pixels_decode


def _png(mode: str, size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    im = Image.effect_noise(size, 60).convert(mode) if mode != "I;16" else (
        Image.effect_noise(size, 60).convert("I").point(lambda v: v * 200).convert("I;16"))
    if mode in ("RGBA", "LA"):
        im.putalpha(128)
    buf = io.BytesIO()
    im.save(buf, format="PNG", **save)
    return buf.getvalue()


def _quick(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as im:
        return pixels_decode(im, data)


def _pillow_decodes(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
    except Exception:
        return False
    return True


COMMON = ["RGB", "RGBA", "L", "LA", "I;16"]


@pytest.mark.parametrize("mode", COMMON)
def test_whole_results_of_the_common_kinds_pass_without_a_decode(mode: str) -> None:
    data = _png(mode, compress_level=1)
    assert _quick(data)
    assert decode_problem(data) is None


def test_other_kinds_are_left_to_pillow() -> None:
    assert not _quick(_png("P"))
    assert not _quick(_interlaced())
    assert decode_problem(_png("P")) is None


def _interlaced() -> bytes:
    """An Adam7 PNG (Pillow cannot write one): IHDR's interlace byte set, CRC fixed."""
    data = bytearray(_png("RGB"))
    data[28] = 1
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    return bytes(data)


@pytest.mark.parametrize("mode", COMMON)
def test_no_damaged_copy_passes_that_pillow_refuses(mode: str) -> None:
    rng = random.Random(mode)
    data = _png(mode, size=(40, 30))
    damaged = [data[:n] for n in range(0, len(data), max(1, len(data) // 300))]
    for _ in range(400):
        copy = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            copy[rng.randrange(len(copy))] ^= 1 << rng.randrange(8)
        damaged.append(bytes(copy))
    passed = refused_by_pillow = 0
    for copy in damaged:
        try:
            quick = _quick(copy)
        except Exception:
            continue  # Image.open refused it: decode_problem reports that, as before
        pillow = _pillow_decodes(copy)
        assert not (quick and not pillow), "the quick check passed what Pillow refuses"
        passed += quick
        refused_by_pillow += not pillow
        assert (decode_problem(copy) is None) == pillow
    assert passed and refused_by_pillow  # both sides were exercised
