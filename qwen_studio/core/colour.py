"""Colour management: any embedded ICC profile -> sRGB with LittleCMS (Pillow's ImageCms).

Why here and not in Qt: `QImage.convertedToColorSpace` holds the GIL for its whole run
(157-168 ms for a 24 MP Display P3 photo), so a pool thread converting a photo stalls the
window that long. Pillow releases the GIL while LittleCMS transforms, decodes, resizes and
transposes, so every pixel-sized step below runs beside the GUI thread, not instead of it.

- **Where.** Display images are converted at the size they are shown (after the decoder's
  own downscale and the resize to the display limit), so a thumbnail costs thumbnail time.
- **Intent.** Perceptual, as the pipeline sends inputs (ImageCms' default): for the
  matrix/TRC profiles cameras and phones embed it is the same as relative colorimetric
  (out-of-gamut colours clip to the sRGB edge); LUT profiles (CMYK, some printers') use
  their perceptual tables.
- **Depth.** Pillow keeps 8 bits per channel: a 16-bit TIFF is reduced to 8 bits when it is
  decoded, then converted (the display is 8-bit; a conversion from 8-bit data can move a
  gradient step by at most one level more than one from 16-bit data would).
- **Which profiles.** A profile whose transform leaves probe colours unchanged (any sRGB
  variant, whatever it calls itself) is treated as sRGB and skipped; one LittleCMS cannot
  read or apply leaves the colours as they are (`ProfileError`), never the image unshown.

Nothing here knows Qt; `ui/image_loading.py` wraps the results in QImages.
"""

from __future__ import annotations

import functools
import io
import mmap
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, UnidentifiedImageError

from qwen_studio.core.errors import InputImageError, Reason

INTENT = ImageCms.Intent.PERCEPTUAL
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# ICC colour space signature -> the Pillow mode a transform reads, per image mode family.
_PROFILE_MODES = {"RGB": ("RGB", "RGBA"), "GRAY": ("L", "LA"), "CMYK": ("CMYK",)}
_IDENTITY_TOLERANCE = 1  # 8-bit levels: an sRGB profile's rounding, not a colour change


class ProfileError(ValueError):
    """The embedded profile cannot be read or applied; the colours stay as they are."""


@functools.lru_cache(maxsize=16)
def srgb_transform(icc: bytes, mode: str, intent: ImageCms.Intent = INTENT
                   ) -> ImageCms.ImageCmsTransform | None:
    """A (cached) transform from `icc` to sRGB for images of `mode` (RGB, RGBA, L or CMYK).

    None when the profile is sRGB already: converting would change nothing. The output
    mode is RGBA for RGBA (alpha copied), else RGB. Raises ProfileError.
    """
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space.strip().upper()
    except (OSError, ValueError, TypeError) as exc:
        raise ProfileError(f"unreadable colour profile: {exc}") from None
    if mode not in _PROFILE_MODES.get(space, ()):
        raise ProfileError(f"a {space} colour profile on a {mode} image")
    out_mode = "RGBA" if mode == "RGBA" else "RGB"
    try:
        transform = ImageCms.buildTransform(profile, _SRGB, mode, out_mode, intent)
    except (ImageCms.PyCMSError, OSError, ValueError) as exc:
        raise ProfileError(f"colour profile cannot be applied: {exc}") from None
    return None if _is_identity(transform, mode) else transform


def _is_identity(transform: ImageCms.ImageCmsTransform, mode: str) -> bool:
    """Does `transform` leave colours as a plain conversion to RGB would? (sRGB profiles)"""
    if mode not in ("RGB", "RGBA", "L", "LA"):
        return False  # CMYK: the plain formula is only an approximation
    steps = (0, 36, 73, 109, 146, 182, 219, 255)
    rgb = [(r, g, b) for r in steps for g in steps for b in steps]
    probe = Image.new("RGB", (len(rgb), 1))
    probe.putdata(rgb)
    if mode in ("L", "LA"):
        probe = Image.new("L", (256, 1))
        probe.putdata(range(256))
    elif mode == "RGBA":
        probe = probe.convert("RGBA")
    out = ImageCms.applyTransform(probe, transform)
    if out is None:
        return False
    expected = probe.convert(out.mode)
    a, b = out.tobytes(), expected.tobytes()
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) <= _IDENTITY_TOLERANCE


