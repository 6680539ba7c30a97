"""JSON from outside (a service's answer, a sidecar, a PNG's text chunk) parsed within limits.

`json.loads` recurses once per nesting level: 100,000 nested brackets raise RecursionError
(which no caller expects) instead of ValueError. `loads_bounded` measures the nesting with
one C-speed regex pass (strings are skipped whole, so a 30 MB base64 string costs one
match) and refuses text that is too large or too deep with a ValueError, like any other
malformed JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64  # real answers nest 5-6 levels; sidecars 4
DEFAULT_MAX_BYTES = 64 * 2**20

# A whole string literal (escapes included), or one bracket.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_TOKENS_B = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class JsonLimitError(ValueError):
    """The text is too large or nested too deeply to be parsed safely."""


def nesting_depth(text: str | bytes | bytearray, limit: int = MAX_DEPTH) -> int:
    """The deepest bracket nesting of `text`; stops counting once past `limit`."""
    depth = deepest = 0
    pattern = _TOKENS_B if isinstance(text, bytes | bytearray) else _TOKENS
    opening = (b"[", b"{") if isinstance(text, bytes | bytearray) else ("[", "{")
    closing = (b"]", b"}") if isinstance(text, bytes | bytearray) else ("]", "}")
    for m in pattern.finditer(text):  # type: ignore[arg-type]
        token = m.group()
        if token in opening:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif token in closing:
            depth -= 1
    return deepest


def loads_bounded(
    text: str | bytes | bytearray,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Any:
    """`json.loads`, refusing oversized or over-deep text with JsonLimitError (a ValueError).

    Other malformed text raises ValueError (or UnicodeDecodeError, also a ValueError) as
    json.loads does.
    """
    if len(text) > max_bytes:
        raise JsonLimitError(f"the JSON text is larger than {max_bytes} bytes")
    if nesting_depth(text, max_depth) > max_depth:
        raise JsonLimitError(f"the JSON text is nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except RecursionError:  # belt and braces: a stack smaller than expected
        raise JsonLimitError("the JSON text is nested too deeply") from None
