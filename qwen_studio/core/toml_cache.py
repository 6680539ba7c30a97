"""Parsed TOML kept next to Python's bytecode, keyed by the file's exact bytes.

The window reads models.toml before its first frame; importing tomllib and parsing the file
cost ~4 ms of CPU on every start for the same few kilobytes. `loads_cached(raw)` returns
what `tomllib.loads` would, from a marshal file when these exact bytes were parsed before
(the key is the whole text, so an edited or replaced file is simply a miss), and imports
tomllib only on a miss. The file sits beside dataclass_code's, holds one interpreter
version's data, is not written when Python writes no bytecode, and a damaged one is a miss
(core/marshal_file.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from qwen_studio.core import marshal_file
from qwen_studio.core.dataclass_code import cache_file

_HEADER = sys.hexversion.to_bytes(4, "big")
MAX_ENTRIES = 4  # the shipped catalog plus a few $QWEN_STUDIO_CATALOG files


def _path() -> Path:
    return cache_file().with_name(f"toml-data.{sys.implementation.cache_tag}.marshal")


def _read() -> dict[bytes, Any]:
    entries = marshal_file.read(_path(), _HEADER)  # None: none yet, from elsewhere, damaged
    return entries if isinstance(entries, dict) else {}


def loads_cached(raw: bytes) -> dict[str, Any]:
    """tomllib.loads(raw.decode()) (raising what it raises: UnicodeDecodeError,
    TOMLDecodeError), served from the cache when these bytes were parsed before."""
    entries = _read()
    hit = entries.get(raw)
    if isinstance(hit, dict):
        return hit
    import tomllib

    data = tomllib.loads(raw.decode("utf-8"))
    _save(entries, raw, data)
    return data


def _save(entries: dict[bytes, Any], raw: bytes, data: dict[str, Any]) -> None:
    if sys.dont_write_bytecode:
        return
    kept = dict(list(entries.items())[-(MAX_ENTRIES - 1):])  # the newest others
    kept[raw] = data
    # Not written when the data holds a TOML date or time (marshal refuses it, ValueError):
    # such a file is parsed each time.
    marshal_file.write(_path(), _HEADER, lambda: kept)
