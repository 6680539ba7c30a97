"""Embed and read PNG text chunks without touching pixel data.

Results from the service are PNGs; we record how each was made inside the file itself so
it travels with the picture. Two keys are written (see `metadata_for`):

- ``parameters``: the A1111-style text that many image tools (and image boards) show;
- ``qwen_studio``: JSON with the full `EditRequest`, which `request_from_png` reads back.

The PNG is edited at the chunk level instead of re-saving it with Pillow: every original
chunk (IHDR, IDAT, …) is copied byte for byte, and one iTXt chunk per key is inserted just
before IEND. Re-encoding would change the file for no reason and could alter pixels
(colour type, bit depth, gamma chunks). iTXt is UTF-8, so CJK text and emoji survive.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Iterator
from typing import Any

from qwen_studio.core.request import SEED_MAX, STYLES, EditRequest
from qwen_studio.core.safe_json import loads_bounded

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
# Values longer than this are stored compressed (when that actually saves space).
_COMPRESS_OVER = 4096
# A text chunk that inflates beyond this is ignored rather than allowed to eat memory.
_MAX_TEXT_BYTES = 16 * 2**20
# Recalling a request reads at most this much of each text: our JSON is a few KB and a
# prompt at most 800 characters; a 40 MB `parameters` chunk is not parsed (it froze the
# window for 25 s), and the JSON is parsed within depth limits (core.safe_json).
RECALL_MAX_TEXT = 1 << 20
RECALL_MAX_PARAMETERS = 64 * 1024


def _chunks(data: bytes, *, strict: bool) -> Iterator[tuple[int, int, bytes, bytes]]:
    """Yield (start, end, type, payload) for each chunk; `end` includes the CRC.

    strict: raise ValueError on any structural problem; otherwise stop quietly at it.
    """
    if not data.startswith(PNG_SIGNATURE):
        if strict:
            raise ValueError("not a PNG file (the PNG signature is missing)")
        return
    pos = len(PNG_SIGNATURE)
    while pos < len(data):
        if pos + 12 > len(data):
            if strict:
                raise ValueError("the PNG is truncated (incomplete chunk header)")
            return
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(data) or not kind.isalpha():
            if strict:
                raise ValueError(f"the PNG is damaged (bad chunk at byte {pos})")
            return
        yield pos, end, kind, data[pos + 8:pos + 8 + length]
        if kind == b"IEND":
            return
        pos = end
    if strict:
        raise ValueError("the PNG is truncated (no IEND chunk)")


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def _check_key(key: str) -> bytes:
    """PNG keywords: 1–79 Latin-1 printable characters, no leading/trailing/double spaces."""
    try:
        raw = key.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(f"PNG text key {key!r} must be Latin-1") from None
    if not 1 <= len(raw) <= 79 or key != key.strip() or "  " in key or not all(
        32 <= b <= 126 or b >= 161 for b in raw
    ):
        raise ValueError(f"PNG text key {key!r} is not a valid keyword (1–79 characters)")
    return raw


def _itxt(key: bytes, text: str) -> bytes:
    # A path of undecodable bytes arrives as lone surrogates; "\\udcff" is still valid JSON.
    value = text.encode("utf-8", "backslashreplace")
    compressed = 0
    if len(value) > _COMPRESS_OVER:
        packed = zlib.compress(value, 9)
        if len(packed) < len(value):
            value, compressed = packed, 1
    # keyword \0 compression-flag compression-method language \0 translated-keyword \0 text
    payload = key + b"\x00" + bytes([compressed, 0]) + b"\x00" + b"\x00" + value
    return _chunk(b"iTXt", payload)


def _text_key(kind: bytes, payload: bytes) -> bytes:
    return payload.split(b"\x00", 1)[0]


def embed_png_metadata(png: bytes, texts: dict[str, str]) -> bytes:
    """Return `png` with one iTXt chunk per key inserted before IEND.

    All other chunks are copied byte for byte; existing text chunks with the same keys are
    removed (replaced). Raises ValueError if `png` is not a well-formed PNG or a key is
    not a valid PNG keyword.
    """
    keys = {_check_key(k): v for k, v in texts.items()}
    chunks = list(_chunks(png, strict=True))
    if not chunks or chunks[0][2] != b"IHDR":
        raise ValueError("the PNG is damaged (it does not start with IHDR)")
    out = bytearray(PNG_SIGNATURE)
    for start, end, kind, payload in chunks:
        if kind == b"IEND":
            for key, value in keys.items():
                out += _itxt(key, str(value))
            out += png[start:]  # IEND and anything a writer left after it, untouched
            break
        if kind in _TEXT_CHUNKS and _text_key(kind, payload) in keys:
            continue
        out += png[start:end]
    return bytes(out)


def _inflate(data: bytes, limit: int = _MAX_TEXT_BYTES) -> bytes | None:
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, limit)
    except zlib.error:
        return None
    return None if d.unconsumed_tail else out


def _parse_text(kind: bytes, payload: bytes,
                limit: int = _MAX_TEXT_BYTES) -> tuple[str, str] | None:
    key, sep, rest = payload.partition(b"\x00")
    if not sep or not key:
        return None
    name = key.decode("latin-1")
    if kind == b"tEXt":
        return name, rest.decode("latin-1")
    if kind == b"zTXt":
        if not rest or rest[0] != 0:
            return None
        text = _inflate(rest[1:], limit)
        return None if text is None else (name, text.decode("latin-1"))
    # iTXt
    if len(rest) < 2:
        return None
    flag, method, rest = rest[0], rest[1], rest[2:]
    _lang, sep1, rest = rest.partition(b"\x00")
    _translated, sep2, value = rest.partition(b"\x00")
    if not (sep1 and sep2):
        return None
    if flag:
        if method != 0:
            return None
        inflated = _inflate(value, limit)
        if inflated is None:
            return None
        value = inflated
    return name, value.decode("utf-8", errors="replace")


def read_png_metadata(data: bytes, *, max_text: int = _MAX_TEXT_BYTES) -> dict[str, str]:
    """All tEXt/zTXt/iTXt texts of a PNG ({} for data that is not a PNG).

    Lenient: chunks with a wrong CRC or damaged text are skipped, and a truncated file
    yields what was readable. When a key repeats, the last one wins. Texts longer than
    `max_text` bytes (stored or inflated) are skipped.
    """
    out: dict[str, str] = {}
    for start, end, kind, payload in _chunks(data, strict=False):
        if kind not in _TEXT_CHUNKS or len(payload) > max_text + 80:
            continue
        (crc,) = struct.unpack(">I", data[end - 4:end])
        if crc != zlib.crc32(data[start + 4:end - 4]) & 0xFFFFFFFF:
            continue
        parsed = _parse_text(kind, payload, max_text)
        if parsed is not None:
            out[parsed[0]] = parsed[1]
    return out


def metadata_for(request: EditRequest, extra: dict[str, Any] | None = None) -> dict[str, str]:
    """The texts to embed for an edit: A1111 `parameters` and our full JSON."""
    record: dict[str, Any] = {"request": request.to_dict(), **(extra or {})}
    return {
        "parameters": request.parameters_text(),
        "qwen_studio": json.dumps(record, ensure_ascii=False, sort_keys=True, default=str),
    }


# A1111 "Key: value" pairs; a value may be a quoted string containing commas.
_PARAM_RE = re.compile(r'\s*([\w][\w \-/()]*):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)')


def _parse_params_line(line: str) -> dict[str, str] | None:
    pairs: dict[str, str] = {}
    pos = 0
    line = line.strip()
    while pos < len(line):
        m = _PARAM_RE.match(line, pos)
        if not m or m.end() == pos:
            return None
        value = m.group(2).strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            try:
                value = json.loads(value)
            except ValueError:
                value = value[1:-1]
        pairs[m.group(1).strip()] = value
        pos = m.end()
    return pairs or None


def _parse_bool(text: str | None) -> bool | None:
    if text is None:
        return None
    return {"true": True, "false": False}.get(text.strip().lower())


def _request_from_parameters(text: str) -> EditRequest | None:
    """Best effort: prompt, negative prompt, size, seed, model (and our extra keys)."""
    lines = text.strip("\n").split("\n")
    if not lines or not text.strip():
        return None
    params: dict[str, str] = {}
    if len(lines) > 1 and ":" in lines[-1]:
        parsed = _parse_params_line(lines[-1])
        if parsed is not None:
            params = parsed
            lines = lines[:-1]
    prompt_lines: list[str] = []
    negative_lines: list[str] = []
    target = prompt_lines
    for line in lines:
        if line.startswith("Negative prompt:"):
            target = negative_lines
            line = line[len("Negative prompt:"):].lstrip()
        target.append(line)
    prompt = "\n".join(prompt_lines).strip()
    if not prompt:
        return None
    kwargs: dict[str, Any] = {"inputs": (), "prompt": prompt,
                              "negative_prompt": "\n".join(negative_lines).strip()}
    size = params.get("Size", "")
    if size and size.lower() != "auto":
        kwargs["size"] = size
    seed = params.get("Seed", "")
    if seed.isdigit() and int(seed) <= SEED_MAX:
        kwargs["seed"] = int(seed)
    if params.get("Model"):
        kwargs["model"] = params["Model"]
    count = params.get("Count", "")
    if count.isdigit() and int(count) >= 1:
        kwargs["n"] = int(count)
    if params.get("Style") in STYLES:
        kwargs["style"] = params["Style"]
    for key, field_name in (("Watermark", "watermark"), ("Prompt extend", "prompt_extend")):
        value = _parse_bool(params.get(key))
        if value is not None:
            kwargs[field_name] = value
    try:
        return EditRequest(**kwargs)
    except (ValueError, TypeError):
        kwargs.pop("size", None)  # an odd size spelling must not lose the prompt
        try:
            return EditRequest(**kwargs)
        except (ValueError, TypeError):
            return None


def request_from_png(data: bytes) -> EditRequest | None:
    """The EditRequest a PNG was made with: from our JSON, else from A1111 `parameters`."""
    texts = read_png_metadata(data, max_text=RECALL_MAX_TEXT)
    raw = texts.get("qwen_studio")
    if raw:
        try:
            record = loads_bounded(raw, max_bytes=RECALL_MAX_TEXT)
            if isinstance(record, dict) and isinstance(record.get("request"), dict):
                return EditRequest.from_dict(record["request"])
        except (ValueError, TypeError, KeyError, AttributeError):
            pass  # fall back to the parameters text
    params = texts.get("parameters")
    if not params or len(params) > RECALL_MAX_PARAMETERS:
        return None
    return _request_from_parameters(params)
