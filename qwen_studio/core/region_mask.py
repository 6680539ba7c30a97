"""Where a region edit applies: the original as displayed, the mask, the crop, the feather.

The rules (documented with figures in docs/region-edits.md):

- **Coordinates** are the input as displayed (after EXIF orientation), like the mask.
- **Mask**: greyscale, white = change, black = keep, any size (scaled to the displayed
  input); transparent counts as black; values below MASK_FLOOR count as black.
- **Crop**: the mask's bounding box grown by CONTEXT (50 %) of its size on each side (and
  at least by the feather), cut at the image's edges, then grown to MIN_CROP_SIDE (384 px)
  a side and to at most MAX_CROP_RATIO (4:1), shifted back into the image where needed.
  core/region.py then grows it to the answer's aspect (`shape_to_aspect`).
- **Answer size**: `answer_size` (asked when the model takes a size) or
  `service_default_size` (predicted when it does not): ~1 MP, multiples of 16.
- **Feather**: a linear ramp from 1 at the mask's edge to 0 `feather` px outside it.
"""

from __future__ import annotations

import io
import math
import os

from PIL import Image, ImageChops, ImageFilter

from qwen_studio.core.errors import InputImageError, Reason
from qwen_studio.core.image_open import (
    _DECODE_ERRORS,
    _TRANSPOSE,
    MAX_PIXELS,
    _damaged_reason,
    _open_image,
    _orientation,
)
from qwen_studio.core.png_bands import SUPPORTED_MODES

CONTEXT = 0.5
MIN_CROP_SIDE = 384
MAX_CROP_RATIO = 4.0
WHOLE_FRAME_SHARE = 0.99  # a mask marking this share of the frame is a normal edit
MASK_FLOOR = 8  # mask values below this count as black (JPEG noise in a "black" mask)
ANSWER_PIXELS = 1024 * 1024
ANSWER_MULTIPLE = 16
ANSWER_SIDES = (512, 2048)

_FLOOR_LUT = [0] * MASK_FLOOR + list(range(MASK_FLOOR, 256))
_DOUBLE_LUT = [min(255, 2 * v) for v in range(256)]

Box = tuple[int, int, int, int]  # left, top, right, bottom (right/bottom exclusive)
MaskSource = bytes | str | os.PathLike[str] | Image.Image


# -- the original, as displayed ---------------------------------------------------------------

def open_displayed(path: str | os.PathLike[str]) -> tuple[Image.Image, bytes | None, list[str]]:
    """The full-resolution image as the user sees it (EXIF orientation applied), in a mode
    the composite can keep exactly (L, LA, RGB, RGBA or I;16), its ICC profile, and notes."""
    name = os.fspath(path)
    notes: list[str] = []
    if name.lower().startswith(("http://", "https://")):
        raise InputImageError(name, Reason("region_needs_file"))
    try:
        with open(name, "rb") as f:
            head = f.read(32)
            f.seek(0)
            im = _open_image(f, name)
            w, h = im.size
            if w * h > MAX_PIXELS:
                raise InputImageError(name, Reason("region_too_large", size=f"{w}×{h}"))
            try:
                im.load()
            except _DECODE_ERRORS as exc:
                raise InputImageError(name, _damaged_reason(exc)) from None
    except OSError as exc:
        raise InputImageError(name, Reason("unreadable", detail=exc.strerror or exc)
                              ) from None
    icc: bytes | None = im.info.get("icc_profile") or None
    orientation = _orientation(im)
    if head.startswith(b"\x89PNG") and head[24] == 16 and head[25] in (2, 6):
        notes.append("16-bit colour is read at 8 bits per channel; the result is 8-bit")
    im = _composite_mode(im, name)
    if orientation != 1:
        im = im.transpose(_TRANSPOSE[orientation])
    return im, icc, notes


