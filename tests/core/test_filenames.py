"""File names built from prompts must be one safe path component on every OS."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from qwen_studio.core.filenames import expand_pattern, safe_filename, slugify

FORBIDDEN = set('<>:"/\\|?*')


def assert_safe(name: str, max_len: int = 120) -> None:
    assert name, "never empty"
    assert name not in (".", "..")
    assert not FORBIDDEN & set(name), name
    assert all(ord(c) >= 32 for c in name), name
    assert not name.endswith((".", " ")), name
    assert not name.startswith("."), name
    assert len(name.encode("utf-8")) <= max_len
    assert unicodedata.is_normalized("NFC", name)
    stem = name.split(".", 1)[0].upper()
    assert stem not in {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} | {
        f"LPT{i}" for i in range(1, 10)
    }


@pytest.mark.parametrize(
    "text",
    [
        "../../etc/passwd",
        "..",
        ".",
        "a/b\\c",
        'what? <b>"quoted"</b> | pipe * star: colon',
        "line\nbreak\ttab\x00nul\x1b",
        "trailing dots...",
        "trailing spaces   ",
        "",
        "   ",
        "\u200b\u200e",
        "C:\\Windows\\system32",
    ],
)
def test_hostile_text_gives_a_safe_component(text: str, tmp_path: Path) -> None:
    name = safe_filename(text)
    assert_safe(name)
    # The name really is one component inside the folder, and the OS accepts it.
    target = tmp_path / name
    assert target.parent == tmp_path
    target.write_bytes(b"x")
    assert target.read_bytes() == b"x"


def test_separators_and_dotdot_cannot_climb() -> None:
    name = safe_filename("../../etc/passwd")
    assert "/" not in name and "\\" not in name
    assert ".." not in name.split("_")
    assert "passwd" in name


@pytest.mark.parametrize("text", ["CON", "con.txt", "CON.txt", "Nul.png", "com1", "LPT9.tar.gz",
                                  "aux "])
def test_reserved_windows_names_get_a_prefix(text: str) -> None:
    name = safe_filename(text)
    assert name.startswith("_")
    assert_safe(name)


def test_names_that_merely_start_like_reserved_ones_are_kept() -> None:
    assert safe_filename("CONCERT.png") == "CONCERT.png"
    assert safe_filename("com10") == "com10"


def test_long_names_are_cut_to_bytes_keeping_the_extension() -> None:
    name = safe_filename("x" * 300 + ".png")
    assert len(name.encode()) <= 120
    assert name.endswith(".png")
    assert name.startswith("xxxx")


def test_multibyte_text_is_cut_without_splitting_characters() -> None:
    for text in ("猫" * 300, "🐱" * 300, "é" * 301):
        name = safe_filename(text, max_len=50)
        assert len(name.encode("utf-8")) <= 50
        assert name  # decodes cleanly, nothing half-cut
        assert set(name) == set(text)


def test_nfc_normalization() -> None:
    decomposed = "Cafe\u0301"
    assert safe_filename(decomposed) == "Café"


def test_empty_results_use_the_fallback() -> None:
    assert safe_filename("", fallback="result") == "result"
    assert safe_filename("...", fallback="result") == "result"
    assert safe_filename("", fallback="") == "image"
    assert safe_filename("", fallback="../..") == "image"


def test_slugify_words_and_cjk() -> None:
    assert slugify("A Cat, on the Moon!") == "a-cat-on-the-moon"
    assert slugify("一只猫 on the moon") == "一只猫-on-the-moon"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("!!!") == "untitled"
    long = slugify("word " * 50, max_len=40)
    assert len(long) <= 40 and not long.endswith("-")
    assert_safe(slugify("con"))


def test_expand_pattern_fills_fields_and_drops_unknown_ones() -> None:
    fields = {"date": "2025-01-02", "index": "007", "prompt-slug": "a-cat", "k": "1"}
    assert expand_pattern("{date}_{index}_{prompt-slug}", fields) == "2025-01-02_007_a-cat"
    assert expand_pattern("{date}_{stem}_{index}", fields) == "2025-01-02_007"
    assert expand_pattern("{stem}_{date}", fields) == "2025-01-02"
    assert expand_pattern("{nothing}", fields) == "image"
    assert expand_pattern("img-{k}.png", fields) == "img-1.png"


def test_expand_pattern_output_is_safe_whatever_the_values() -> None:
    name = expand_pattern("{stem}_{id}", {"stem": "../../etc/passwd", "id": "{id}"})
    assert_safe(name)
    assert "{id}" in name  # values are not expanded a second time
