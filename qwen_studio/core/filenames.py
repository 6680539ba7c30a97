"""File names that are safe on Windows, macOS and Linux, and name patterns for exports.

Prompts end up in file names; a prompt may contain anything ("../../etc/passwd", "CON",
emoji, 800 characters). Everything here returns one path component that cannot escape
its folder and that every common filesystem accepts.
"""

from __future__ import annotations

import re
import unicodedata

# Windows refuses these as a name, with or without an extension ("CON.txt", "nul.png").
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
    # Windows also treats superscript digits as digits here.
    | {f"COM{c}" for c in "¹²³"}
    | {f"LPT{c}" for c in "¹²³"}
)
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
# Other invisible or line-breaking characters that make names confusing or break shells,
# and lone surrogates (a file name's undecodable bytes), which cannot be encoded at all.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def _truncate_utf8(text: str, max_bytes: int) -> str:
    """Cut `text` to at most `max_bytes` of UTF-8 without splitting a character."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", errors="ignore")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _FORBIDDEN.sub("_", text)
    text = "".join(
        "_" if unicodedata.category(c) in _INVISIBLE_CATEGORIES else c for c in text
    )
    # Other whitespace (tabs were already replaced, but e.g. NBSP, ideographic space) -> space.
    text = "".join(" " if c.isspace() else c for c in text)
    text = re.sub(r" {2,}", " ", text)
    text = re.sub(r"_{2,}", "_", text)
    # Leading dots would make hidden files (or "." / ".."), and "_" left over from a
    # replaced "/" is noise; trailing dots and spaces are silently dropped by Windows.
    # ".." runs become one dot so nothing looks like a parent reference.
    text = re.sub(r"\.{2,}", ".", text)
    return text.lstrip("._ ").rstrip(". ")


def _avoid_reserved(name: str) -> str:
    stem = name.split(".", 1)[0].rstrip(" ")
    if stem.upper() in _RESERVED:
        return "_" + name
    return name


def safe_filename(text: str, *, max_len: int = 120, fallback: str = "image") -> str:
    """One path component safe on every desktop OS; never empty, at most `max_len` bytes.

    A short extension at the end (".png") is kept when the name has to be shortened.
    """
    max_len = max(max_len, 8)
    name = _avoid_reserved(_clean(text))
    if len(name.encode("utf-8")) > max_len:
        m = _EXTENSION.search(name)
        ext = m.group(0) if m and m.start() > 0 else ""
        stem = _truncate_utf8(name[: len(name) - len(ext)], max_len - len(ext))
        name = _avoid_reserved(stem.rstrip(". ") + ext)
        name = _truncate_utf8(name, max_len).rstrip(". ")
    if not name or name in (".", ".."):
        if fallback and fallback != text:
            return safe_filename(fallback, max_len=max_len, fallback="")
        return "image"
    return name


def slugify(text: str, max_len: int = 40, *, fallback: str = "untitled") -> str:
    """'A Cat, on the Moon!' -> 'a-cat-on-the-moon'. Keeps letters of every script (CJK too).

    Cut at a word boundary when possible; never empty (returns `fallback`, itself made safe).
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    words = re.findall(r"[^\W_]+", text)
    slug = ""
    for w in words:
        candidate = f"{slug}-{w}" if slug else w
        if len(candidate) > max_len:
            if not slug:  # one very long word: cut it rather than return nothing
                slug = w[:max_len]
            break
        slug = candidate
    if not slug:
        return safe_filename(fallback, max_len=max(max_len, 8)) if fallback else ""
    return safe_filename(slug, max_len=max(max_len * 4, 8), fallback=fallback or "image")


_FIELD = re.compile(r"\{([^{}]*)\}")
_SEPARATORS = "_-. "
_GAP = "\x00"  # marks where a missing field was, so separators around it can be merged


def expand_pattern(pattern: str, fields: dict[str, str], *, max_len: int = 120) -> str:
    """Fill `{date}`, `{index}`, `{prompt-slug}`, `{stem}`, `{id}`, `{k}`, … from `fields`.

    Unknown or empty fields are left out together with one of the separators around them,
    so "{date}_{stem}_{index}" without a stem gives "2025-01-02_3", not "2025-01-02__3".
    Field values are not expanded again. The result goes through safe_filename.
    """

    def fill(m: re.Match[str]) -> str:
        value = fields.get(m.group(1).strip())
        if value is None or str(value) == "":
            return _GAP
        # A value must not smuggle the gap marker or braces into the result.
        return str(value).replace(_GAP, "")

    text = _FIELD.sub(fill, pattern)

    # A run of separators and gaps collapses to its first separator.
    sep = re.escape(_SEPARATORS)
    text = re.sub(
        rf"[{sep}]*(?:{_GAP}[{sep}]*)+", lambda m: m.group(0).replace(_GAP, "")[:1], text
    )
    text = text.replace(_GAP, "").strip(_SEPARATORS)
    return safe_filename(text, max_len=max_len)
