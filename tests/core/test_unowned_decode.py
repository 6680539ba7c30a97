"""Full-size decodes go into anonymous memory that is unmapped without the GIL
(core/anon_memory.py, image_open.load_unowned), and nothing the user sends or sees changes:
the same pixels, mode and info as Pillow's own load, the same upload bytes, the same data
URI and file hash as the one-piece computations."""

from __future__ import annotations

import base64
import ctypes
import gc
import hashlib
import io
import itertools
import sys
from pathlib import Path

import pytest
from icc_profiles import DISPLAY_P3, PROPHOTO, icc_profile, tiff16_bytes
from PIL import Image

from qwen_studio.core import anon_memory, image_open, input_files, pipeline


def _noise(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    return Image.merge("RGB", [Image.effect_noise(size, 30 + 20 * k) for k in range(3)]
                       ).convert(mode)


def _encoded(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def _tiff16(size: tuple[int, int]) -> bytes:
    w, h = size
    src = _noise(size).tobytes()
    pixels = [(src[i] * 257, min(65535, src[i + 1] * 257 + 3), src[i + 2] * 200)
              for i in range(0, len(src), 3)]
    return tiff16_bytes(w, h, pixels, icc_profile(PROPHOTO))


SOURCES = {
    "p3-jpeg": lambda: _encoded(_noise((640, 410)), "JPEG", quality=90,
                                icc_profile=icc_profile(DISPLAY_P3)),
    "png-rgba": lambda: _encoded(_noise((300, 200), "RGBA"), "PNG"),
    "tiff8-strips": lambda: _encoded(_noise((1200, 800)), "TIFF", tiffinfo={278: 300}),
    "tiff16-prophoto": lambda: _tiff16((400, 300)),
}


@pytest.mark.parametrize("kind", list(SOURCES))
def test_load_unowned_gives_pillows_pixels_in_anonymous_memory(kind: str) -> None:
    data = SOURCES[kind]()
    expected = Image.open(io.BytesIO(data))
    expected.load()
    im = Image.open(io.BytesIO(data))
    buf = image_open.load_unowned(im)
    assert buf is not None  # decoded into our memory, not Pillow's
    if sys.platform.startswith("linux"):
        assert not isinstance(buf, bytes | bytearray) and len(memoryview(buf)) \
            == im.width * im.height * 4
    assert (im.mode, im.size) == (expected.mode, expected.size)
    assert im.tobytes() == expected.tobytes()
    assert im.info.get("icc_profile") == expected.info.get("icc_profile")


def test_a_tiffs_big_strips_are_read_in_small_pieces() -> None:
    """Pillow reads a raw strip as one bytes object: 4 MB strips (a raw converter's
    16-bit export) were each an mmap unmapped holding the GIL."""
    data = _encoded(_noise((1200, 800)), "TIFF", tiffinfo={278: 400})  # 1.44 MB strips
    im = Image.open(io.BytesIO(data))
    image_open._split_raw_strips(im)
    offsets = [t.offset for t in im.tile] + [len(data)]
    assert len(im.tile) > 2
    assert max(b - a for a, b in itertools.pairwise(offsets)) <= 1 << 19


@pytest.mark.parametrize("kind", ["p3-jpeg", "tiff16-prophoto", "tiff8-strips"])
def test_the_upload_is_the_same_bytes_as_with_pillows_own_load(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    path = tmp_path / f"in.{'jpg' if 'jpeg' in kind else 'tif'}"
    path.write_bytes(SOURCES[kind]())
    small = {"max_side": 500, "min_side": 100}  # resized and colour-converted on the way
    got = pipeline.prepare_image(path, **small)

    def plain_load(im: Image.Image) -> None:
        im.load()

    monkeypatch.setattr(pipeline, "load_unowned", plain_load)
    expected = pipeline.prepare_image(path, **small)
    assert got.data_uri == expected.data_uri
    assert got.notes == expected.notes


def test_anonymous_memory_is_zeroed_writable_and_unmapped_when_dropped(
        monkeypatch: pytest.MonkeyPatch) -> None:
    unmapped: list[tuple[int, int]] = []
    if anon_memory._CALLS is not None:
        map_, unmap = anon_memory._CALLS

        def recording_unmap(addr: int, size: int) -> int:
            unmapped.append((addr, size))
            return unmap(addr, size)

        monkeypatch.setattr(anon_memory, "_CALLS", (map_, recording_unmap))
    buf = anon_memory.new_buffer(3 << 20)
    view = memoryview(buf).cast("B")
    assert len(view) == 3 << 20 and not view.readonly
    assert bytes(view[:4096]) == bytes(4096)
    view[10] = 7
    assert view[10] == 7
    if anon_memory._CALLS is None:
        return  # not glibc: an mmap.mmap, which unmaps itself
    address = ctypes.addressof(buf)  # type: ignore[arg-type]
    view.release()
    assert not unmapped
    del view, buf
    gc.collect()
    assert unmapped == [(address, 3 << 20)]


def test_data_uri_in_pieces_is_the_one_piece_encoding() -> None:
    for n in (0, 1, 2, 3, pipeline._B64_PIECE - 1, pipeline._B64_PIECE,
              pipeline._B64_PIECE + 1, 3 * pipeline._B64_PIECE + 2):
        data = bytes((i * 7919) % 251 for i in range(n))
        assert pipeline._data_uri("image/png", data) == \
            "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def test_file_hash_is_the_whole_files_sha256(tmp_path: Path) -> None:
    for n in (0, 1, (1 << 18) - 1, 1 << 18, 3 * (1 << 18) + 5):
        f = tmp_path / f"f{n}"
        f.write_bytes(bytes((i * 31) % 256 for i in range(n)))
        assert input_files.file_sha256(f) == hashlib.sha256(f.read_bytes()).hexdigest()
