"""Bytes that marshal.loads refuses with SystemError (not ValueError/EOFError/TypeError).

One damaged byte is enough: setting the 'keep a reference' flag on the outer dict shifts
every back-reference inside, so the code object gets objects of the wrong types and
CPython 3.11 fails in Objects/codeobject.c ("bad argument to internal function"). The
start-up caches (module bundle, dataclass codes, toml data, icon pixels) must treat it as a
miss: each is only rewritten after a first frame, so an error would stop every start.
"""

from __future__ import annotations

import marshal
import zlib
from pathlib import Path


def system_error_body() -> bytes:
    """A marshal body whose loads() raises SystemError."""
    damaged = bytearray(marshal.dumps({"qwen_studio.x": compile("x = 1", "x.py", "exec")}))
    damaged[0] |= 0x80  # FLAG_REF on the dict
    try:
        marshal.loads(bytes(damaged))
    except SystemError:
        return bytes(damaged)
    raise AssertionError("this damage no longer makes marshal raise SystemError")


def framed(header: bytes, body: bytes) -> bytes:
    """A cache file's bytes (core/marshal_file.py): header, CRC-32 of the body, body. With a
    right checksum a damaged body reaches marshal.loads."""
    return header + zlib.crc32(body).to_bytes(4, "big") + body


def kept(path: Path, header: bytes) -> object:
    """What a cache file written by core/marshal_file.py holds."""
    return marshal.loads(path.read_bytes()[len(header) + 4:])


def _shape(value: object) -> object:
    if isinstance(value, dict):
        return ("dict", tuple((k, _shape(v)) for k, v in value.items()))
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_shape(v) for v in value))
    return type(value).__name__


def damage_silently(path: Path, header: bytes) -> None:
    """Flip one bit of the marshal body in `path` so that marshal still reads it, into a dict
    with the same keys and the same shape (types, lengths) but another value: damage no
    type check finds (a changed opcode, constant or pixel). Works on files with or without
    the checksum, so a test using it can fail on a cache that has none."""
    data = bytearray(path.read_bytes())
    for start in (len(header) + 4, len(header)):  # with the checksum, or without
        try:
            original = marshal.loads(bytes(data[start:]))
        except Exception:
            continue
        if isinstance(original, dict) and original:
            break
    else:
        raise AssertionError(f"{path} holds no marshal dict after its header")
    for i in range(len(data) - 1, start, -1):  # from the end: values sit after their keys
        for bit in (0x01, 0x02, 0x04):
            data[i] ^= bit
            try:
                damaged = marshal.loads(bytes(data[start:]))
            except Exception:
                damaged = None
            if (isinstance(damaged, dict) and damaged.keys() == original.keys()
                    and damaged != original and _shape(damaged) == _shape(original)):
                path.write_bytes(bytes(data))
                return
            data[i] ^= bit
    raise AssertionError(f"no silent one-bit damage found in {path}")
