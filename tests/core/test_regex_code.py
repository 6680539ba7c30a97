"""re's compiles before the first frame are kept (core/regex_code.py): the next start gets
the very same Pattern objects without parsing them again."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from qwen_studio.core import regex_code

PATTERNS: list[tuple[str | bytes, int]] = [
    (r"^(\d{1,5})\*(\d{1,5})$", 0),
    (r"(?P<key>\w+)\s*=\s*(?P<value>[^;]*)", 0),
    (r"qwen\-image\-edit\-plus-\d{4}-\d{2}-\d{2}", 0),
    (r"""
        (?P<name>[a-z_]+)   # a name
        (?: \s* , \s* (?P=name) )*   # again
        (?<=[a-z]) (?!\d)
     """, re.VERBOSE | re.IGNORECASE),
    (rb"\x00[\x01-\x7f]+(?:ab|cd){2,}", 0),
    (r"[^\W\d_]+|ß", re.IGNORECASE | re.MULTILINE | re.DOTALL),
    (r"(a)(b)?(?(2)c|d)", re.ASCII),
]


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "pycache" / "regex-code.marshal"
    monkeypatch.setattr(regex_code, "cache_file", lambda: path)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    regex_code.forget()
    yield path
    regex_code.forget()
    re.purge()


def _compile_all() -> list[re.Pattern]:
    re.purge()  # re's own cache in front would answer otherwise
    return [re.compile(p, f) for p, f in PATTERNS]


def test_the_next_start_gets_the_same_patterns_without_parsing(kept, monkeypatch):
    regex_code.install()
    first = _compile_all()
    regex_code.uninstall()
    assert regex_code.save() is True and kept.is_file()
    regex_code.forget()
    regex_code.install()  # a new start: reads the file
    from re import _parser

    def no_parse(*_a):
        raise AssertionError("parsed again")

    monkeypatch.setattr(_parser, "parse", no_parse)
    again = _compile_all()
    monkeypatch.undo()
    regex_code.uninstall()
    assert regex_code.save() is False  # nothing new
    re.purge()
    ordinary = [re.compile(p, f) for p, f in PATTERNS]
    for kept_one, first_one, plain in zip(again, first, ordinary, strict=True):
        # Pattern equality compares the pattern, its flags and the engine's code.
        assert kept_one == first_one == plain
        assert (kept_one.groups, dict(kept_one.groupindex)) == (plain.groups,
                                                                dict(plain.groupindex))
    text = "Some_names , some_names x"
    assert again[3].search(text).groupdict() == ordinary[3].search(text).groupdict()


def test_debug_locale_and_other_inputs_go_the_ordinary_way(kept, capsys):
    regex_code.install()
    re.purge()
    re.compile(rb"[a-z]+", re.LOCALE)
    re.compile(r"ab", re.DEBUG)
    assert "LITERAL" in capsys.readouterr().out  # re's DEBUG output, as ever
    assert regex_code._entries == {}


def test_a_damaged_file_is_a_miss(kept):
    kept.parent.mkdir(parents=True)
    for junk in (b"", b"garbage", regex_code._HEADER + b"\x00broken",
                 b"\x00\x00\x00\x00" + b"{}"):
        kept.write_bytes(junk)
        regex_code.forget()
        regex_code.install()
        assert [p.pattern for p in _compile_all()] == [p for p, _ in PATTERNS]
        regex_code.uninstall()


def test_after_uninstall_re_compiles_the_ordinary_way(kept):
    from re import _compiler

    ordinary = _compiler.compile
    regex_code.install()
    assert _compiler.compile is not ordinary
    regex_code.uninstall()
    assert _compiler.compile is ordinary
    _compile_all()
    assert regex_code._entries == {}
