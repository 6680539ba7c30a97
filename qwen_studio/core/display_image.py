"""Decode a photo for showing, in a pool thread, without holding the GIL for long.

A pool thread holding the GIL stalls the window for as long as it holds it. Measured on a
24 MP photo (benchmarks/pool_gil.py): Qt's QImage.convertedToColorSpace ~160 ms, copy
~70 ms, scaled ~35 ms; Pillow's own decode, resize, transpose, paste and LittleCMS release
it, but Pillow allocates and frees image memory while holding it (freeing 100 MP: 88 ms;
a 96 MB bytearray is zeroed under it: 106-136 ms; tobytes() holds it in 14 ms slices). So:

- Every full-size buffer is an anonymous mmap: the kernel hands over zeroed pages and
  Python unmaps them with the GIL released, whoever drops the last reference.
- The decoder writes straight into such a buffer (JPEG, PNG, TIFF in RGB/RGBA); resizing,
  EXIF orientation and copying go band by band, so Pillow only ever owns ~4 MB at a time.
- One LittleCMS pass, in place, converts the colours to sRGB (core/colour.py) and lays the
  channels out as the viewer wants them (`order`): nothing is copied for Qt afterwards.

Other sources (palette, grey, CMYK, WebP, GIF…) are decoded by Pillow as usual and copied
into a buffer in bands; only freeing their decode holds the GIL for a while.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, UnidentifiedImageError

from qwen_studio.core import colour, image_convert, image_open  # the input rules and reasons
from qwen_studio.core.anon_memory import AnonBuffer
from qwen_studio.core.errors import InputImageError, Reason

BAND_PIXELS = 1 << 20  # per band: a Pillow-owned 4 MB temporary is freed in well under 1 ms


@dataclass(frozen=True)
class Pixels:
    """width × height 32-bit pixels in `buffer` (anonymous memory), channels in `order`:
    "BGRA" is Qt's ARGB32/RGB32 word on a little-endian machine, "RGBA" its RGBA8888."""

    buffer: AnonBuffer
    width: int
    height: int
    order: str

    def to_image(self) -> Image.Image:
        """A Pillow RGBA copy in R,G,B,A order (for checks and tests; not for the pool)."""
        return Image.frombuffer("RGBA", (self.width, self.height), bytes(self.buffer), "raw",
                                self.order, 0, 1)


@dataclass(frozen=True)
class DisplayImage:
    """A decoded image in sRGB, orientation applied, plus smaller copies, largest first.

    `opaque`: the source had no alpha channel (every alpha byte is 255 then).
    """

    image: Pixels
    levels: tuple[Pixels, ...]
    opaque: bool


