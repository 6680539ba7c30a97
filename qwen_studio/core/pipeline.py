"""Input images -> what the service accepts: a data URI of a JPEG or PNG within its limits.

The functions here are synchronous and CPU/IO bound; callers run them in a thread pool
(the GUI thread never calls them directly). They use Pillow only.

Choices, and why:

- **What is sent.** The service takes JPG/PNG/BMP/TIFF/WebP/GIF with each side 384–3072 px
  and at most 10 MB per image *including* base64 growth (see docs/api-contract). We always
  send JPEG (quality 92) or PNG: every other container is re-encoded, because that is the
  only way to control the encoded size and to make EXIF orientation and colour explicit.
  PNG is used only when the image really has transparency (an alpha channel that is
  opaque everywhere is dropped; a model cannot use it and JPEG is far smaller).
- **Untouched JPEGs.** A JPEG that needs no rotation, resize or colour conversion and fits
  the limits is sent byte for byte: re-encoding would only lose quality. Note that such a
  file keeps its own metadata (EXIF, GPS) exactly as the user's file has it.
- **Orientation.** The EXIF orientation tag is applied to the pixels (cameras store
  portrait photos sideways); the re-encoded file carries no EXIF, so nothing rotates twice.
  Sizes reported in `PreparedImage` (`original_width/height` too) are as the user sees the
  picture, i.e. after orientation.
- **Colour.** The model works in sRGB. An embedded ICC profile that is not sRGB is
  converted to sRGB with LittleCMS (ImageCms); an sRGB profile is kept as is. CMYK without
  a profile is converted with Pillow's plain formula and says so in the notes, because the
  colours are then approximate. A profile that cannot be parsed is kept in the output
  rather than dropped. 16-bit data is scaled to 8 bits (not clipped), palette and
  grayscale images become RGB(A).
- **Size.** Each side is scaled into [min_side, max_side] keeping the aspect ratio; when
  the ratio is beyond max_side/min_side (8:1 by default) no scale can satisfy both and
  the image is refused with that reason. If the data URI is still too large, the JPEG
  quality is lowered step by step, then the image is scaled down further.
- **Memory.** JPEGs are decoded with `Image.draft()`, which lets libjpeg decode at 1/2,
  1/4 or 1/8 scale, so a 100-megapixel photo never exists at full size in memory. Images
  above MAX_PIXELS are refused before decoding (decompression bombs); Pillow's own
  DecompressionBombError is turned into the same plain-language refusal.
- **Errors.** Every failure is an `InputImageError(path, reason)` with a reason a user can
  act on; no Pillow or OS traceback escapes. Reasons (and find_images' skip reasons) are
  `Reason`s: the English text as a str, plus a stable code (core.errors.INPUT_REASONS)
  the window translates; nothing here knows about Qt.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import mimetypes
import os
import re
from dataclasses import dataclass
from typing import NamedTuple

from PIL import Image

from qwen_studio.core.errors import InputImageError, Reason
from qwen_studio.core.image_convert import (
    JPEG_QUALITY,
    _encode,
    _has_transparency,
    _icc_is_srgb,
    _normalize,
)
from qwen_studio.core.image_open import (
    _DECODE_ERRORS,
    _TRANSPOSE,
    MAX_PIXELS,
    _bomb_reason,
    _damaged_reason,
    _dims,
    _frame_note,
    _open_image,
    _orientation,
    _os_reason,
    _too_many_pixels,
    load_unowned,
)
from qwen_studio.core.input_files import IMAGE_EXTENSIONS, file_sha256, find_images
from qwen_studio.core.thumbnails import make_thumbnail

# The public names; find_images, file_sha256, make_thumbnail and the limits live in their own
# modules (input_files, thumbnails, image_open, image_convert) and are re-exported here.
__all__ = [
    "IMAGE_EXTENSIONS",
    "JPEG_QUALITY",
    "MAX_PIXELS",
    "PreparedImage",
    "file_sha256",
    "find_images",
    "make_thumbnail",
    "prepare_image",
]

# Tried in order when a data URI is too large, before scaling the image down.
_FALLBACK_QUALITIES = (85, 78, 70)


@dataclass(frozen=True)
class PreparedImage:
    """One input ready to send. Sizes are after EXIF orientation; 0 for URL inputs."""

    source: str
    data_uri: str
    mime: str
    width: int
    height: int
    original_width: int
    original_height: int
    sha256: str
    notes: tuple[str, ...] = ()


# -- small helpers ---------------------------------------------------------------------------

def _is_url(path: object) -> bool:
    return isinstance(path, str) and re.match(r"(?i)^https?://", path) is not None



def _data_uri_length(mime: str, n_bytes: int) -> int:
    return len(f"data:{mime};base64,") + 4 * math.ceil(n_bytes / 3)


_B64_PIECE = 3 << 17  # 384 KiB in, 512 KiB out: a short GIL hold each (binascii holds it)


def _data_uri(mime: str, data: bytes) -> str:
    """The data URI, encoded piece by piece: one b64encode of a 10 MB JPEG holds the GIL for
    10-20 ms (a stall of the window when a pool thread does it); the pieces join into the
    same text (a multiple of 3 bytes each, so no padding inside)."""
    view = memoryview(data)
    pieces = [f"data:{mime};base64,"]
    pieces += [base64.b64encode(view[i:i + _B64_PIECE]).decode("ascii")
               for i in range(0, len(data), _B64_PIECE)]
    return "".join(pieces)


def _target_size(w: int, h: int, max_side: int, min_side: int) -> tuple[int, int]:
    """Scale (w, h) so each side is within [min_side, max_side], keeping the aspect ratio."""
    scale = 1.0
    if max(w, h) > max_side:
        scale = max_side / max(w, h)
    elif min(w, h) < min_side:
        scale = min_side / min(w, h)
    if scale == 1.0:
        return w, h
    nw = min(max(round(w * scale), min_side), max_side)
    nh = min(max(round(h * scale), min_side), max_side)
    return nw, nh


# -- public API --------------------------------------------------------------------------------

def prepare_image(
    path: str | os.PathLike[str],
    *,
    max_side: int = 3072,
    min_side: int = 384,
    max_data_uri_bytes: int = 10_000_000,
) -> PreparedImage:
    """Read, orient, convert and size one input image; raise InputImageError if unusable."""
    if _is_url(path):
        url = str(path)
        mime = mimetypes.guess_type(url.split("?", 1)[0].split("#", 1)[0])[0] or ""
        return PreparedImage(
            source=url, data_uri=url, mime=mime if mime.startswith("image/") else "",
            width=0, height=0, original_width=0, original_height=0,
            sha256=hashlib.sha256(url.encode("utf-8")).hexdigest(), notes=(),
        )
    name = os.fspath(path)
    try:
        size = os.stat(name).st_size
        if os.path.isdir(name):
            raise IsADirectoryError(name)
        if size == 0:
            raise InputImageError(name, Reason("empty_file"))
        digest = file_sha256(name)
        f = open(name, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        raise InputImageError(name, _os_reason(exc)) from None
    try:
        return _prepare_open_file(f, name, digest, max_side, min_side, max_data_uri_bytes)
    except MemoryError:
        raise InputImageError(name, Reason("out_of_memory")) from None
    finally:
        f.close()


def _prepare_open_file(
    f: io.BufferedReader, name: str, digest: str,
    max_side: int, min_side: int, max_data_uri_bytes: int,
) -> PreparedImage:
    if min_side < 1 or max_side < min_side:
        raise ValueError(f"invalid size limits min_side={min_side} max_side={max_side}")
    im = _open_image(f, name)
    try:
        return _prepare_opened(im, f, name, digest, max_side, min_side, max_data_uri_bytes)
    finally:
        im.close()


class _Geometry(NamedTuple):
    orientation: int  # EXIF 1-8
    ow: int  # displayed (oriented) size
    oh: int
    tw: int  # size to send, displayed
    th: int
    rtw: int  # size to send, as stored (before the EXIF rotation)
    rth: int


def _geometry(im: Image.Image, max_side: int, min_side: int) -> _Geometry:
    raw_w, raw_h = im.size
    orientation = _orientation(im)
    turned = orientation in (5, 6, 7, 8)
    ow, oh = (raw_h, raw_w) if turned else (raw_w, raw_h)
    tw, th = _target_size(ow, oh, max_side, min_side)
    rtw, rth = (th, tw) if turned else (tw, th)
    return _Geometry(orientation, ow, oh, tw, th, rtw, rth)


def _prepare_opened(
    im: Image.Image, f: io.BufferedReader, name: str, digest: str,
    max_side: int, min_side: int, max_data_uri_bytes: int,
) -> PreparedImage:
    notes: list[str] = []
    fmt = im.format or ""
    is_jpeg = fmt in ("JPEG", "MPO")
    raw_w, raw_h = im.size
    if raw_w * raw_h > MAX_PIXELS:
        raise InputImageError(name, _too_many_pixels(raw_w, raw_h))
    # The ratio does not depend on orientation, so this refusal needs no decoding.
    ratio = max(raw_w, raw_h) / min(raw_w, raw_h)
    if ratio > max_side / min_side:
        raise InputImageError(
            name,
            Reason("aspect_ratio", size=_dims(raw_w, raw_h), ratio=f"{ratio:.1f}",
                   min_side=min_side, max_side=max_side, max_ratio=f"{max_side / min_side:g}"),
        )
    frame_note = _frame_note(im)
    if frame_note:
        notes.append(frame_note)

    geometry: _Geometry | None = None
    if is_jpeg:
        # JPEG EXIF sits in the header; knowing the orientation first lets draft() aim right.
        geometry = _geometry(im, max_side, min_side)
        orientation, ow, oh, tw, th, rtw, rth = geometry

        # Sent untouched: a plain sRGB/untagged colour JPEG that already fits everything.
        icc = im.info.get("icc_profile")
        if (
            fmt == "JPEG" and im.mode == "RGB" and orientation == 1 and (tw, th) == (ow, oh)
            and (not icc or _icc_is_srgb(icc))
            and _data_uri_length("image/jpeg", os.fstat(f.fileno()).st_size)
            <= max_data_uri_bytes
        ):
            # Decode at 1/8 scale anyway: cheap, and it catches truncated or corrupt files.
            im.draft(None, (max(1, raw_w // 8), max(1, raw_h // 8)))
            try:
                im.load()
            except _DECODE_ERRORS as exc:
                raise InputImageError(name, _damaged_reason(exc)) from None
            f.seek(0)
            data = f.read()
            return PreparedImage(
                source=name, data_uri=_data_uri("image/jpeg", data), mime="image/jpeg",
                width=ow, height=oh, original_width=ow, original_height=oh,
                sha256=digest, notes=tuple(notes),
            )
        if rtw < raw_w:
            im.draft(None, (rtw, rth))  # libjpeg decodes at 1/2, 1/4 or 1/8 scale
    try:
        load_unowned(im)  # the same pixels; freed without the GIL (image_open)
    except Image.DecompressionBombError as exc:
        raise InputImageError(name, _bomb_reason(exc)) from None
    except _DECODE_ERRORS as exc:
        raise InputImageError(name, _damaged_reason(exc)) from None
    if geometry is None:
        # Other formats may keep EXIF after the pixel data, so read it after loading.
        geometry = _geometry(im, max_side, min_side)
    orientation, ow, oh, tw, th, rtw, rth = geometry

    try:
        img, out_icc = _normalize(im, notes, shrink_to=(rtw, rth))
        if img.size != (rtw, rth):
            img = img.resize((rtw, rth), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if orientation != 1:
            img = img.transpose(_TRANSPOSE[orientation])
    except _DECODE_ERRORS as exc:
        raise InputImageError(name, _damaged_reason(exc)) from None
    if img is not im:
        im.close()  # release the full-size decode before encoding

    if (tw, th) != (ow, oh):
        verb = "downscaled" if tw < ow else "upscaled"
        notes.append(f"{verb} from {_dims(ow, oh)} to {_dims(tw, th)}")
    if orientation != 1:
        notes.append("rotated/flipped according to the EXIF orientation")

    alpha = _has_transparency(img)
    if img.mode == "RGBA" and not alpha:
        img = img.convert("RGB")
    out_fmt, mime = ("PNG", "image/png") if alpha else ("JPEG", "image/jpeg")
    if alpha:
        notes.append("kept transparency (sent as PNG)")

    data, (w, h) = _fit(img, out_fmt, mime, out_icc, name, max_data_uri_bytes, min_side, notes)
    return PreparedImage(
        source=name, data_uri=_data_uri(mime, data), mime=mime, width=w, height=h,
        original_width=ow, original_height=oh, sha256=digest, notes=tuple(notes),
    )


def _fit(
    img: Image.Image, fmt: str, mime: str, icc: bytes | None, name: str,
    limit: int, min_side: int, notes: list[str],
) -> tuple[bytes, tuple[int, int]]:
    """Encode so the data URI fits `limit`: lower JPEG quality first, then scale down."""
    data = _encode(img, fmt, icc)
    if _data_uri_length(mime, len(data)) <= limit:
        return data, img.size
    quality = JPEG_QUALITY
    if fmt == "JPEG":
        for quality in _FALLBACK_QUALITIES:  # the last one is reused when scaling below
            data = _encode(img, fmt, icc, quality=quality)
            if _data_uri_length(mime, len(data)) <= limit:
                notes.append(f"JPEG quality lowered to {quality} to stay under the size limit")
                return data, img.size
    cur_size = img.size
    for _ in range(12):
        # Encoded size scales roughly with the pixel count; aim a little under the limit.
        factor = min(0.9, math.sqrt(limit / _data_uri_length(mime, len(data))) * 0.95)
        factor = max(factor, min_side / min(cur_size))
        if factor >= 1.0:
            break  # already at the smallest size the service accepts
        new_size = (max(min_side, round(cur_size[0] * factor)),
                    max(min_side, round(cur_size[1] * factor)))
        if new_size == cur_size:
            break
        cur_size = new_size
        data = _encode(img.resize(cur_size, Image.Resampling.LANCZOS, reducing_gap=3.0),
                       fmt, icc, quality=quality)
        if _data_uri_length(mime, len(data)) <= limit:
            if fmt == "JPEG":
                notes.append(f"JPEG quality lowered to {quality} to stay under the size limit")
            notes.append(f"downscaled from {_dims(*img.size)} to {_dims(*cur_size)} "
                         "to stay under the size limit")
            return data, cur_size
    raise InputImageError(
        name,
        Reason("too_large_to_send", size=_dims(*cur_size),
               megabytes=f"{_data_uri_length(mime, len(data)) / 1e6:.1f}",
               limit=f"{limit / 1e6:.1f}"),
    )
