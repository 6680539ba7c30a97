"""Image decode, thumbnails and clipboard bitmaps, done in a shared thread pool.

The GUI thread never decodes or encodes: every function here that touches pixels or files
is synchronous and meant for `loop.run_in_executor(executor(), ...)`. QImage may be built
in a worker thread; QPixmap may not, so callers convert on the GUI thread.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QMimeData, QSize, Qt
from PySide6.QtGui import QImage

from qwen_studio.core.atomic import write_new
from qwen_studio.core.errors import InputImageError, Reason
from qwen_studio.core.worker_priority import lower_this_thread

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage
    from PySide6.QtGui import QImageReader

    from qwen_studio.core.display_image import Pixels

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


# The app's pool threads run below the GUI thread (core/worker_priority.py).
_lower_priority = lower_this_thread


def executor() -> ThreadPoolExecutor:
    """The app-wide pool for decode/encode/file work (small: image work is memory-heavy)."""
    global _executor
    with _lock:
        if _executor is None:
            workers = max(2, min(4, (os.cpu_count() or 2)))
            _executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="qs-io",
                                           initializer=_lower_priority)
        return _executor


def release_later(box: list[Any]) -> None:
    """Drop the objects in `box` on a pool thread instead of the calling (GUI) thread.

    Freeing a 24 MP QImage unmaps ~100 MB and takes 8-18 ms (more on a busy 2-core machine),
    and PySide6 frees it without holding the GIL, so a pool thread does it without stalling
    the window. The caller must hold no other reference to the objects: pass them only in
    `box` (the list itself may stay referenced; it is emptied in the pool).
    """
    if all(x is None or (isinstance(x, list | tuple) and not x)
           or (isinstance(x, QImage) and x.isNull()) for x in box):
        return  # nothing to free (a mask never drawn on): do not wake a pool thread for it
    try:
        executor().submit(box.clear)
    except RuntimeError:  # pool shut down (app exiting): free here
        box.clear()


def _reader_for(source: Path | bytes, buffer_holder: list[Any]) -> QImageReader:
    # Qt's reader, buffer and colour space classes are realised (PySide builds their enums)
    # where first used, not before the window's first frame: ~0.8 ms.
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QImageReader

    if isinstance(source, bytes | bytearray):
        buf = QBuffer()
        buf.setData(QByteArray(bytes(source)))
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        buffer_holder.append(buf)  # the reader does not own the device
        reader = QImageReader(buf)
    else:
        reader = QImageReader(str(source))
    reader.setAutoTransform(True)  # respect EXIF orientation like every photo tool does
    return reader


# Smaller copies made next to a large image, so the canvas paints a fitted 24 MP photo
# without scaling it on the GUI thread: levels at these sides, then halvings down to
# SMALLEST_LEVEL_SIDE (a fitted side-by-side pane is ~400 px; halving the 1280 copy at paint
# time costs 3-25 ms on the GUI thread).
DISPLAY_LEVEL_SIDES = (2560, 1280)
LEVEL_MIN_RATIO = 1.25  # a level must be this much smaller than the one above to pay off
SMALLEST_LEVEL_SIDE = 320

# All pixel work is Pillow's (core.display_image.decode_for_display): decode, resize, LittleCMS
# colour conversion, transpose and halvings release the GIL. Qt's QImage calls in a pool
# thread hold it for their whole run and stall the window (measured on 24 MP in a worker:
# convertedToColorSpace 157-168 ms, copy 61-83 ms, scaled 24-49 ms; benchmarks/pool_gil.py).
# The QImage only wraps Pillow's bytes (no copy, no conversion).


class DecodedImage(QImage):
    """A QImage (shallow copy, same pixels) plus `levels`: smaller copies, largest first."""

    levels: tuple[QImage, ...] = ()


def _read(source: Path | bytes, name: str, max_side: int | None) -> QImage:
    holder: list[Any] = []
    reader = _reader_for(source, holder)
    if max_side:
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > max_side:
            # Let the decoder scale (JPEG decodes at 1/2, 1/4 … directly: much faster).
            scaled = size.scaled(QSize(max_side, max_side), Qt.AspectRatioMode.KeepAspectRatio)
            reader.setScaledSize(scaled)
    image = reader.read()
    if image.isNull():
        # Reasons with a code (core.errors), which the window shows in the user's language.
        # Chosen by the error kind: errorString() is already translated by Qt in zh_CN.
        # Qt's own words, like the OS's, stay as the detail.
        from PySide6.QtGui import QImageReader  # see _reader_for

        kind = reader.error()
        errors = QImageReader.ImageReaderError
        if kind == errors.FileNotFoundError:
            raise InputImageError(name, Reason("file_missing"))
        if kind == errors.DeviceError:
            raise InputImageError(name, Reason("unreadable", detail=reader.errorString()))
        if kind == errors.InvalidDataError:
            raise InputImageError(name, Reason("damaged_open", detail=reader.errorString()))
        raise InputImageError(name, Reason("not_image"))  # unsupported or unknown
    return image


def _decode_with_qt(source: Path | bytes, name: str, max_side: int | None) -> QImage:
    """Formats only Qt reads (SVG, XPM…), and names for data no one reads. These carry no
    ICC profile in practice; a colour space Qt does find is still honoured."""
    image = _read(source, name, max_side)
    space = image.colorSpace()
    from PySide6.QtGui import QColorSpace  # see _reader_for

    if space.isValid() and space != QColorSpace(QColorSpace.NamedColorSpace.SRgb):
        with contextlib.suppress(Exception):  # an odd profile must not hide the image
            image = image.convertedToColorSpace(QColorSpace(QColorSpace.NamedColorSpace.SRgb))
    return image


_LITTLE_ENDIAN = sys.byteorder == "little"


def _wrap(px: Pixels, opaque: bool) -> QImage:
    """A QImage over the pool's pixels; it keeps their memory alive (PySide6 holds a
    reference), so nothing is copied or converted here."""
    if _LITTLE_ENDIAN:  # B,G,R,A bytes = Qt's 0xAARRGGBB words
        fmt = QImage.Format.Format_RGB32 if opaque else QImage.Format.Format_ARGB32
    else:
        fmt = QImage.Format.Format_RGBX8888 if opaque else QImage.Format.Format_RGBA8888
    return QImage(memoryview(px.buffer), px.width, px.height, px.width * 4, fmt)


def decode_image(source: Path | bytes, max_side: int | None = None) -> QImage:
    """Decode to a colour-managed (sRGB) QImage, optionally downscaled. Worker thread only.

    An image larger than DISPLAY_LEVEL_SIDES[0] comes back as a DecodedImage carrying
    smaller copies for display. Raises InputImageError naming the file and the reason when
    it cannot be read.
    """
    name = str(source) if not isinstance(source, bytes | bytearray) else "image data"
    if isinstance(source, Path) and not source.is_file():
        raise InputImageError(name, Reason("file_missing"))
    from PIL import UnidentifiedImageError  # the decode stack loads with the first image

    from qwen_studio.core.display_image import decode_for_display

    try:
        shown = decode_for_display(source, max_side, level_sides=DISPLAY_LEVEL_SIDES,
                                   smallest_side=SMALLEST_LEVEL_SIDE,
                                   min_level_ratio=LEVEL_MIN_RATIO,
                                   order="BGRA" if _LITTLE_ENDIAN else "RGBA")
    except UnidentifiedImageError:
        return _decode_with_qt(source, name, max_side)
    image = _wrap(shown.image, shown.opaque)
    if not shown.levels:
        return image
    out = DecodedImage(image)
    out.levels = tuple(_wrap(level, shown.opaque) for level in shown.levels)
    return out


def decode_input(path: Path, max_side: int) -> QImage:
    """Check a dropped file as an edit will (pipeline rules: empty, text, truncated, too many
    pixels) and decode its thumbnail. Qt alone accepts a truncated JPEG (grey bottom) and
    names an empty file or a bomb vaguely; the pipeline's reason is the CLI's. Worker only."""
    from qwen_studio.core.pipeline import make_thumbnail

    make_thumbnail(path, 32)  # raises InputImageError with the user-facing reason
    return decode_image(path, max_side)


def encode_png(image: QImage) -> bytes:
    """A PNG of `image`, by Qt (holds the GIL for the whole encode: small images only)."""
    from PySide6.QtCore import QBuffer, QIODevice  # see _reader_for

    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):  # type: ignore[call-overload]  # stub says bytes; str works
        raise OSError("could not encode the image as PNG")
    return bytes(buf.data().data())


_F = QImage.Format
# How Pillow reads a QImage's own bytes, per format: (mode, raw mode). Qt's 32-bit formats
# are native-endian words 0xAARRGGBB; the 8888 ones are bytes in that order.
_PIL_RAW: dict[QImage.Format, tuple[str, str]] = {
    _F.Format_RGB32: ("RGB", "BGRX" if _LITTLE_ENDIAN else "XRGB"),
    _F.Format_ARGB32: ("RGBA", "BGRA" if _LITTLE_ENDIAN else "ARGB"),
    _F.Format_ARGB32_Premultiplied: ("RGBA", "BGRa" if _LITTLE_ENDIAN else "aRGB"),
    _F.Format_RGBX8888: ("RGB", "RGBX"),
    _F.Format_RGBA8888: ("RGBA", "RGBA"),
    _F.Format_RGBA8888_Premultiplied: ("RGBA", "RGBa"),
    _F.Format_RGB888: ("RGB", "RGB"),
    _F.Format_Grayscale8: ("L", "L"),
}


def to_pillow(image: QImage) -> PILImage:
    """A Pillow copy of `image`, read from its own bytes by Pillow's raw decoder (which
    releases the GIL) into anonymous memory (freed without it, core/anon_memory.py); only an
    uncommon format is first converted by Qt (which holds it). The image's colour space, when
    it is not sRGB, goes with it as its ICC profile. Worker only."""
    from PIL import Image

    from qwen_studio.core.image_open import mapped_image

    if image.format() not in _PIL_RAW:
        image = image.convertToFormat(_F.Format_ARGB32 if image.hasAlphaChannel()
                                      else _F.Format_RGB32)
    mode, raw = _PIL_RAW[image.format()]
    size = (image.width(), image.height())
    bits = image.constBits()  # a view of the pixels: nothing is copied here
    if mode in ("RGB", "RGBA"):  # 4 bytes a pixel in Pillow: mappable
        out = mapped_image(size, mode)[1]
        out.frombytes(bits, "raw", raw, image.bytesPerLine(), 1)  # type: ignore[arg-type]
    else:
        # frombytes, a copy: frombuffer maps an "L" view as it is (load() copies nothing),
        # and the Pillow image would read the QImage's memory after it changed or was freed.
        out = Image.frombytes(mode, size, bits, "raw", raw,  # type: ignore[arg-type]
                              image.bytesPerLine(), 1)
    space = image.colorSpace()
    from PySide6.QtGui import QColorSpace  # see _reader_for

    if space.isValid() and space != QColorSpace(QColorSpace.NamedColorSpace.SRgb):
        icc = bytes(space.iccProfile().data())
        if icc:
            out.info["icc_profile"] = icc
    return out


def from_pillow(im: PILImage) -> QImage:
    """A QImage (RGBX8888) over a copy of an RGB or L Pillow image made band by band in
    anonymous memory (Pillow's paste releases the GIL; QImage.copy() would hold it for the
    whole image). The QImage keeps that memory alive. Worker only."""
    from qwen_studio.core.display_image import copy_into
    from qwen_studio.core.image_open import mapped_image

    buf, dst = mapped_image(im.size, "RGB")  # R, G, B, 255 per pixel
    copy_into(dst, im if im.mode == "RGB" else im.convert("RGB"))
    return QImage(memoryview(buf), im.width, im.height, im.width * 4, _F.Format_RGBX8888)


def save_clipboard_image(image: QImage, directory: Path) -> Path:
    """Write a pasted bitmap to a new PNG so it can be an input like any file. Worker only.

    Encoded strip by strip with zlib level 1 (core/png_bands.encode_whole), the GIL
    released while zlib compresses: Qt's PNG writer held it for the whole encode of a big
    pasted image; Pillow's releases it too but takes 1.8× the CPU (24 MP: 1.49 s vs 0.83 s)
    and its BytesIO was copied whole. Its colours stay: a colour space other than sRGB is
    embedded as its ICC profile."""
    from qwen_studio.core.png_bands import encode_whole

    pil = to_pillow(image)
    parts = encode_whole(pil, icc_profile=pil.info.get("icc_profile"))
    return write_new(directory.joinpath(_pasted_name(".png")), parts)


# Encoded images another app may put on the clipboard or drop: the file is written as it
# came (no decode on the GUI thread, no re-encode, the photo's own profile kept).
PASTE_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/jpg": ".jpg",
                  "image/pjpeg": ".jpg", "image/webp": ".webp", "image/tiff": ".tiff",
                  "image/bmp": ".bmp", "image/x-ms-bmp": ".bmp", "image/gif": ".gif"}


def encoded_image(mime: QMimeData) -> tuple[QByteArray, str] | None:
    """The first encoded image `mime` offers, in the order its source lists them, and the
    file suffix for it; None if it has none (or only empty ones). GUI thread (QMimeData),
    but nothing is copied or decoded here: the QByteArray is shared, not copied.

    The source's order, not a fixed preference: sources list their most faithful format
    first (Qt's QInternalMimeData puts PNG first "because it is best", GTK and browsers
    PNG first for a bitmap, macOS and Windows pasteboards in the writer's order of fidelity).
    A bitmap offered as PNG, JPEG, BMP… is PNG-first and every other format is a
    conversion (JPEG a lossy one); a photo offered as its own JPEG lists that first, and
    the PNG after it is a bigger re-encode."""
    for kind in mime.formats():
        suffix = PASTE_SUFFIXES.get(kind.lower())
        if suffix is not None:
            data = mime.data(kind)
            if not data.isEmpty():
                return data, suffix
    # None of the six: the first type Qt reads (SVG, PPM, ICO…), as imageData() would
    # take it, but decoded in the pool (save_decoded_bytes), not here.
    readable = _qt_readable_types()
    for kind in mime.formats():
        if kind.lower() in readable:
            data = mime.data(kind)
            if not data.isEmpty():
                return data, DECODE_TO_PNG
    return None


# The suffix encoded_image gives an image outside the six: decode it, keep it as PNG.
DECODE_TO_PNG = ""


@functools.cache
def _qt_readable_types() -> frozenset[str]:
    from PySide6.QtGui import QImageReader  # see _reader_for

    return frozenset(bytes(t.data()).decode("ascii", "replace").lower()
                     for t in QImageReader.supportedMimeTypes())


def save_decoded_bytes(data: bytes | QByteArray, directory: Path) -> Path:
    """A pasted or dropped image in a format outside the six, decoded (Pillow, else Qt's
    readers) and written as a new PNG, as a pasted bitmap is. Worker only; raises
    InputImageError when the data is no image."""
    return save_clipboard_image(decode_image(bytes(data)), directory)  # type: ignore[arg-type]


def save_pasted_bytes(data: bytes | QByteArray, suffix: str, directory: Path) -> Path:
    """Write a pasted encoded image's bytes as they came. Worker only: a QByteArray is
    written from its own memory (the GIL released while the file is written)."""
    view = memoryview(data)  # type: ignore[arg-type]  # QByteArray has the buffer protocol
    return write_new(directory.joinpath(_pasted_name(suffix)), view)


def _pasted_name(suffix: str) -> str:
    return f"pasted-{time.strftime('%Y%m%d-%H%M%S')}-{os.urandom(3).hex()}{suffix}"


def copy_file(source: Path, target: Path) -> Path:
    """Copy bytes to `target`; the user chose it in a save dialog, which already asked about
    replacing, so an existing file is replaced atomically. Worker only."""
    from qwen_studio.core.atomic import write_atomic

    write_atomic(target, source.read_bytes())
    return target
