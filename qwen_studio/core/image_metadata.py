"""How an edit's parameters travel inside an image file, in every format we write.

The texts are the ones `png_metadata.metadata_for` makes: ``parameters`` (A1111-style text
other tools show) and ``qwen_studio`` (our JSON, which recall reads back).

- PNG: iTXt chunks (core/png_metadata, pixels untouched).
- JPEG, WebP, AVIF: EXIF UserComment carries ``parameters`` (where A1111-style tools look),
  and an XMP packet carries both texts (our own namespace) plus the prompt text as
  ``dc:description`` (what Lightroom and Bridge show as the caption).

Reading is bounded: a file over MAX_FILE_BYTES is not read, a text over MAX_TEXT_CHARS is
ignored, and no XML parser runs on what a file contains (the two elements are found by
pattern, so no entity or DTD can expand).
"""

from __future__ import annotations

import functools
import html
import io
import re
from pathlib import Path

from qwen_studio.core.png_metadata import embed_png_metadata, read_png_metadata, request_from_png
from qwen_studio.core.request import EditRequest

# A result is at most 64 MB (ClientSettings.max_result_bytes); leave room for metadata.
MAX_FILE_BYTES = 80 * 2**20
MAX_TEXT_CHARS = 2**20
# The suffixes a dropped file may have for recall to look inside it.
RECALL_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".avif"})
TEXT_KEYS = ("parameters", "qwen_studio")

XMP_NAMESPACE = "https://qwen-studio.invalid/ns/1.0/"
_EXIF_IFD = 0x8769
_USER_COMMENT = 0x9286
_UNICODE = b"UNICODE\x00"
_ASCII = b"ASCII\x00\x00\x00"
# XML 1.0 has no way to write these characters, not even as references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def sniff_format(data: bytes) -> str | None:
    """'png', 'jpeg', 'webp' or 'avif' from the first bytes; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return "avif"
    return None


# -- writing -----------------------------------------------------------------------------------


def exif_for(texts: dict[str, str]) -> bytes:
    """An EXIF block whose UserComment is the ``parameters`` text (UTF-16, as the tag
    allows; big-endian like the block Pillow writes)."""
    from PIL import Image

    exif = Image.Exif()
    text = texts.get("parameters", "")
    exif.get_ifd(_EXIF_IFD)[_USER_COMMENT] = _UNICODE + text.encode("utf-16-be")
    # Bytes, not the Exif object: an Exif with an empty top level counts as "no EXIF" to
    # some of Pillow's writers (AVIF) and would be dropped silently.
    return exif.tobytes()


def _xml_text(text: str) -> str:
    return html.escape(_NOT_XML.sub("", text), quote=False)


def xmp_for(texts: dict[str, str], *, prompt: str = "") -> bytes:
    """An XMP packet with both texts in our namespace and the prompt as the caption."""
    fields = "".join(
        f"<qwenstudio:{key}>{_xml_text(texts[key])}</qwenstudio:{key}>"
        for key in TEXT_KEYS if key in texts
    )
    caption = ""
    if prompt:
        caption = ('<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
                   f"{_xml_text(prompt)}</rdf:li></rdf:Alt></dc:description>")
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        f' xmlns:qwenstudio="{XMP_NAMESPACE}">{caption}{fields}</rdf:Description>'
        "</rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


# -- reading -----------------------------------------------------------------------------------


def _decode_user_comment(raw: object, big_endian: bool) -> str | None:
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, bytes | bytearray) or len(raw) > 2 * MAX_TEXT_CHARS + 8:
        return None
    head, body = bytes(raw[:8]), bytes(raw[8:])
    if head == _UNICODE:
        if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return body.decode("utf-16", errors="replace")
        return body.decode("utf-16-be" if big_endian else "utf-16-le", errors="replace")
    if head in (_ASCII, b"\x00" * 8):
        return body.rstrip(b"\x00").decode("utf-8", errors="replace")
    return None  # JIS, or not a UserComment at all


def _xmp_texts(xmp: bytes | str) -> dict[str, str]:
    text = xmp.decode("utf-8", errors="replace") if isinstance(xmp, bytes) else xmp
    if len(text) > 4 * MAX_TEXT_CHARS:
        return {}
    # Another tool may have rewritten the packet with its own prefix for our namespace,
    # and as an attribute instead of an element.
    prefixes = set(re.findall(r'xmlns:([\w.-]+)\s*=\s*["\']' + re.escape(XMP_NAMESPACE), text))
    out: dict[str, str] = {}
    for prefix in prefixes:
        for key in TEXT_KEYS:
            name = re.escape(f"{prefix}:{key}")
            m = re.search(rf"<{name}>(.*?)</{name}>", text, re.DOTALL) or re.search(
                rf"\s{name}\s*=\s*\"([^\"]*)\"", text)
            if m and len(m.group(1)) <= MAX_TEXT_CHARS:
                out[key] = html.unescape(m.group(1))
    return out


def read_texts(data: bytes) -> dict[str, str]:
    """The embedded ``parameters`` / ``qwen_studio`` texts of a PNG, JPEG, WebP or AVIF
    ({} when there are none, the file is damaged, or the format is another)."""
    kind = sniff_format(data)
    if kind is None or len(data) > MAX_FILE_BYTES:
        return {}
    if kind == "png":
        texts = read_png_metadata(data)
        return {k: v for k in TEXT_KEYS if len(v := texts.get(k, "")) <= MAX_TEXT_CHARS and v}
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:  # headers only: no pixels are decoded
            info = dict(im.info)
            exif = im.getexif()
            big_endian = getattr(exif, "endian", ">") == ">"
            comment = exif.get_ifd(_EXIF_IFD).get(_USER_COMMENT)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return {}
    out: dict[str, str] = {}
    xmp = info.get("xmp")
    if isinstance(xmp, bytes | str):
        out.update(_xmp_texts(xmp))
    if "parameters" not in out:
        params = _decode_user_comment(comment, big_endian)
        if params and len(params) <= MAX_TEXT_CHARS:
            out["parameters"] = params
    return out


@functools.cache
def _blank_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (1, 1)).save(buf, "PNG")
    return buf.getvalue()


def request_from_texts(texts: dict[str, str]) -> EditRequest | None:
    """The request described by embedded texts: our JSON first, else the A1111 text.

    Read through png_metadata's public reader (on a 1-pixel PNG carrying the texts), so
    every format is understood exactly as a PNG is."""
    kept = {k: texts[k] for k in TEXT_KEYS if texts.get(k)}
    if not kept:
        return None
    try:
        return request_from_png(embed_png_metadata(_blank_png(), kept))
    except ValueError:
        return None


def request_from_image(data: bytes) -> EditRequest | None:
    """The EditRequest an image made by Qwen Studio carries, in any format we write."""
    if sniff_format(data) == "png":
        return request_from_png(data) if len(data) <= MAX_FILE_BYTES else None
    return request_from_texts(read_texts(data))


def request_from_file(path: Path) -> EditRequest | None:
    """As request_from_image, for a file; None for a file too large to be one of ours.
    Raises OSError when the file cannot be read."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        return None
    with path.open("rb") as f:
        return request_from_image(f.read(MAX_FILE_BYTES + 1))
