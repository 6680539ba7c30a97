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
import struct
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, cast

from PIL import Image, ImageCms, UnidentifiedImageError

from qwen_studio.core.errors import InputImageError, Reason

IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif"}
)

# Pillow's own hard limit is 2 * Image.MAX_IMAGE_PIXELS (about 179 MP by default); ours sits
# below it so the refusal is always ours and consistent. 100-MP camera files pass.
MAX_PIXELS = 150_000_000

JPEG_QUALITY = 92
# Tried in order when a data URI is too large, before scaling the image down.
_FALLBACK_QUALITIES = (85, 78, 70)

# Formats the service accepts. Pillow opens MPO (a camera JPEG with a preview inside) via JPEG.
_ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "DIB", "TIFF", "GIF")

# We enforce MAX_PIXELS ourselves, so Pillow's warning between ~89 MP and its hard limit is
# noise (it would print a scary "DOS attack" line in the terminal for a big camera photo).
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)

_ORIENTATION_TAG = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# Errors Pillow and zlib raise for damaged data while decoding.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error,
                  zlib.error, TypeError, KeyError)


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


def _dims(w: int, h: int) -> str:
    return f"{w}×{h}"


def _data_uri_length(mime: str, n_bytes: int) -> int:
    return len(f"data:{mime};base64,") + 4 * math.ceil(n_bytes / 3)


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks so big files cost no memory."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _os_reason(exc: OSError) -> Reason:
    if isinstance(exc, FileNotFoundError):
        return Reason("file_missing")
    if isinstance(exc, IsADirectoryError):
        return Reason("is_folder")
    if isinstance(exc, PermissionError):
        return Reason("permission_denied")
    return Reason("unreadable", detail=exc.strerror or str(exc) or type(exc).__name__)


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 4:
            return False
    return True


_BOMB_RE = re.compile(r"\((\d+) pixels\)")