def _mapped(size: tuple[int, int], mode: str = "RGBA",
            buf: AnonBuffer | None = None) -> tuple[AnonBuffer, Image.Image]:
    """A Pillow image of `mode` (RGB, RGBX or RGBA: 4 bytes a pixel) over anonymous
    memory (new, zero-filled, unless `buf` is given)."""
    return image_open.mapped_image(size, mode, buf)


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    w, h = size
    if max(w, h) <= side:
        return w, h
    scale = side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _rows(width: int) -> int:
    return max(1, BAND_PIXELS // max(1, width))


def resize_into(dst: Image.Image, src: Image.Image,
                resample: Image.Resampling = Image.Resampling.LANCZOS) -> None:
    """Resize `src` (Lanczos unless `resample`) to fill `dst`, band by band (each band
    takes its filter support from the whole source: the same as one resize, within a level
    of float rounding).

    With alpha (RGBA, LA) Pillow premultiplies the whole source for every call, so such a
    source is resized in one piece (transparent photos are rarely huge).
    """
    if src.mode in ("RGBA", "LA"):
        copy_into(dst, src.resize(dst.size, resample))
        return
    tw, th = dst.size
    w, h = src.size
    step = _rows(tw)
    for y0 in range(0, th, step):
        y1 = min(th, y0 + step)
        band = src.resize((tw, y1 - y0), resample,
                          box=(0, y0 * h / th, w, y1 * h / th))
        dst.paste(band if band.mode == dst.mode else band.convert(dst.mode), (0, y0))


def copy_into(dst: Image.Image, src: Image.Image,
              method: Image.Transpose | None = None) -> None:
    """Copy `src` into `dst` band by band, transposed by `method` (EXIF orientation)."""
    w, h = src.size
    step = _rows(w)
    for y0 in range(0, h, step):
        y1 = min(h, y0 + step)
        band = src.crop((0, y0, w, y1))
        if band.mode != dst.mode:
            band = band.convert(dst.mode)  # RGB -> RGBA: alpha 255
        if method is not None:
            band = band.transpose(method)
        dst.paste(band, _band_origin(method, y0, y1, h))


def _band_origin(method: Image.Transpose | None, y0: int, y1: int, h: int
                 ) -> tuple[int, int]:
    """Where source rows y0..y1 land once transposed by `method` (top-left corner)."""
    t = Image.Transpose
    if method in (t.FLIP_TOP_BOTTOM, t.ROTATE_180):
        return 0, h - y1
    if method in (t.ROTATE_90, t.TRANSPOSE):  # rows become columns, left to right
        return y0, 0
    if method in (t.ROTATE_270, t.TRANSVERSE):  # rows become columns, right to left
        return h - y1, 0
    return 0, y0  # None, FLIP_LEFT_RIGHT


def _open(source: Path | bytes, name: str) -> Image.Image:
    try:
        fp = io.BytesIO(bytes(source)) if isinstance(source, bytes | bytearray) \
            else open(os.fspath(source), "rb")  # noqa: SIM115 - owned by the image
    except OSError as exc:
        raise InputImageError(name, image_open._os_reason(exc)) from None
    try:
        return Image.open(fp)
    except Image.DecompressionBombError as exc:
        fp.close()
        raise InputImageError(name, image_open._bomb_reason(exc)) from None
    except UnidentifiedImageError:
        fp.close()
        raise
    except image_open._DECODE_ERRORS as exc:
        fp.close()
        raise InputImageError(name, Reason("damaged_open", detail=exc)) from None


def _load(im: Image.Image) -> tuple[Image.Image, AnonBuffer | None]:
    """Decode `im`: into anonymous memory when its decoder allows (returns an RGBX/RGBA view
    of it and the memory), else into Pillow's own memory (the image as decoded and None)."""
    buf = image_open.load_unowned(im)
    if buf is None:
        return im, None
    # RGB is stored as 4 bytes a pixel, the 4th 255 from these decoders: the same memory
    # read as RGBX is the opaque image with alpha 255.
    return _mapped(im.size, "RGBX" if im.mode == "RGB" else "RGBA", buf)[1], buf


def decode_for_display(
    source: Path | bytes, max_side: int | None = None, *,
    level_sides: Sequence[int] = (), smallest_side: int = 0, min_level_ratio: float = 1.25,
    order: str = "BGRA", intent: ImageCms.Intent = colour.INTENT,
) -> DisplayImage:
    """Decode for showing: at most `max_side`, sRGB, EXIF orientation applied, as 32-bit
    pixels in `order` (see Pixels).

    `level_sides`: smaller copies wanted (each made only if `min_level_ratio` smaller than
    the one above); below the last, halvings down to `smallest_side`. Raises
    InputImageError (naming `source`), or UnidentifiedImageError for a format Pillow does
    not read.
    """
    name = "image data" if isinstance(source, bytes | bytearray) else os.fspath(source)
    im = _open(source, name)
    try:
        w, h = im.size
        if w * h > image_open.MAX_PIXELS:
            raise InputImageError(name, image_open._too_many_pixels(w, h))
        try:
            if max_side and im.format in ("JPEG", "MPO"):
                im.draft(None, _fit(im.size, max_side))  # libjpeg decodes at 1/2, 1/4, 1/8
            img, buf = _load(im)
            orientation = image_open._orientation(im)
            icc: bytes | None = im.info.get("icc_profile") or None
            alpha = im.mode == "RGBA"
            if buf is None:
                img = image_convert._basic_mode(img, [])
                if img.mode not in ("RGB", "RGBA"):  # grey, CMYK: to sRGB RGB(A) by Pillow
                    img, icc = colour.to_srgb(img, icc, intent), None
                alpha = img.mode == "RGBA"
            mode = "RGBA" if alpha else "RGBX"  # RGBX: resized without premultiplying
            if max_side and max(img.size) > max_side:
                buf, small = _mapped(_fit(img.size, max_side), mode)
                resize_into(small, img)
                img = small
            method = image_open._TRANSPOSE.get(orientation)
            if method is not None or buf is None:
                w, h = img.size
                buf, turned = _mapped((h, w) if orientation in (5, 6, 7, 8) else (w, h), mode)
                copy_into(turned, img, method)
                img = turned
        except Image.DecompressionBombError as exc:
            raise InputImageError(name, image_open._bomb_reason(exc)) from None
        except image_open._DECODE_ERRORS as exc:
            raise InputImageError(name, image_open._damaged_reason(exc)) from None
    finally:
        im.close()
    return _finish(img, buf, icc, not alpha, order, intent,
                   (level_sides, smallest_side, min_level_ratio))


def _finish(img: Image.Image, buf: AnonBuffer, icc: bytes | None, opaque: bool, order: str,
            intent: ImageCms.Intent, levels: tuple[Sequence[int], int, float]
            ) -> DisplayImage:
    """Colours to sRGB in `order`, in place (one LittleCMS pass), then the smaller copies."""
    if icc is not None:
        try:  # an sRGB profile (whatever its name) or an unusable one: colours stay
            if colour.srgb_transform(icc, "RGBA", intent) is None:
                icc = None
        except colour.ProfileError:
            icc = None
    if icc is not None or order != "RGBA":
        colour.packing_transform(icc, order, intent, img.mode).apply(img, img)
    copies = tuple(Pixels(b, v.width, v.height, order) for b, v in smaller_copies(img, *levels))
    return DisplayImage(Pixels(buf, img.width, img.height, order), copies, opaque)


def smaller_copies(img: Image.Image, sides: Sequence[int], smallest: int,
                   min_ratio: float) -> list[tuple[AnonBuffer, Image.Image]]:
    """Smaller copies of an RGB/RGBX/RGBA image, each resampled from the one above (the
    pyramid a viewer paints), in anonymous memory: at `sides` (each only if `min_ratio`
    smaller than the one above), then halvings down to `smallest`. Lanczos, closer to an
    ideal downscale than the canvas's own smooth halving (which runs on the GUI thread)."""
    out: list[tuple[AnonBuffer, Image.Image]] = []
    top = img
    for side in sides:
        if side * min_ratio >= max(top.size):
            continue
        out.append(_mapped(_fit(top.size, side), top.mode))
        factor = int(max(top.size) / side)
        # Box-reduce by the whole factor first (Pillow's reducing_gap=1): the Lanczos pass
        # then works on a quarter of the pixels; a level is only a paint-time intermediate.
        # (Not for alpha: Pillow would premultiply the whole image.)
        src = top.reduce(factor) if factor >= 2 and top.mode in ("RGB", "RGBX") else top
        resize_into(out[-1][1], src)
        del src  # a Pillow-owned quarter-size copy: freed now, while it is small
        top = out[-1][1]
    while smallest and max(top.size) // 2 >= smallest and min(top.size) >= 64:
        out.append(_mapped((max(1, top.width // 2), max(1, top.height // 2)), top.mode))
        resize_into(out[-1][1], top)
        top = out[-1][1]
    return out
