"""Save a result in the format the job needs: PNG, JPEG, WebP or AVIF.

The pixels are the ones the service sent, converted once (decoded from the received
bytes and encoded straight into the target; never through an intermediate file). PNG
keeps the received file's pixel data byte for byte: only chunks are added.

Every file says what colour space its pixels are in: the source's own ICC profile when
it has one (a region composite carries its source photo's profile), else an sRGB
profile, which is what an untagged result from the service means. And every file carries
the edit's parameters (see core/image_metadata), so dropping it back on the window
recalls them.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from pathlib import Path
from typing import Any

from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.image_metadata import exif_for, sniff_format, xmp_for
from qwen_studio.core.png_metadata import embed_png_metadata, metadata_for
from qwen_studio.core.request import EditRequest

FORMATS = ("png", "jpeg", "webp", "avif")
SUFFIXES = {"png": ".png", "jpeg": ".jpg", "webp": ".webp", "avif": ".avif"}
# Visually lossless for photos at a fraction of PNG's size; AVIF reaches it lower.
DEFAULT_QUALITY = {"jpeg": 92, "webp": 90, "avif": 80}
_ALIASES = {"jpg": "jpeg", "jpe": "jpeg", "jfif": "jpeg"}
_PIL_NAMES = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "avif": "AVIF"}
_PNG_COLOUR_CHUNKS = frozenset({b"iCCP", b"sRGB", b"gAMA", b"cHRM", b"cICP"})
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ExportFormatError(QwenStudioError):
    """The format is unknown or this installation cannot write it, or the image is bad."""


def _writable(fmt: str) -> bool:
    if fmt != "avif":
        return True
    from PIL import features

    return bool(features.check("avif"))


def available_formats() -> tuple[str, ...]:
    """The formats this installation can write (AVIF needs Pillow built with libavif)."""
    return tuple(f for f in FORMATS if _writable(f))


def check_format(name: str) -> str:
    """The canonical format name ('jpg' -> 'jpeg'); ExportFormatError if unusable here."""
    fmt = _ALIASES.get(name.strip().lower().lstrip("."), name.strip().lower().lstrip("."))
    if fmt not in FORMATS:
        raise ExportFormatError(
            f"unknown image format {name!r}; choose one of {', '.join(FORMATS)}")
    if not _writable(fmt):
        raise ExportFormatError(
            "AVIF is not supported by this installation (Pillow was built without "
            "libavif); choose png, jpeg or webp")
    return fmt


def format_for_path(path: str | Path) -> str | None:
    """The format a file name asks for by its suffix ('x.JPG' -> 'jpeg'), or None."""
    suffix = Path(path).suffix.lower().lstrip(".")
    fmt = _ALIASES.get(suffix, suffix)
    return fmt if fmt in FORMATS else None


def check_quality(quality: int | None) -> int | None:
    if quality is not None and not 1 <= int(quality) <= 100:
        raise ExportFormatError(f"quality must be 1–100 (got {quality})")
    return None if quality is None else int(quality)


@functools.cache
def srgb_profile() -> bytes:
    """An sRGB ICC profile (LittleCMS's own), made once per process."""
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


# -- PNG: chunks only ---------------------------------------------------------------------------


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def _png_colour_tagged(png: bytes) -> bool:
    """Whether the PNG already says what its colour space is (before its first IDAT)."""
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind = png[pos + 4:pos + 8]
        if kind in _PNG_COLOUR_CHUNKS:
            return True
        if kind in (b"IDAT", b"IEND"):
            return False
        pos += 12 + length
    return False


def _png_with_profile(png: bytes, profile: bytes) -> bytes:
    """`png` with an iCCP chunk right after IHDR (where the spec wants it: before PLTE and
    IDAT), unless it is tagged already. Every other byte is kept."""
    if png[8:16] != b"\x00\x00\x00\x0dIHDR" or _png_colour_tagged(png):
        return png
    iccp = _png_chunk(b"iCCP", b"ICC Profile\x00\x00" + zlib.compress(profile, 9))
    ihdr_end = len(_PNG_SIGNATURE) + 12 + 13
    return png[:ihdr_end] + iccp + png[ihdr_end:]


# -- raster formats -----------------------------------------------------------------------------


def _for_target(im: Any, fmt: str, own_profile: bool) -> Any:
    """The decoded image in a mode the target format stores (one conversion at most)."""
    from PIL import Image

    mode = im.mode
    if mode.startswith("I;16") or mode == "I":  # 16-bit grey: scale, do not clip
        im = im.point(lambda v: v * (1 / 256)).convert("L")
        mode = "L"
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        mode == "P" and "transparency" in im.info)
    keep_grey = mode == "L" and own_profile  # a grey profile describes grey pixels only
    if not keep_grey and mode not in ("RGB", "RGBA"):
        im = im.convert("RGBA" if has_alpha else "RGB")
    if fmt == "jpeg" and im.mode == "RGBA":
        # JPEG has no transparency: flatten onto white, as a print or a web page would.
        flat = Image.new("RGB", im.size, (255, 255, 255))
        flat.paste(im, mask=im.getchannel("A"))
        im = flat
    return im