def _composite_mode(im: Image.Image, name: str) -> Image.Image:
    mode = im.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N"):
        return im if mode == "I;16" else im.convert("I").convert("I;16")
    if mode == "I":
        lo, hi = im.getextrema()
        if lo >= 0 and hi <= 65535:  # type: ignore[operator]
            return im.convert("I;16")
    if mode in ("P", "PA"):
        alpha = mode == "PA" or "transparency" in im.info
        return im.convert("RGBA" if alpha else "RGB")
    if mode in ("L", "RGB") and "transparency" in im.info:
        return im.convert("LA" if mode == "L" else "RGBA")
    if mode == "1":
        return im.convert("L")
    if mode in ("La", "RGBa"):
        return im.convert(mode.replace("a", "A"))
    if mode in SUPPORTED_MODES:
        return im
    raise InputImageError(name, Reason("region_mode", mode=mode))


# -- masks and boxes ---------------------------------------------------------------------------

def load_mask(source: MaskSource, size: tuple[int, int], name: str = "<mask>") -> Image.Image:
    """A greyscale mask (white = change) scaled to `size`; transparent counts as black."""
    try:
        if isinstance(source, Image.Image):
            im = source
        else:
            fp = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
            with fp:
                im = _open_image(fp, name if isinstance(source, bytes) else os.fspath(source))
                im.load()
                orientation = _orientation(im)
                if orientation != 1:
                    im = im.transpose(_TRANSPOSE[orientation])
    except OSError as exc:
        raise InputImageError(name, Reason("mask_unreadable", detail=exc.strerror or exc)
                              ) from None
    except _DECODE_ERRORS as exc:
        raise InputImageError(name, _damaged_reason(exc)) from None
    if im.mode in ("LA", "RGBA", "PA") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        mask = Image.new("L", im.size, 0)
        mask.paste(rgba.convert("L"), (0, 0), rgba.getchannel("A"))
    else:
        mask = im.convert("L")
    if mask.size != size:
        mask = mask.resize(size, Image.Resampling.BILINEAR)
    return mask.point(_FLOOR_LUT)


def rect_mask(rect: tuple[int, int, int, int], size: tuple[int, int], name: str) -> Image.Image:
    x, y, w, h = rect
    box = (max(0, x), max(0, y), min(size[0], x + w), min(size[1], y + h))
    if box[0] >= box[2] or box[1] >= box[3]:
        raise InputImageError(name, Reason("region_outside", rect=f"{x},{y},{w},{h}",
                                           size=f"{size[0]}×{size[1]}"))
    mask = Image.new("L", size, 0)
    mask.paste(255, box)
    return mask


def _fit_axis(lo: int, hi: int, limit: int) -> tuple[int, int]:
    """Shift [lo, hi) into [0, limit) keeping its length, or cut it to [0, limit)."""
    if hi - lo >= limit:
        return 0, limit
    if lo < 0:
        lo, hi = 0, hi - lo
    if hi > limit:
        lo, hi = lo - (hi - limit), limit
    return lo, hi


def _grow_axis(lo: int, hi: int, length: int, limit: int) -> tuple[int, int]:
    """Grow [lo, hi) around its centre to `length`, then shift/cut it into the image."""
    extra = length - (hi - lo)
    if extra > 0:
        lo, hi = lo - extra // 2, hi + extra - extra // 2
    return _fit_axis(lo, hi, limit)


def crop_box(bbox: Box, size: tuple[int, int], *, feather: int = 0, context: float = CONTEXT,
             min_side: int = MIN_CROP_SIDE) -> Box:
    """The crop with context around `bbox` (rules in the module docstring)."""
    w, h = size
    x0, y0, x1, y1 = bbox
    gx = max(feather, math.ceil((x1 - x0) * context))
    gy = max(feather, math.ceil((y1 - y0) * context))
    left, right = max(0, x0 - gx), min(w, x1 + gx)
    top, bottom = max(0, y0 - gy), min(h, y1 + gy)
    left, right = _grow_axis(left, right, min_side, w)
    top, bottom = _grow_axis(top, bottom, min_side, h)
    cw, ch = right - left, bottom - top
    if cw > ch * MAX_CROP_RATIO:
        top, bottom = _grow_axis(top, bottom, math.ceil(cw / MAX_CROP_RATIO), h)
    elif ch > cw * MAX_CROP_RATIO:
        left, right = _grow_axis(left, right, math.ceil(ch / MAX_CROP_RATIO), w)
    return left, top, right, bottom


