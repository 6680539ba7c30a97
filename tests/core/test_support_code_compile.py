"""While PySide6 loads, compile() is qt/support_code's: every call that is not PySide's
importer's goes to the real compile() with what it would have inherited from its caller."""

from __future__ import annotations
import __future__

import pytest

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