def _too_many_pixels(w: int, h: int) -> Reason:
    return Reason("too_many_pixels", size=_dims(w, h), megapixels=f"{w * h / 1e6:.0f}",
                  limit=MAX_PIXELS // 1_000_000)


def _bomb_reason(exc: Exception) -> Reason:
    m = _BOMB_RE.search(str(exc))
    limit = MAX_PIXELS // 1_000_000
    if m:
        return Reason("bomb_pixels", megapixels=f"{int(m.group(1)) / 1e6:.0f}", limit=limit)
    return Reason("bomb", limit=limit)


def _open_image(fp: io.BufferedReader | io.BytesIO, name: str) -> Image.Image:
    """Identify an image among the accepted formats; every failure becomes InputImageError."""
    try:
        return Image.open(fp, formats=_ACCEPTED_FORMATS)
    except Image.DecompressionBombError as exc:
        raise InputImageError(name, _bomb_reason(exc)) from None
    except UnidentifiedImageError:
        pass
    except _DECODE_ERRORS as exc:
        raise InputImageError(name, Reason("damaged_open", detail=exc)) from None
    # Not one of ours: say what it is if Pillow knows the format, else that it isn't an image.
    fp.seek(0)
    head = fp.read(512)
    fp.seek(0)
    try:
        with Image.open(fp) as other:
            fmt = other.format or "unknown"
        reason = Reason("unsupported_format", format=fmt)
    except Image.DecompressionBombError as exc:
        reason = _bomb_reason(exc)
    except Exception:
        reason = Reason("text_file" if _looks_like_text(head) else "not_image")
    raise InputImageError(name, reason)


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # a broken EXIF block must not make the photo unusable
        return 1
    return value if isinstance(value, int) and value in _TRANSPOSE else 1


def _frame_note(im: Image.Image) -> str | None:
    try:
        frames = int(getattr(im, "n_frames", 1))
    except Exception:
        return None
    if frames <= 1:
        return None
    if im.format == "TIFF":
        return f"first page of a {frames}-page TIFF"
    if im.format == "MPO":
        return None  # the extra frames are camera previews, not content
    kind = {"GIF": "GIF", "PNG": "PNG", "WEBP": "WebP"}.get(im.format or "", im.format or "")
    return f"first frame of an animated {kind} ({frames} frames)"


def _is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    try:
        desc = ImageCms.getProfileDescription(profile)
    except Exception:
        return False
    return "srgb" in desc.lower().replace(" ", "").replace("-", "")


def _profile_name(profile: ImageCms.ImageCmsProfile) -> str:
    try:
        return ImageCms.getProfileDescription(profile).strip() or "embedded profile"
    except Exception:
        return "embedded profile"


_SRGB = ImageCms.createProfile("sRGB")


def _has_transparency(im: Image.Image) -> bool:
    if im.mode not in ("RGBA", "LA", "PA"):
        return False
    lo, _hi = cast("tuple[int, int]", im.getchannel("A").getextrema())
    return bool(lo < 255)


def _to_8bit(im: Image.Image) -> Image.Image:
    """Scale 16/32-bit and float data into 0–255 instead of letting convert() clip it."""
    if im.mode.startswith("I;16"):
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    lo, hi = cast("tuple[float, float]", im.getextrema())  # one band: (min, max)
    if im.mode == "F" and hi <= 1.0 and lo >= 0.0:
        return im.point(lambda v: v * 255).convert("L")
    if hi <= 255 and lo >= 0:
        return im.convert("L")
    if hi <= 65535 and lo >= 0:
        return im.point(lambda v: v * (1 / 256)).convert("L")
    span = (hi - lo) or 1
    return im.point(lambda v: (v - lo) * (255 / span)).convert("L")


_HIGH_DEPTH = ("I", "I;16", "I;16L", "I;16B", "I;16N", "F")


def _basic_mode(im: Image.Image, notes: list[str]) -> Image.Image:
    """Any Pillow mode -> one of L, LA, RGB, RGBA, CMYK (alpha only where there was one)."""
    mode = im.mode
    if mode in _HIGH_DEPTH:
        notes.append("converted from floating-point to 8-bit" if mode == "F"
                     else "converted from 16-bit to 8-bit")
        im = _to_8bit(im)
    elif mode == "1":
        notes.append("converted from black-and-white")
        im = im.convert("L")
    elif mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in im.info
        im = im.convert("RGBA" if has_alpha else "RGB")
    elif mode == "La":
        im = im.convert("LA")
    elif mode == "RGBa":
        im = im.convert("RGBA")
    elif mode in ("YCbCr", "LAB", "HSV"):
        notes.append(f"converted from {mode} to RGB")
        im = im.convert("RGB")
    elif mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        im = im.convert("RGBA" if "A" in mode else "RGB")
    # A single transparent colour (tRNS in a grayscale/RGB PNG) becomes a real alpha channel.
    if im.mode in ("L", "RGB") and "transparency" in im.info:
        im = im.convert("LA" if im.mode == "L" else "RGBA")
    if im.mode in ("L", "LA") and mode not in ("1", *_HIGH_DEPTH):
        notes.append("converted from grayscale")
    return im


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode in ("RGB", "RGBA"):
        return im
    return im.convert("RGBA" if im.mode == "LA" else "RGB")


def _normalize(im: Image.Image, notes: list[str], shrink_to: tuple[int, int] | None = None
               ) -> tuple[Image.Image, bytes | None]:
    """Any mode -> RGB or RGBA in sRGB. Returns the image and an ICC profile to embed.

    `shrink_to`: a smaller size wanted anyway; the image is resized before its colours are
    converted, so LittleCMS converts only the pixels that are sent or shown.
    """
    icc: bytes | None = im.info.get("icc_profile") or None
    im = _basic_mode(im, notes)
    if shrink_to is not None and shrink_to[0] < im.width:
        im = im.resize(shrink_to, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if icc is None:
        if im.mode == "CMYK":
            notes.append("converted from CMYK without a colour profile (colours are approximate)")
        return _to_rgb(im), None

    try:
        profile: ImageCms.ImageCmsProfile | None = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space.strip().upper()  # type: ignore[union-attr]
    except Exception:
        profile, space = None, ""

    if profile is None:
        if im.mode in ("RGB", "RGBA"):
            # We cannot interpret it; keeping it beats silently changing the colours.
            notes.append("kept an embedded colour profile that could not be read")
            return im, icc
        notes.append("ignored an embedded colour profile that could not be read "
                     "(colours may be slightly off)")
        if im.mode == "CMYK":
            notes.append("converted from CMYK without a colour profile (colours are approximate)")
        return _to_rgb(im), None

    name = _profile_name(profile)
    if im.mode in ("RGB", "RGBA") and space == "RGB" and _is_srgb(profile):
        return im, icc  # already sRGB: keep the profile bytes as they are

    alpha = im.getchannel("A") if im.mode in ("RGBA", "LA") else None
    colour = im.convert(im.mode[:-1]) if alpha is not None else im
    try:
        conv = ImageCms.profileToProfile(colour, profile, _SRGB, outputMode="RGB")
    except Exception:
        conv = None
    if conv is not None:
        if alpha is not None:
            conv.putalpha(alpha)
        if im.mode == "CMYK":
            notes.append(f"converted from CMYK to sRGB using the embedded profile ({name})")
        else:
            notes.append(f"converted colours from {name} to sRGB")
        return conv, None
    if im.mode in ("RGB", "RGBA") and space == "RGB":
        notes.append(f"kept the colour profile {name!r}; it could not be converted to sRGB")
        return im, icc
    notes.append(f"ignored the colour profile {name!r}, which could not be applied "
                 "(colours may be slightly off)")
    if im.mode == "CMYK":
        notes.append("converted from CMYK without a colour profile (colours are approximate)")
    return _to_rgb(im), None


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


def _encode(im: Image.Image, fmt: str, icc: bytes | None, quality: int = JPEG_QUALITY) -> bytes:
    buf = io.BytesIO()
    kwargs: dict[str, object] = {}
    if icc:
        kwargs["icc_profile"] = icc
    if fmt == "JPEG":
        im.save(buf, "JPEG", quality=quality, **kwargs)
    else:
        im.save(buf, "PNG", compress_level=6, **kwargs)
    return buf.getvalue()


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
        im.load()
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


def _icc_is_srgb(icc: bytes) -> bool:
    try:
        return _is_srgb(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    except Exception:
        return False


def _damaged_reason(exc: BaseException) -> Reason:
    text = str(exc).strip()
    if "truncated" in text.lower() or isinstance(exc, EOFError):
        return Reason("truncated")
    return Reason("damaged", detail=text or type(exc).__name__)


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


def _sort_key(root: Path) -> object:
    return lambda q: tuple((part.casefold(), part) for part in q.relative_to(root).parts)


def _special_file(p: Path) -> str:
    """'pipe', 'device' or 'socket' for such a path (symlinks followed), else ''."""
    import stat

    try:
        mode = os.stat(p).st_mode
    except OSError:
        return ""  # missing or unreadable: prepare_image says why, with a better reason
    if stat.S_ISFIFO(mode):
        return "pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return ""


def find_images(
    paths: Iterable[str | os.PathLike[str]],
) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand files and folders into image files (recursive, sorted) and skipped files.

    Files given by name are always considered; inside folders, hidden (dot) files and
    folders are skipped silently and symlinked folders are not followed. A file with an
    image extension is listed even if it turns out unreadable: prepare_image reports that
    with a better reason. The same file given twice is listed once.
    Raises FileNotFoundError for a path that does not exist.
    """
    images: list[Path] = []
    skipped: list[tuple[Path, str]] = []  # the reasons are Reason (a str with a code)
    seen: set[str] = set()

    def consider(p: Path) -> None:
        key = os.path.normcase(os.path.abspath(p))
        if key in seen:
            return
        seen.add(key)
        ext = p.suffix.lower()
        kind = _special_file(p)
        if kind:  # reading a FIFO would block forever; a device is never a photo
            skipped.append((p, Reason("unreadable", detail=f"it is a {kind}, not a file")))
        elif ext in IMAGE_EXTENSIONS:
            images.append(p)
        else:
            skipped.append((p, Reason("not_image_type", ext=ext) if ext
                            else Reason("no_extension")))

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else Path(".")
        skipped.append((where, Reason("folder_unreadable", detail=exc.strerror or exc)))

    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise FileNotFoundError(f"{raw}: no such file or folder")
        if not root.is_dir():
            consider(root)
            continue
        found: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            found.extend(Path(dirpath) / fn for fn in filenames if not fn.startswith("."))
        found.sort(key=_sort_key(root))  # type: ignore[arg-type]
        for q in found:
            consider(q)
    return images, skipped


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
                im.load()
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
