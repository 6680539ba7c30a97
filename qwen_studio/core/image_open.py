"""Opening an input image: the accepted formats, the pixel limit, EXIF orientation, and
the plain-language reasons (`Reason`) for everything that can go wrong on the way.

Shared by core/pipeline.py (images to send), core/thumbnails.py, core/display_image.py
and core/region_mask.py, so every path refuses a file for the same reason.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib

from PIL import Image, ImageFile, UnidentifiedImageError

from qwen_studio.core.anon_memory import AnonBuffer, new_buffer
from qwen_studio.core.errors import InputImageError, Reason

# Pillow's own hard limit is 2 * Image.MAX_IMAGE_PIXELS (about 179 MP by default); ours sits
# below it so the refusal is always ours and consistent. 100-MP camera files pass.
MAX_PIXELS = 150_000_000

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


def _dims(w: int, h: int) -> str:
    return f"{w}×{h}"


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
        # A multi-byte character cut at the end of the sample is still text; a byte that
        # starts no character (a JPEG's 0xFF) is not, however short the file.
        return exc.reason == "unexpected end of data" and exc.start >= len(head) - 4
    return True


def _starts_like_an_image(head: bytes) -> bool:
    """The first bytes of one of the accepted formats (or a start of a binary one's): a
    file like that which does not open was cut short; a 3-byte JPEG is not text."""
    for sig in _BINARY_SIGNATURES:
        if head[:len(sig)] == sig or (sig.startswith(head) and not _looks_like_text(head)):
            return True
    if len(head) >= 4 and (b"GIF87a".startswith(head[:6]) or b"GIF89a".startswith(head[:6])):
        return True
    if head[:4] == b"RIFF" and len(head) > 8 and b"WEBP".startswith(head[8:12]):
        return True
    return head[:2] == b"BM" and not _looks_like_text(head)


# JPEG, PNG and TIFF (both byte orders) start with bytes no text file does.
_BINARY_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")


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
        raise InputImageError(name, _open_failure(fp, exc)) from None
    # Not one of ours: say what it is if Pillow knows the format, else that it isn't an image.
    head = _head(fp)
    watched = _EndWatch(fp)
    try:
        with Image.open(watched) as other:  # type: ignore[arg-type]  # duck-typed reader
            fmt = other.format or "unknown"
        reason = Reason("unsupported_format", format=fmt)
    except Image.DecompressionBombError as exc:
        reason = _bomb_reason(exc)
    except Exception:
        # Cut short only on evidence: it starts like one of ours AND reading it ran out of
        # bytes. A whole TIFF in a colour encoding Pillow lacks is not "incomplete".
        cut = watched.ran_out and _starts_like_an_image(head)
        reason = Reason("truncated" if cut
                        else "text_file" if _looks_like_text(head) else "not_image")
    raise InputImageError(name, reason)


class _EndWatch:
    """A file that remembers whether a read came back short: the file ended under Pillow."""

    def __init__(self, fp: io.BufferedReader | io.BytesIO) -> None:
        self._fp = fp
        self.ran_out = False

    def read(self, size: int | None = -1) -> bytes:
        data = self._fp.read(size)
        if size is None or size < 0 or len(data) < size:
            self.ran_out = True
        return data

    def __getattr__(self, name: str):
        return getattr(self._fp, name)


def _head(fp: io.BufferedReader | io.BytesIO) -> bytes:
    fp.seek(0)
    head = fp.read(512)
    fp.seek(0)
    return head


def _open_failure(fp: io.BufferedReader | io.BytesIO, exc: BaseException) -> Reason:
    """Why a file one of our formats claimed did not open: cut short (Pillow ran out of
    bytes), text that starts like a format ("BMW notes" reads as a BMP's "BM"), or damaged."""
    if isinstance(exc, EOFError) or "truncated" in str(exc).lower() or _short_riff(fp):
        head = _head(fp)
        if _looks_like_text(head) and not _starts_like_an_image(head):
            return Reason("text_file")
        return Reason("truncated")
    return Reason("damaged_open", detail=exc)


def _short_riff(fp: io.BufferedReader | io.BytesIO) -> bool:
    """A WebP shorter than its RIFF header says: Pillow's WebP decoder takes the whole file
    at once and fails a cut one with "could not create decoder object", not with EOF."""
    head = _head(fp)
    if head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        return False
    declared = int.from_bytes(head[4:8], "little") + 8
    size = fp.seek(0, io.SEEK_END)
    fp.seek(0)
    return size < declared


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


def _damaged_reason(exc: BaseException) -> Reason:
    text = str(exc).strip()
    if "truncated" in text.lower() or isinstance(exc, EOFError):
        return Reason("truncated")
    return Reason("damaged", detail=text or type(exc).__name__)


# -- decoding without a GIL-held free -------------------------------------------------------

# Formats whose decoders write RGB as 4 bytes a pixel, the 4th 255 (so the same memory read
# as RGBX is the opaque image) and fill the image they find (ImageFile.load_prepare).
DIRECT_FORMATS = ("JPEG", "MPO", "PNG", "TIFF")


def mapped_image(size: tuple[int, int], mode: str = "RGBA",
                 buf: AnonBuffer | None = None) -> tuple[AnonBuffer, Image.Image]:
    """A Pillow image of `mode` (RGB, RGBX or RGBA: 4 bytes a pixel) over anonymous memory
    (new, zero-filled, unless `buf` is given); the image keeps the memory alive."""
    w, h = size
    if buf is None:
        buf = new_buffer(w * h * 4)
    view = Image.new(mode, (0, 0))._new(Image.core.map_buffer(buf, size, "raw", 0,
                                                              (mode, 0, 1)))
    return buf, view


def load_unowned(im: Image.Image) -> AnonBuffer | None:
    """Decode `im` (opened, maybe drafted) in place; for an RGB or RGBA JPEG, PNG or TIFF
    straight into anonymous memory, which is returned (the image holds it too).

    Why: Pillow frees its own image memory holding the GIL (a 24 MP decode: 96 MB, 10-90 ms
    of munmap on a loaded machine), which stalls the window when a pool thread drops the
    last reference. Anonymous memory is unmapped without the GIL (core/anon_memory.py).
    The pixels, mode and info are the same as `im.load()` gives. None: loaded as usual.
    """
    _split_raw_strips(im)
    if im.format in DIRECT_FORMATS and im.mode in ("RGB", "RGBA") \
            and "transparency" not in im.info:  # a tRNS colour becomes alpha: not direct
        buf, view = mapped_image(im.size, im.mode)
        im.im = view.im  # the decoder fills the image it finds (ImageFile.load_prepare)
        im.load()
        if im.im is view.im:
            return buf
        return None  # the decoder made its own image after all
    im.load()
    return None


_RAW_READ_BYTES = 1 << 19  # below glibc's mmap threshold as the window sets it (1 MB)


def _split_raw_strips(im: Image.Image) -> None:
    """Cut an uncompressed TIFF's strips into pieces of at most _RAW_READ_BYTES.

    Pillow reads each raw strip as one bytes object (a 16-bit export: 4 MB strips), and
    copies it; such a block is an mmap of its own, unmapped holding the GIL (py-spy --gil:
    the largest GIL hold left when decoding a 16-bit TIFF). Rows of a contiguous strip are
    contiguous in the file, so a strip is the same pixels read as several smaller tiles.
    Anything else (compressed, planar, tiled, padded rows) is left as it is.
    """
    if not isinstance(im, ImageFile.ImageFile):
        return
    tile = im.tile
    if im.format != "TIFF" or not tile or getattr(im, "_planar_configuration", 1) != 1:
        return
    bits = getattr(im, "tag_v2", {}).get(258)
    bits_per_pixel = sum(bits) if isinstance(bits, tuple) else 0
    row_bytes, extra = divmod(im.width * bits_per_pixel, 8)
    if not row_bytes or extra:
        return
    for t in tile:
        x0, _y0, x1, _y1 = t.extents or (0, 0, 0, 0)
        if t.codec_name != "raw" or t.args is None or tuple(t.args[1:]) != (0, 1) \
                or (x0, x1) != (0, im.width):
            return
    rows = max(1, _RAW_READ_BYTES // row_bytes)
    pieces = []
    for t in tile:
        _x0, y0, _x1, y1 = t.extents or (0, 0, 0, 0)
        for y in range(y0, y1, rows):
            pieces.append(t._replace(extents=(0, y, im.width, min(y1, y + rows)),
                                     offset=t.offset + (y - y0) * row_bytes))
    im.tile = pieces