def shape_to_aspect(box: Box, size: tuple[int, int], aspect: tuple[int, int]) -> Box:
    """Grow `box` (never shrink it: the context is a minimum) to the aspect aw:ah, to within
    half a pixel of misalignment (`aspect_residual`) unless the image's edges stop it."""
    aw, ah = aspect
    left, top, right, bottom = box
    cw, ch = right - left, bottom - top
    best = (aspect_residual(box, aspect), box)
    for extra in range(0, 17):  # a few more pixels on one side may fit the ratio better
        if cw * ah < ch * aw:  # too narrow: height decides, width follows
            t, b = _grow_axis(top, bottom, ch + extra, size[1])
            lr = _grow_axis(left, right, max(cw, round((b - t) * aw / ah)), size[0])
            cand = (lr[0], t, lr[1], b)
        else:
            lr = _grow_axis(left, right, cw + extra, size[0])
            t, b = _grow_axis(top, bottom, max(ch, round((lr[1] - lr[0]) * ah / aw)), size[1])
            cand = (lr[0], t, lr[1], b)
        residual = aspect_residual(cand, aspect)
        if residual < best[0] - 1e-9:
            best = (residual, cand)
        if best[0] <= 0.25:
            break
    return best[1]


def _round16(v: float) -> int:
    return max(ANSWER_MULTIPLE, round(v / ANSWER_MULTIPLE) * ANSWER_MULTIPLE)


def answer_size(width: int, height: int, pixels: int = ANSWER_PIXELS) -> tuple[int, int]:
    """The size to ask for a crop: ~`pixels` (at most the crop's own) at its aspect, sides
    within ANSWER_SIDES, multiples of 16, the pair closest to the crop's aspect."""
    lo, hi = ANSWER_SIDES
    a = width / height
    area = min(pixels, width * height)
    w, h = math.sqrt(area * a), math.sqrt(area / a)
    scale = max(1.0, lo / min(w, h))
    scale = min(scale, hi / max(w, h))
    w *= scale
    candidates = []
    for k in range(-3, 4):
        cw = min(hi, max(lo, _round16(w) + k * ANSWER_MULTIPLE))
        ch = min(hi, max(lo, _round16(cw / a)))
        candidates.append((abs(math.log(cw / ch / a)), abs(cw * ch - w * w / a), cw, ch))
    _err, _area, cw, ch = min(candidates)
    return cw, ch


def service_default_size(width: int, height: int) -> tuple[int, int]:
    """What a service that takes no size answers for a last image of width×height: about
    1 MP at its aspect, sides rounded to multiples of 16 (the sandbox does the same)."""
    a = width / height
    lo, hi = ANSWER_SIDES
    w = min(hi, max(lo, _round16(math.sqrt(ANSWER_PIXELS * a))))
    h = min(hi, max(lo, _round16(math.sqrt(ANSWER_PIXELS / a))))
    return w, h


def aspect_residual(box: Box, aspect: tuple[int, int]) -> float:
    """How far apart (in crop pixels, at the crop's edges) an answer of aspect aw:ah lands
    if the service stretched the crop to it rather than cropping it to it: the most any
    pixel can be misplaced when the two readings are not told apart."""
    cw, ch = box[2] - box[0], box[3] - box[1]
    aw, ah = aspect
    k = max(aw / cw, ah / ch)
    return max(cw - aw / k, ch - ah / k) / 2


def feathered(mask: Image.Image, feather: int) -> Image.Image:
    """The blend weights: the mask, plus a linear ramp from 1 at its edge to 0 at `feather`
    px outside (a box blur doubled: nothing beyond `feather` px, Chebyshev distance)."""
    if feather <= 0:
        return mask
    ramp = mask.filter(ImageFilter.BoxBlur(feather)).point(_DOUBLE_LUT)
    return ImageChops.lighter(mask, ramp)