def to_srgb(im: Image.Image, icc: bytes | None, intent: ImageCms.Intent = INTENT
            ) -> Image.Image:
    """`im` (L, LA, RGB, RGBA or CMYK, as decoded) -> RGB or RGBA in sRGB.

    Converts in place when the mode allows (the caller hands over a fresh decode); without a
    profile, or with one that is sRGB or cannot be applied, only the mode changes.
    """
    transform = None
    if icc:
        try:
            transform = srgb_transform(icc, im.mode, intent)
        except ProfileError:
            transform = None
    if transform is None:
        return im if im.mode in ("RGB", "RGBA") else im.convert(
            "RGBA" if "A" in im.mode else "RGB")
    if im.mode in ("RGB", "RGBA"):
        ImageCms.applyTransform(im, transform, inPlace=True)
        return im
    alpha = im.getchannel("A") if im.mode == "LA" else None
    src = im.convert("L") if alpha is not None else im
    out = ImageCms.applyTransform(src, transform)
    assert out is not None
    if alpha is not None:
        out.putalpha(alpha)
    return out


# -- images for display ------------------------------------------------------------------------

def _swap_red_blue(icc: bytes) -> bytes:
    """The same matrix/TRC RGB profile with its red and blue colorants swapped: a transform
    into it writes B,G,R where the original writes R,G,B (exact: checked on all 16.7 M
    colours), so LittleCMS itself lays pixels out as Qt's 32-bit words want them."""
    count = int.from_bytes(icc[128:132], "big")
    where = {icc[132 + 12 * i:136 + 12 * i]: 132 + 12 * i for i in range(count)}
    out = bytearray(icc)
    for a, b in ((b"rXYZ", b"bXYZ"), (b"rTRC", b"bTRC")):
        ia, ib = where[a], where[b]
        out[ia + 4:ia + 12], out[ib + 4:ib + 12] = icc[ib + 4:ib + 12], icc[ia + 4:ia + 12]
    return bytes(out)


_SRGB_BYTES = _SRGB.tobytes()
_SRGB_BGR = ImageCms.ImageCmsProfile(io.BytesIO(_swap_red_blue(_SRGB_BYTES)))


@functools.lru_cache(maxsize=16)
def _packing_transform(icc: bytes | None, order: str, intent: ImageCms.Intent
                       ) -> ImageCms.ImageCmsTransform:
    """RGBA (in `icc`'s space, sRGB when None) -> sRGB RGBA with channels in `order`."""
    source = _SRGB
    if icc is not None:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if source.profile.xcolor_space.strip().upper() != "RGB":
                source = _SRGB
        except (OSError, ValueError, TypeError):
            source = _SRGB
    target = _SRGB_BGR if order == "BGRA" else _SRGB
    try:
        return ImageCms.buildTransform(source, target, "RGBA", "RGBA", intent)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return ImageCms.buildTransform(_SRGB, target, "RGBA", "RGBA", intent)


@dataclass(frozen=True)
class Pixels:
    """width × height 32-bit pixels in `buffer` (anonymous memory), channels in `order`:
    "BGRA" is Qt's ARGB32/RGB32 word on a little-endian machine, "RGBA" its RGBA8888."""

    buffer: mmap.mmap
    width: int
    height: int
    order: str

    def to_image(self) -> Image.Image:
        """A Pillow RGBA copy in R,G,B,A order (for checks and tests; not for the pool)."""
        return Image.frombuffer("RGBA", (self.width, self.height), self.buffer, "raw",
                                self.order, 0, 1).copy()


def _pixels_like(size: tuple[int, int], order: str) -> tuple[Pixels, Image.Image]:
    """New zero-filled pixels plus a Pillow RGBA image writing straight into them.

    Anonymous mmap: the kernel hands over zeroed pages, so nothing clears ~100 MB while
    holding the GIL (a bytearray of that size is memset under it: 106-136 ms measured).
    """
    w, h = size
    buf = mmap.mmap(-1, w * h * 4)
    view = Image.frombuffer("RGBA", size, buf, "raw", "RGBA", 0, 1)
    view.readonly = 0  # the memory is ours to write: Pillow would otherwise copy it first
    return Pixels(buf, w, h, order), view


@dataclass(frozen=True)
class DisplayImage:
    """A decoded image in sRGB, orientation applied, plus smaller copies, largest first.

    `opaque`: the source had no alpha channel (every alpha byte is 255 then).
    """

    image: Pixels
    levels: tuple[Pixels, ...]
    opaque: bool


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    w, h = size
    if max(w, h) <= side:
        return w, h
    scale = side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _open(source: Path | bytes, name: str) -> Image.Image:
    from qwen_studio.core import pipeline

    try:
        fp = io.BytesIO(bytes(source)) if isinstance(source, bytes | bytearray) \
            else open(os.fspath(source), "rb")  # noqa: SIM115 - owned by the image
    except OSError as exc:
        raise InputImageError(name, pipeline._os_reason(exc)) from None
    try:
        return Image.open(fp)
    except Image.DecompressionBombError as exc:
        fp.close()
        raise InputImageError(name, pipeline._bomb_reason(exc)) from None
    except UnidentifiedImageError:
        fp.close()
        raise
    except pipeline._DECODE_ERRORS as exc:
        fp.close()
        raise InputImageError(name, Reason("damaged_open", detail=exc)) from None


