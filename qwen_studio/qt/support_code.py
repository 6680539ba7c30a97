"""PySide's own Python support code, compiled once and kept, not compiled at every start.

shiboken6 carries its `shibokensupport` package (the signature parser, the `__feature__`
hook: ~130 KB of Python in 13 modules) as a zip inside its library, and its bootstrap
compiles each module from source whenever PySide6 is imported (`EmbeddableZipImporter.
exec_module` in shiboken's signature_bootstrap.py calls compile()): ~17 ms of CPU before
any window of any PySide app exists. `serving()` wraps the window's first PySide6 import:
while it runs, a compile() call of that importer is answered from code objects kept next to
Python's bytecode (as core/dataclass_code.py keeps @dataclass's), and compiled and kept
when missing; `save()` (after the first frame) writes what was compiled anew.

Nothing else changes: an entry is keyed by the module's file name, its exact source text and
the __future__ flags the call inherits (the bootstrap's `annotations`), compiled as that call
would be (mode "exec", no other flags), and executed by the importer as before; shiboken's
own compile of the bootstrap is kept the same way. Any other compile() call meanwhile goes
to the real one with the flags it would have inherited from its caller. The file holds the
codes of one exact interpreter and optimisation level, is not written when Python writes no
bytecode, and an unreadable or damaged file is simply a miss (core/marshal_file.py), as is
any call the cached way fails on. Without PySide's bootstrap (a version that loads its files
otherwise), nothing is served and nothing is written.
"""

from __future__ import annotations
import __future__

import builtins
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import CodeType
from typing import Any

from qwen_studio.core import marshal_file

_FILE = f"pyside-support-code.{sys.implementation.cache_tag}.marshal"
_HEADER = sys.hexversion.to_bytes(4, "big") + bytes([sys.flags.optimize])
_IMPORTER_FILE = "signature_bootstrap.py"  # the code object shiboken runs its importer from
# What compile() inherits from its caller's code when dont_inherit is false (PyCF_MASK:
# the features whose flag compile() still reads; nested_scopes and generators are no more).
_FUTURE_FLAGS = 0
for _feature in ("division", "absolute_import", "with_statement", "print_function",
                 "unicode_literals", "barry_as_FLUFL", "generator_stop", "annotations"):
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag

_Key = tuple[str, int, bytes]  # (file name, the __future__ flags it inherits, its source)
_codes: dict[_Key, CodeType] = {}
_used: set[_Key] = set()
_new = 0  # compiled since the file was last read or written
_hits = _misses = 0  # the importer's calls served, and compiled
_real_compile = builtins.compile


def cache_file() -> Path:
    from qwen_studio.core.dataclass_code import cache_file as dataclass_file

    return dataclass_file().with_name(_FILE)


def _compile(source: Any, filename: Any, mode: str, flags: int = 0, dont_inherit: bool = False,
             optimize: int = -1, *, _feature_version: int = -1) -> Any:
    try:
        caller = sys._getframe(1).f_code
    except ValueError:  # called from C with no Python frame: nothing to inherit
        caller_file, inherited = "", 0
    else:
        caller_file = caller.co_filename
        inherited = 0 if dont_inherit else caller.co_flags & _FUTURE_FLAGS
    # The importer's calls (its code has `from __future__ import annotations`, which the
    # modules inherit), and shiboken's own compile of the bootstrap.
    if (_IMPORTER_FILE in (caller_file, filename) and type(source) is bytes
            and mode == "exec" and not flags and optimize == -1 and _feature_version == -1):
        try:
            return _served(filename, inherited, source)
        except Exception:
            # Whatever goes wrong in the cache's own steps (an unhashable file name, ...):
            # compiled as the call asks (a SyntaxError raises as before). Never kept.
            pass
    return _real_compile(source, filename, mode, flags | inherited, True, optimize,
                         _feature_version=_feature_version)


def _served(filename: Any, inherited: int, source: bytes) -> CodeType:
    global _new, _hits, _misses
    key = (filename, inherited, source)
    code = _codes.get(key)
    if code is None:
        code = _real_compile(source, filename, "exec", inherited, True)
        _codes[key] = code
        _new += 1
        _misses += 1
    else:
        _hits += 1
    _used.add(key)
    return code


def _read() -> None:
    codes = marshal_file.read(cache_file(), _HEADER)  # None: none yet, from elsewhere, damaged
    if isinstance(codes, dict):
        _codes.update((k, v) for k, v in codes.items() if _valid(k, v))


def _valid(key: object, code: object) -> bool:
    return (type(key) is tuple and len(key) == 3 and type(key[0]) is str
            and type(key[1]) is int and type(key[2]) is bytes and type(code) is CodeType)


@contextlib.contextmanager
def serving() -> Iterator[None]:
    """Around the process's first import of PySide6 (nothing is served after it)."""
    if "shiboken6" in sys.modules or builtins.compile is not _real_compile:
        yield  # PySide is loaded already (or another serving() is running)
        return
    _read()
    builtins.compile = _compile
    try:
        yield
    finally:
        builtins.compile = _real_compile


def save() -> bool:
    """Write the kept codes if some were compiled anew (only those this process used:
    a PySide upgrade's old sources go). Returns True if written."""
    global _new
    if not _new or sys.dont_write_bytecode:
        return False
    if not marshal_file.write(cache_file(), _HEADER, lambda: {  # never raises
            key: code for key, code in _codes.items() if key in _used}):
        return False
    _new = 0
    return True


def counts() -> tuple[int, int]:
    """How many of the importer's calls were (served, compiled) in this process (tests)."""
    return _hits, _misses


def forget() -> None:
    """Back to the start (tests)."""
    global _new, _hits, _misses
    _codes.clear()
    _used.clear()
    _new = _hits = _misses = 0