def _encode(data: bytes, fmt: str, quality: int | None, profile: bytes | None,
            texts: dict[str, str], prompt: str) -> bytes:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as src:
            src.load()
            own = src.info.get("icc_profile") or None
            im = _for_target(src, fmt, own_profile=bool(profile or own))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError) as exc:
        raise ExportFormatError(f"the result image cannot be read: {exc}") from exc
    options: dict[str, Any] = {"icc_profile": profile or own or srgb_profile()}
    if fmt == "png":
        options["optimize"] = False
    else:
        q = quality if quality is not None else DEFAULT_QUALITY[fmt]
        options.update(quality=q, exif=exif_for(texts), xmp=xmp_for(texts, prompt=prompt))
        if fmt == "jpeg" and q >= 90:
            options["subsampling"] = 0  # full-resolution colour: sharp text and edges
    # JPEG's segments hold 64 KB each: an extreme record goes without its XMP, then
    # without EXIF, rather than without the picture.
    for dropped in ((), ("xmp",), ("xmp", "exif")):
        for key in dropped:
            options.pop(key, None)
        buf = io.BytesIO()
        try:
            im.save(buf, _PIL_NAMES[fmt], **options)
            break
        except ValueError as exc:
            if dropped == ("xmp", "exif"):
                raise ExportFormatError(f"could not write {fmt.upper()}: {exc}") from exc
    out = buf.getvalue()
    if fmt == "png":
        out = embed_png_metadata(out, texts)
    return out


def convert_image(
    data: bytes,
    fmt: str = "png",
    *,
    quality: int | None = None,
    texts: dict[str, str] | None = None,
    prompt: str = "",
    icc_profile: bytes | None = None,
) -> bytes:
    """`data` (the bytes the service sent) as a file of format `fmt`.

    texts: the metadata to embed (png_metadata.metadata_for); prompt: the caption for
    XMP. icc_profile: the profile the pixels are in, when the caller knows better than
    the file (a region composite in its source's space); default the file's own, else
    sRGB. PNG input to PNG output keeps every received byte and adds chunks only.
    Raises ExportFormatError for an unusable format or an unreadable image.
    """
    fmt = check_format(fmt)
    quality = check_quality(quality)
    texts = dict(texts or {})
    if fmt == "png" and sniff_format(data) == "png":
        try:
            tagged = _png_with_profile(data, icc_profile or srgb_profile())
            return embed_png_metadata(tagged, texts) if texts else tagged
        except ValueError:
            pass  # a damaged PNG: decode what Pillow can and write a clean one
    return _encode(data, fmt, quality, icc_profile, texts, prompt)


def export_result(
    data: bytes,
    request: EditRequest,
    fmt: str = "png",
    *,
    quality: int | None = None,
    extra: dict[str, Any] | None = None,
    icc_profile: bytes | None = None,
) -> bytes:
    """One result as a file of `fmt` with its edit's parameters embedded (Save As, gallery
    export and the CLI all write through this)."""
    return convert_image(data, fmt, quality=quality, texts=metadata_for(request, extra),
                         prompt=request.prompt, icc_profile=icc_profile)


_LABELS = {"png": "PNG image", "jpeg": "JPEG image", "webp": "WebP image",
           "avif": "AVIF image"}
_PATTERNS = {"png": "*.png", "jpeg": "*.jpg *.jpeg", "webp": "*.webp", "avif": "*.avif"}


def dialog_filters() -> list[tuple[str, str, str]]:
    """(format, label, patterns) for a Save As dialog, the formats this build can write."""
    return [(f, _LABELS[f], _PATTERNS[f]) for f in available_formats()]


def save_as(
    data: bytes,
    target: str | Path,
    request: EditRequest,
    *,
    fmt: str | None = None,
    quality: int | None = None,
    extra: dict[str, Any] | None = None,
    icc_profile: bytes | None = None,
) -> Path:
    """Write one result to `target` in `fmt` (default: from its suffix, PNG when it has
    none we know), parameters and profile embedded, atomically: the file appears whole
    or not at all. The caller (a Save As dialog) has asked before replacing a file."""
    from qwen_studio.core.atomic import write_atomic

    target = Path(target)
    fmt = check_format(fmt or format_for_path(target) or "png")
    out = export_result(data, request, fmt, quality=quality, extra=extra,
                        icc_profile=icc_profile)
    try:
        write_atomic(target, out)
    except OSError as exc:
        raise ExportFormatError(f"could not write {target.name}: {exc.strerror or exc}") \
            from exc
    return target