def decode_for_display(
    source: Path | bytes, max_side: int | None = None, *,
    level_sides: Sequence[int] = (), smallest_side: int = 0, min_level_ratio: float = 1.25,
    order: str = "BGRA", intent: ImageCms.Intent = INTENT,
) -> DisplayImage:
    """Decode for showing: at most `max_side`, sRGB, EXIF orientation applied, as 32-bit
    pixels in `order` (see Pixels).

    `level_sides`: smaller copies wanted (each made only if `min_level_ratio` smaller than
    the one above); below the last, halvings down to `smallest_side`. Every pixel-sized step
    releases the GIL (libjpeg's scaled decode, Pillow's resampling and transpose, LittleCMS
    writing the final pixels), so a pool thread may run this while the GUI thread paints.
    Raises InputImageError (naming `source`), or UnidentifiedImageError for a format Pillow
    does not read.
    """
    from qwen_studio.core import pipeline

    name = "image data" if isinstance(source, bytes | bytearray) else os.fspath(source)
    im = _open(source, name)
    try:
        w, h = im.size
        if w * h > pipeline.MAX_PIXELS:
            raise InputImageError(name, pipeline._too_many_pixels(w, h))
        try:
            if max_side and im.format in ("JPEG", "MPO"):
                im.draft(None, _fit(im.size, max_side))  # libjpeg decodes at 1/2, 1/4, 1/8
            im.load()
            orientation = pipeline._orientation(im)
            icc: bytes | None = im.info.get("icc_profile") or None
            img = pipeline._basic_mode(im, [])
            if max_side and max(img.size) > max_side:
                img = img.resize(_fit(img.size, max_side), Image.Resampling.LANCZOS,
                                 reducing_gap=3.0)
            if img.mode not in ("RGB", "RGBA"):  # grey, CMYK: to sRGB RGB(A) by Pillow
                img, icc = to_srgb(img, icc, intent), None
            if orientation != 1:
                img = img.transpose(pipeline._TRANSPOSE[orientation])
        except Image.DecompressionBombError as exc:
            raise InputImageError(name, pipeline._bomb_reason(exc)) from None
        except pipeline._DECODE_ERRORS as exc:
            raise InputImageError(name, pipeline._damaged_reason(exc)) from None
        return _pack(img, icc, opaque=img.mode == "RGB", order=order, intent=intent,
                     levels=(level_sides, smallest_side, min_level_ratio))
    finally:
        im.close()


def _pack(img: Image.Image, icc: bytes | None, *, opaque: bool, order: str,
          intent: ImageCms.Intent, levels: tuple[Sequence[int], int, float]) -> DisplayImage:
    if icc is not None:
        try:  # an sRGB profile (whatever its name) or an unusable one: colours stay
            if srgb_transform(icc, img.mode, intent) is None:
                icc = None
        except ProfileError:
            icc = None
    if opaque:
        img = img.convert("RGBA")  # alpha 255 (Pillow's RGB padding byte is not defined)
    # One LittleCMS pass converts the colours (at display size: cheaper than at full size)
    # and writes them in the viewer's channel order straight into the shown memory.
    pixels, view = _pixels_like(img.size, order)
    _packing_transform(icc, order, intent).apply(img, view)
    del img
    copies = []
    for level in _levels(view, *levels):
        px, target = _pixels_like(level.size, order)
        target.paste(level)  # a copy that releases the GIL (tobytes would hold it)
        copies.append(px)
    return DisplayImage(pixels, tuple(copies), opaque)


def _levels(img: Image.Image, sides: Sequence[int], smallest: int,
            min_ratio: float) -> list[Image.Image]:
    """Smaller copies, each resampled from the one above (the pyramid a viewer paints);
    channel order does not matter to resampling."""
    out: list[Image.Image] = []
    top = img
    for side in sides:
        if side * min_ratio >= max(top.size):
            continue
        top = top.resize(_fit(top.size, side), Image.Resampling.LANCZOS, reducing_gap=2.0)
        out.append(top)
    while smallest and max(top.size) // 2 >= smallest and min(top.size) >= 64:
        top = top.resize((max(1, top.width // 2), max(1, top.height // 2)),
                         Image.Resampling.LANCZOS)  # sharper than a 2×2 box, no aliasing
        out.append(top)
    return out
