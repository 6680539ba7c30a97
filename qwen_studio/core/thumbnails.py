"""Small PNG previews of input images (the library and the window's input list)."""

from __future__ import annotations

import io
import os

from PIL import Image

from qwen_studio.core.errors import InputImageError, Reason
from qwen_studio.core.image_convert import _encode, _has_transparency, _normalize
from qwen_studio.core.image_open import (
    _DECODE_ERRORS,
    _TRANSPOSE,
    MAX_PIXELS,
    _bomb_reason,
    _damaged_reason,
    _open_image,
    _orientation,
    _os_reason,
    _too_many_pixels,
    load_unowned,
)


def make_thumbnail(source: str | os.PathLike[str] | bytes, max_side: int = 256) -> bytes:
    """A PNG thumbnail (EXIF orientation applied, alpha kept); InputImageError if unusable."""
    is_bytes = isinstance(source, bytes | bytearray)
    name = "<image data>" if is_bytes else os.fspath(source)  # type: ignore[arg-type]
    try:
        if is_bytes:
            if not source:
                raise InputImageError(name, Reason("empty_data"))
            fp: io.BufferedReader | io.BytesIO = io.BytesIO(bytes(source))  # type: ignore[arg-type]
        else:
            if os.path.isdir(name):
                raise IsADirectoryError(name)
            if os.stat(name).st_size == 0:
                raise InputImageError(name, Reason("empty_file"))
            fp = open(name, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        raise InputImageError(name, _os_reason(exc)) from None
    try:
        with _open_image(fp, name) as im:
            w, h = im.size
            if w * h > MAX_PIXELS:
                raise InputImageError(name, _too_many_pixels(w, h))
            try:
                if im.format in ("JPEG", "MPO"):
                    im.draft(None, (max_side, max_side))
                load_unowned(im)  # a full-size TIFF or PNG: freed without the GIL
                orientation = _orientation(im)
                scale = min(1.0, max_side / max(im.size))
                img, icc = _normalize(im, [], shrink_to=(max(1, round(im.width * scale)),
                                                         max(1, round(im.height * scale))))
                img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                if orientation != 1:
                    img = img.transpose(_TRANSPOSE[orientation])
                if img.mode == "RGBA" and not _has_transparency(img):
                    img = img.convert("RGB")
                return _encode(img, "PNG", icc)
            except Image.DecompressionBombError as exc:
                raise InputImageError(name, _bomb_reason(exc)) from None
            except _DECODE_ERRORS as exc:
                raise InputImageError(name, _damaged_reason(exc)) from None
    except MemoryError:
        raise InputImageError(name, Reason("out_of_memory")) from None
    finally:
        fp.close()
