"""A bytecode cache for the methods @dataclass writes, kept where Python keeps its own.

`dataclasses` builds each class's __init__, __repr__, __eq__ (and __setattr__/__delattr__
when frozen) as source text and compiles it with exec() on every start: ~200 compiles,
~15-20 ms of CPU for the ~36 dataclasses the window defines before its first frame. The
text depends only on the class definition, so the compiled code can be reused like a .pyc:
`install()` (called by the window's entry point before it imports anything else) serves
exec() in the dataclasses module from this cache, `save()` (after the first frame) writes
the codes it compiled that were not cached yet.

Nothing else changes: the same text compiled the same way (no inherited __future__ flags),
run by the real exec() with the same globals. The file sits next to Python's bytecode (the
PYTHONPYCACHEPREFIX tree, else this package's __pycache__), holds the codes of one exact
interpreter version, is not written when Python writes no bytecode, and an unreadable file
is simply a miss.
"""

from __future__ import annotations

import builtins
import sys
from pathlib import Path
from types import CodeType
from typing import Any

from qwen_studio.core import marshal_file

_FILE = f"dataclass-code.{sys.implementation.cache_tag}.marshal"
_HEADER = sys.hexversion.to_bytes(4, "big")  # codes of this exact interpreter only

MAX_CODES = 1000  # ~5x what a start defines before its first frame
_codes: dict[str, CodeType] = {}  # source text -> compiled code
_used: set[str] = set()  # texts this process ran: what save() keeps
_new = 0  # codes compiled since the cache was read
_path: Path | None = None


def cache_file() -> Path:
    prefix = sys.pycache_prefix
    folder = (Path(prefix) / Path(__file__).parent.relative_to(Path(__file__).anchor)
              if prefix else Path(__file__).parent / "__pycache__")
    return folder / _FILE


def _exec(source: Any, globals_: Any = None, locals_: Any = None, /) -> None:
    global _new
    if type(source) is str:
        _used.add(source)
        code = _codes.get(source)
        if code is None:
            code = _codes[source] = compile(source, "<string>", "exec", dont_inherit=True)
            _new += 1
        source = code
    builtins.exec(source, globals_, locals_)


def install() -> None:
    """Serve the dataclasses module's exec() from the cache (read now). Idempotent."""
    global _path
    if _path is not None:
        return
    import dataclasses

    _path = cache_file()
    codes = marshal_file.read(_path, _HEADER)  # None: none yet, from elsewhere, damaged
    if isinstance(codes, dict):
        _codes.update((k, v) for k, v in codes.items() if type(k) is str and type(v) is CodeType)
    dataclasses.exec = _exec  # type: ignore[attr-defined]  # module global shadows builtin


def save() -> bool:
    """Write the cache if codes were compiled since it was read (atomically: windows may
    start side by side). Returns True if written."""
    global _new
    if _path is None or not _new or sys.dont_write_bytecode:
        return False
    # Codes of classes changed or gone (upgrades, edits) would stay in the file, read whole
    # at every start, for good: past MAX_CODES only this start's are kept. Not always:
    # starts that define different classes (--demo, a profile) would each drop the other's
    # and compile them again.
    if not marshal_file.write(_path, _HEADER, lambda: dict(_codes) if len(_codes) <= MAX_CODES
                              else {text: code for text, code in _codes.items()
                                    if text in _used}):
        return False  # runs in main() after the first frame: write() never raises
    _new = 0
    return True


def uninstall() -> None:
    """Back to the builtin exec() (tests)."""
    global _path, _new
    import dataclasses

    if getattr(dataclasses, "exec", None) is _exec:
        del dataclasses.exec  # type: ignore[attr-defined]
    _path, _new = None, 0
    _codes.clear()
    _used.clear()
