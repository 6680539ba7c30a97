"""While PySide6 loads, compile() is qt/support_code's: every call that is not PySide's
importer's goes to the real compile() with what it would have inherited from its caller."""

from __future__ import annotations
import __future__

import sys
from pathlib import Path

import pytest
from damaged_marshal import damage_silently, framed, system_error_body

from qwen_studio.qt import support_code

_REAL = support_code._real_compile
_CALLER = "def call():\n    return compile('def f(x: undefined): pass', '<t>', 'exec')\n"


def _caller_compiled(flags: int):
    """`call()`, a function compiled with `flags`, whose compile() is support_code's."""
    ns: dict = {}
    exec(_REAL(_CALLER, "<caller>", "exec", flags, True), {"compile": support_code._compile}, ns)
    return ns["call"]


@pytest.fixture(autouse=True)
def _clean():
    support_code.forget()
    yield
    support_code.forget()


def test_a_caller_without_future_imports_gets_evaluated_annotations():
    code = _caller_compiled(0)()
    with pytest.raises(NameError):
        exec(code, {})
    assert support_code.counts() == (0, 0)  # passed on, not kept


def test_a_caller_with_future_annotations_passes_them_on():
    code = _caller_compiled(__future__.annotations.compiler_flag)()
    ns: dict = {}
    exec(code, ns)
    assert ns["f"].__annotations__ == {"x": "undefined"}
    assert support_code.counts() == (0, 0)


def test_the_importer_s_call_is_kept_with_the_flags_it_inherits():
    source = b"def f(x: undefined): pass\n"
    importer = "def exec_module(src):\n    return compile(src, 'shibokensupport/m.py', 'exec')\n"
    ns: dict = {}
    exec(_REAL(importer, "signature_bootstrap.py", "exec", __future__.annotations.compiler_flag,
               True), {"compile": support_code._compile}, ns)
    code = ns["exec_module"](source)
    assert code == _REAL(source, "shibokensupport/m.py", "exec",
                         __future__.annotations.compiler_flag, True)
    assert ns["exec_module"](source) is code  # the second call is served
    assert support_code.counts() == (1, 1)


def _importer():
    """`exec_module(src)`, as PySide's importer calls compile() (support_code's)."""
    importer = "def exec_module(src):\n    return compile(src, 'shibokensupport/m.py', 'exec')\n"
    ns: dict = {}
    exec(_REAL(importer, "signature_bootstrap.py", "exec", __future__.annotations.compiler_flag,
               True), {"compile": support_code._compile}, ns)
    return ns["exec_module"]


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "pycache" / "pyside-support-code.marshal"
    monkeypatch.setattr(support_code, "cache_file", lambda: path)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return path


def test_the_next_start_is_served_from_the_file(kept):
    source = b"def f(x: undefined): return 42\n"
    code = _importer()(source)
    assert support_code.save() is True
    support_code.forget()
    support_code._read()
    assert _importer()(source) == code and support_code.counts() == (1, 0)


def test_a_file_marshal_cannot_read_is_a_miss_whatever_it_raises(kept):
    # Damaged data can make marshal raise SystemError: caught by no narrow list of
    # exceptions, it stopped every start before its first frame (the file is only
    # rewritten after one).
    kept.parent.mkdir(parents=True)
    body = system_error_body()
    for junk in (framed(support_code._HEADER, body), support_code._HEADER + body):  # +/- CRC
        kept.write_bytes(junk)
        support_code._read()
        assert support_code._codes == {}


def test_a_damaged_byte_marshal_reads_without_complaint_is_a_miss(kept):
    # marshal reads most damaged bytes silently: a changed constant or opcode in PySide's
    # signature parser is wrong behaviour (or a crash) at every start.
    source = b"def f(x: undefined): return 42\n"
    _importer()(source)
    assert support_code.save() is True
    support_code.forget()
    damage_silently(kept, support_code._HEADER)
    support_code._read()
    assert support_code._codes == {}
    ns: dict = {}
    exec(_importer()(source), ns)
    assert ns["f"](1) == 42 and support_code.counts() == (0, 1)


def test_a_call_the_cache_fails_on_is_compiled_as_asked(monkeypatch):
    # Whatever goes wrong in the cache's own steps, PySide's import goes on.
    def broken(*_a: object) -> None:
        raise RuntimeError("the cache's own step failed")

    monkeypatch.setattr(support_code, "_served", broken)
    code = _importer()(b"x = 1\n")
    assert code == _REAL(b"x = 1\n", "shibokensupport/m.py", "exec",
                         __future__.annotations.compiler_flag, True)
    with pytest.raises(SyntaxError):
        _importer()(b"x = (\n")
