"""One file with the compiled code of the modules the window imports before its first frame.

The window imports ~115 of our modules before it paints. Importing each one from its own
.pyc costs ~100 us beyond running it (the path finder's lookups, cache_from_source, opening,
reading and checking the .pyc): ~12 ms of CPU. `install()` (called by the window's entry
point before it imports them) reads all their code objects from one file (~5 ms) and
serves them to the import system; `save()` (after the first frame) writes that file again
when this start imported modules it lacked, or found some of its entries stale.

The modules are the same: an entry is used only for the file the path finder would load
(the parent package's folder + the module's name) when that file still has the modification
time, change time (ns) and size it had when its code was taken, else the import goes the
ordinary way. The change time is set by the system whenever a file is written: an upgrade
whose installer keeps the wheel's modification times (reproducible wheels share one) and an
edit of the same length are new files all the same.
The loader is a SourceFileLoader (module attributes, get_source and tracebacks as ever);
only its get_code answers from the bundle. The file sits next to Python's bytecode (as
core/dataclass_code.py's), is for one exact interpreter and optimisation level, is not
written when Python writes no bytecode, and an unreadable file is simply a miss.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import CodeType, ModuleType

from qwen_studio.core import marshal_file

PACKAGE = "qwen_studio"
_FILE = f"module-code.{sys.implementation.cache_tag}.marshal"
# The code of this exact interpreter and optimisation level only.
_HEADER = (importlib.util.MAGIC_NUMBER + sys.hexversion.to_bytes(4, "big")
           + bytes([sys.flags.optimize]))

# module name -> (source path, st_mtime_ns, st_ctime_ns, st_size, is package, code)
_Entry = tuple[str, int, int, int, bool, CodeType]
_entries: dict[str, _Entry] = {}
_stale: set[str] = set()  # entries found out of date this start (a new entry replaces them)
_path: Path | None = None


def cache_file() -> Path:
    prefix = sys.pycache_prefix
    folder = (Path(prefix) / Path(__file__).parent.relative_to(Path(__file__).anchor)
              if prefix else Path(__file__).parent / "__pycache__")
    return folder / _FILE


class _Loader(importlib.machinery.SourceFileLoader):
    """The ordinary loader of a .py file, whose code comes from the bundle."""

    def get_code(self, fullname: str) -> CodeType | None:
        entry = _entries.get(fullname)
        if entry is not None and entry[0] == self.path:
            return entry[5]
        return super().get_code(fullname)


class _Finder:
    """First on sys.meta_path: answers for the bundle's modules, None for anything else."""

    @staticmethod
    def find_spec(name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        entry = _entries.get(name)
        if entry is None or not path:
            return None
        source, is_package = entry[0], entry[4]
        leaf = name.rpartition(".")[2]
        # Only the file the path finder would take from the parent package's folder.
        expected = (os.path.join(path[0], leaf, "__init__.py") if is_package
                    else os.path.join(path[0], leaf + ".py"))
        try:
            st = os.stat(source)
            fresh = expected == source and _stamp(st) == entry[1:4]
        except OSError:
            fresh = False
        if not fresh:
            _stale.add(name)
            return None
        spec = importlib.machinery.ModuleSpec(name, _Loader(name, source), origin=source,
                                              is_package=is_package)
        spec.has_location = True
        if is_package:
            spec.submodule_search_locations = [os.path.dirname(source)]
        return spec


def install() -> None:
    """Read the bundle and put its finder first on sys.meta_path. Idempotent."""
    global _path
    if _path is not None:
        return
    _path = cache_file()
    # Checksummed (~0.4 ms per MB): bad code served to every start would stop every start.
    entries = marshal_file.read(_path, _HEADER)  # None: none yet, from elsewhere, damaged
    if isinstance(entries, dict):
        _entries.update((k, v) for k, v in entries.items() if _valid(k, v))
    sys.meta_path.insert(0, _Finder)


def _valid(name: object, entry: object) -> bool:
    return (type(name) is str and name.startswith(PACKAGE + ".") and type(entry) is tuple
            and len(entry) == 6 and type(entry[0]) is str
            and all(type(n) is int for n in entry[1:4]) and type(entry[4]) is bool
            and type(entry[5]) is CodeType)


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    """What says a source file is the one an entry's code was taken from."""
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size


def _from_files() -> list[tuple[str, importlib.machinery.SourceFileLoader, bool]]:
    """(name, loader, is package) of the package's modules this process imported from
    their own files."""
    found = []
    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        loader = getattr(spec, "loader", None)
        # Not one served from the bundle, nor one without a plain .py file (e.g. __main__).
        if (name.startswith(PACKAGE + ".") and spec is not None
                and type(loader) is importlib.machinery.SourceFileLoader):
            found.append((name, loader, spec.submodule_search_locations is not None))
    return found


def _up_to_date(name: str, source: str) -> bool:
    entry = _entries.get(name)
    if entry is None or entry[0] != source:
        return False
    try:
        st = os.stat(source)
    except OSError:
        return False
    return _stamp(st) == entry[1:4]


def _entries_of(modules: list[tuple[str, importlib.machinery.SourceFileLoader, bool]],
                ) -> dict[str, _Entry]:
    found: dict[str, _Entry] = {}
    for name, loader, is_package in modules:
        try:
            st = os.stat(loader.path)  # before reading the code: a later edit shows as stale
            code = loader.get_code(name)
        except (OSError, ImportError, SyntaxError):
            continue
        if code is not None:
            found[name] = (loader.path, *_stamp(st), is_package, code)
    return found


def save() -> bool:
    """Write the bundle if this start imported modules it lacked or found entries stale
    (atomically: windows may start side by side). Returns True if written."""
    if _path is None or sys.dont_write_bytecode:
        return False
    # Not those whose entry is up to date: the modules the entry point imports before
    # install() come from their own files on every start (else every start rewrote it).
    fresh = [m for m in _from_files() if not _up_to_date(m[0], m[1].path)]
    if not fresh and not _stale:
        return False
    kept: dict[str, _Entry] = {}

    def body() -> dict[str, _Entry]:
        # Made after the file is opened: the modules' code is read here (~6 ms).
        kept.update((name, entry) for name, entry in _entries.items() if name not in _stale)
        kept.update(_entries_of(fresh))
        return kept

    if not marshal_file.write(_path, _HEADER, body):  # after the first frame: never raises
        return False
    _entries.clear()
    _entries.update(kept)
    _stale.clear()
    return True


def uninstall() -> None:
    """Take the finder off sys.meta_path and forget the bundle (tests)."""
    global _path
    with contextlib.suppress(ValueError):
        sys.meta_path.remove(_Finder)
    _path = None
    _entries.clear()
    _stale.clear()
