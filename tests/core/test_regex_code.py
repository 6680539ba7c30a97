"""re's compiles before the first frame are kept (core/regex_code.py): the next start gets
the very same Pattern objects without parsing them again."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from damaged_marshal import damage_silently, framed, system_error_body

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


def _saved() -> list[re.Pattern]:
    """A first start's patterns, kept in the file."""
    regex_code.install()
    first = _compile_all()
    regex_code.uninstall()
    assert regex_code.save() is True
    regex_code.forget()
    return first


def test_a_file_marshal_cannot_read_is_a_miss_whatever_it_raises(kept):
    # Damaged data can make marshal raise SystemError: caught by no narrow list of
    # exceptions, it stopped every start before its first frame (the file is only
    # rewritten after one).
    kept.parent.mkdir(parents=True)
    body = system_error_body()
    for junk in (framed(regex_code._HEADER, body), regex_code._HEADER + body):  # +/- CRC
        kept.write_bytes(junk)
        regex_code.forget()
        regex_code.install()
        assert [p.pattern for p in _compile_all()] == [p for p, _ in PATTERNS]


def test_a_damaged_byte_marshal_reads_without_complaint_is_a_miss(kept):
    # marshal reads most damaged bytes silently: a changed opcode is a pattern that matches
    # otherwise (or an engine that refuses it), at every start until the file is rewritten.
    first = _saved()
    damage_silently(kept, regex_code._HEADER)
    regex_code.install()
    assert regex_code._entries == {}  # nothing served from it
    assert _compile_all() == first


def test_re_internals_that_differ_compile_the_ordinary_way(kept, monkeypatch):
    # Another Python's re (here: an engine whose compile() takes other arguments): kept and
    # new patterns alike compile as without the cache, none is kept, a bad one raises as
    # before; no start fails because of the cache.
    import types

    first = _saved()

    def other_signature(*_a: object) -> re.Pattern:
        raise TypeError("compile() takes exactly 7 arguments")

    monkeypatch.setattr(regex_code, "_sre", types.SimpleNamespace(compile=other_signature))
    regex_code.install()
    try:
        assert _compile_all() == first  # kept ones
        assert re.compile(r"new (?P<x>\d+)").fullmatch("new 12")["x"] == "12"  # a new one
        with pytest.raises(re.error):
            re.compile("(unclosed")
    finally:
        regex_code.uninstall()  # before pytest's own regexes report a failure
    assert regex_code._entries == {} and regex_code.save() is False


def test_after_uninstall_re_compiles_the_ordinary_way(kept):
    from re import _compiler

    ordinary = _compiler.compile
    regex_code.install()
    assert _compiler.compile is not ordinary
    regex_code.uninstall()
    assert _compiler.compile is ordinary
    _compile_all()
    assert regex_code._entries == {}
