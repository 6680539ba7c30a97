"""The compiled form of the regular expressions a start compiles before its first frame, kept
where Python keeps its bytecode.

`re` parses a pattern and turns it into the regex engine's code in Python on every start:
~14 ms of CPU before the window's first frame, ~10 of it for three verbose patterns of
PySide's signature parser, the rest for ~40 small ones (ours, the standard library's). What
re hands the engine (`_sre.compile(pattern, flags, code, groups, groupindex, indexgroup)`)
depends only on the pattern, its flags and the interpreter, so it can be reused like a
.pyc: `install()` (called by the window's entry point first) puts a caching step in front
of `re._compiler.compile`, `uninstall()` takes it away after the first frame, and `save()`
writes what was compiled anew.

Nothing else changes: the engine gets the same arguments and builds the same Pattern, and
re's own cache in front works as before. Patterns with DEBUG or LOCALE, and anything not a
plain str or bytes with int flags, go the ordinary way; so does every pattern when the file
is missing, unreadable or damaged (core/marshal_file.py), and any pattern whose cached way
raises (a Python whose re internals differ): a start never fails because of the cache. The
file is for one exact interpreter version and is not written when Python writes no
bytecode. (A pattern that makes re warn, as an odd escape does, warns on the start that
compiles it, not on the ones that reuse it.)
"""

from __future__ import annotations

import _sre  # pyright: ignore[reportMissingImports]  # re's engine (C, no stub)
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qwen_studio.core import marshal_file

_FILE = f"regex-code.{sys.implementation.cache_tag}.marshal"
_HEADER = sys.hexversion.to_bytes(4, "big")
MAX_ENTRIES = 500  # ~10x a start's: past it, save() keeps only this start's
_SKIPPED_FLAGS = re.DEBUG | re.LOCALE

# (pattern, flags) -> (flags for the engine, code, groups - 1, groupindex, indexgroup)
_Key = tuple[str | bytes, int]
_Entry = tuple[int, list[int], int, dict[Any, int], tuple[Any, ...]]
_entries: dict[_Key, _Entry] = {}
_used: set[_Key] = set()
_new = 0
_path: Path | None = None
_real: Callable[..., re.Pattern[Any]] | None = None


def cache_file() -> Path:
    from qwen_studio.core.dataclass_code import cache_file as dataclass_file

    return dataclass_file().with_name(_FILE)


def _compile(p: Any, flags: int = 0) -> re.Pattern[Any]:
    assert _real is not None
    if type(p) not in (str, bytes) or type(flags) is not int or flags & _SKIPPED_FLAGS:
        return _real(p, flags)
    key = (p, flags)
    try:
        return _cached(key)
    except re.error:
        raise  # a bad pattern: re's own parser said so (not parsed, nor warned, twice)
    except Exception:
        # A Python whose re internals differ (re._compiler._code, re._parser,
        # _sre.compile's arguments), or an entry the engine refuses: the real compile.
        # Not kept, nor served again.
        _entries.pop(key, None)
        _used.discard(key)
        return _real(p, flags)


def _cached(key: _Key) -> re.Pattern[Any]:
    global _new
    p, flags = key
    entry = _entries.get(key)
    new = entry is None
    if entry is None:
        # What re._compiler.compile does, keeping what it hands the engine.
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(p, flags)
        code = list(map(int, _compiler._code(parsed, flags)))  # its opcodes: int subclasses
        groupindex = parsed.state.groupdict
        names: list[Any] = [None] * parsed.state.groups
        for k, i in groupindex.items():
            names[i] = k
        entry = (flags | parsed.state.flags, code, parsed.state.groups - 1, dict(groupindex),
                 tuple(names))
    engine_flags, engine_code, groups, index, index_names = entry
    pattern = _sre.compile(p, engine_flags, engine_code, groups, dict(index), index_names)
    if new:  # kept only once the engine took it
        _entries[key] = entry
        _new += 1
    _used.add(key)
    return pattern


def install() -> None:
    """Read the file and serve re's compiles from it until `uninstall()`. Idempotent."""
    global _path, _real
    if _real is not None:
        return
    from re import _compiler  # type: ignore[attr-defined]

    _path = cache_file()
    entries = marshal_file.read(_path, _HEADER)  # None: none yet, from elsewhere, damaged
    if isinstance(entries, dict):
        _entries.update((k, v) for k, v in entries.items() if _valid(k, v))
    _real = _compiler.compile
    _compiler.compile = _compile


def _valid(key: object, entry: object) -> bool:
    return (type(key) is tuple and len(key) == 2 and type(key[0]) in (str, bytes)
            and type(key[1]) is int and type(entry) is tuple and len(entry) == 5
            and type(entry[0]) is int and type(entry[1]) is list and type(entry[2]) is int
            and type(entry[3]) is dict and type(entry[4]) is tuple)


def uninstall() -> None:
    """re compiles the ordinary way again (after the first frame; the entries stay for
    save())."""
    global _real
    from re import _compiler  # type: ignore[attr-defined]

    if _real is not None and _compiler.compile is _compile:
        _compiler.compile = _real
    _real = None


def save() -> bool:
    """Write the file if patterns were compiled anew. Returns True if written."""
    global _new
    if _path is None or not _new or sys.dont_write_bytecode:
        return False

    def kept() -> dict[_Key, _Entry]:
        return dict(_entries) if len(_entries) <= MAX_ENTRIES else {
            key: entry for key, entry in _entries.items() if key in _used}

    if not marshal_file.write(_path, _HEADER, kept):  # after the first frame: never raises
        return False
    _new = 0
    return True


def forget() -> None:
    """Back to the start (tests)."""
    global _path, _new
    uninstall()
    _entries.clear()
    _used.clear()
    _path, _new = None, 0
