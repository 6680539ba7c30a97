"""Bytes that marshal.loads refuses with SystemError (not ValueError/EOFError/TypeError).

One damaged byte is enough: setting the 'keep a reference' flag on the outer dict shifts
every back-reference inside, so the code object gets objects of the wrong types and
CPython 3.11 fails in Objects/codeobject.c ("bad argument to internal function"). The
start-up caches (module bundle, dataclass codes, toml data, icon pixels) must treat it as a
miss: each is only rewritten after a first frame, so an error would stop every start.
"""

from __future__ import annotations

import marshal


def system_error_body() -> bytes:
    """A marshal body whose loads() raises SystemError."""
    damaged = bytearray(marshal.dumps({"qwen_studio.x": compile("x = 1", "x.py", "exec")}))
    damaged[0] |= 0x80  # FLAG_REF on the dict
    try:
        marshal.loads(bytes(damaged))
    except SystemError:
        return bytes(damaged)
    raise AssertionError("this damage no longer makes marshal raise SystemError")
