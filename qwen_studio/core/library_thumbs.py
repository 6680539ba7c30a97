"""Small thumbnails of the library's files, stored next to them and named by content.

A history row shows a 56 px square; decoding the full result (or a 256 px PNG of it) for
every row the user scrolls past is most of the cost of a long history. A ~128 px WebP of a
few KB decodes in well under a millisecond. Content-addressed like the files: the same
input used by 500 edits has one thumbnail, and a file never changes under its name.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
from pathlib import Path

SIDE = 128  # px, longest side: a 56 px row at 2x device pixels, with room to crop
QUALITY = 80


def thumb_path(thumbs_dir: Path, source: Path) -> Path:
    sha = source.stem  # library files are named <sha256>.<ext>
    return thumbs_dir / sha[:2] / f"{sha}-{SIDE}.webp"


def small_thumbnail(source: Path, thumbs_dir: Path) -> bytes:
    """The stored thumbnail's bytes, made (and stored) from `source` the first time.
    Raises InputImageError when `source` cannot be decoded."""
    target = thumb_path(thumbs_dir, source)
    with contextlib.suppress(OSError):
        data = target.read_bytes()
        if _whole(data):
            return data
    data = make_small(source)
    # A read-only or full disk: the row still gets its picture, it is just not kept.
    with contextlib.suppress(OSError):
        _store(target, data)
    return data


def _whole(data: bytes) -> bool:
    """A complete WebP: its RIFF header gives the file's length."""
    return (len(data) > 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP"
            and int.from_bytes(data[4:8], "little") + 8 == len(data))


def _store(target: Path, data: bytes) -> None:
    """Written under a private name, then renamed: never half a file under the real name.
    Not fsynced (unlike the library's own files): this is a cache, checked when read
    (_whole), and 10,000 fsyncs would cost more than remaking the odd lost one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        part.write_bytes(data)
        os.replace(part, target)
    finally:
        with contextlib.suppress(OSError):
            part.unlink()


def make_small(source: Path) -> bytes:
    from PIL import Image

    from qwen_studio.core.pipeline import make_thumbnail

    # make_thumbnail decodes safely (pixel limit, EXIF orientation, colour): reuse it at the
    # small size, then store WebP instead of its PNG (a tenth of the bytes for a photo).
    png = make_thumbnail(source, max_side=SIDE)
    with Image.open(io.BytesIO(png)) as im:
        out = io.BytesIO()
        im.save(out, "WEBP", quality=QUALITY, method=4)
    return out.getvalue()
