"""Parsed TOML kept next to Python's bytecode, keyed by the file's exact bytes.

The window reads models.toml before its first frame; importing tomllib and parsing the file
cost ~4 ms of CPU on every start for the same few kilobytes. `loads_cached(raw)` returns
what `tomllib.loads` would, from a marshal file when these exact bytes were parsed before
(the key is the whole text, so an edited or replaced file is simply a miss), and imports
tomllib only on a miss. The file sits beside dataclass_code's, holds one interpreter
version's data, is not written when Python writes no bytecode, and a damaged one is a miss.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

from qwen_studio.core.dataclass_code import cache_file

_HEADER = sys.hexversion.to_bytes(4, "big")
MAX_ENTRIES = 4  # the shipped catalog plus a few $QWEN_STUDIO_CATALOG files


def _path() -> Path:
    return cache_file().with_name(f"toml-data.{sys.implementation.cache_tag}.marshal")


def _read() -> dict[bytes, Any]:
    try:
        data = _path().read_bytes()
        if data[:4] == _HEADER:
            entries = marshal.loads(data[4:])
            if isinstance(entries, dict):
                return entries
    except Exception:  # damaged data can make marshal raise SystemError too
        pass  # no cache yet, one from elsewhere or a damaged one: parse as usual
    return {}


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
    path = _path()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        blob = marshal.dumps(kept)
    except ValueError:
        return  # a TOML date or time (not marshallable): parse each time
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(_HEADER + blob)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
