"""The JSON body of an edit request as bytes, its multi-MB data URIs spliced in, not encoded.

json.dumps of a body holding 10 MB data URIs holds the GIL (the GUI thread under qasync)
for tens of ms; ImageClient.generate builds every body here.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from typing import Any

_TOKEN = re.compile(r"(qs-image-[0-9a-f]{16}-\d+)")  # encode_body's stand-ins


def splice_safe(uri: str) -> bool:
    """A data URI whose text is JSON as it stands (base64 after an ASCII header): it can be
    copied into the body verbatim. isascii() is O(1); the `in` tests are memchr scans."""
    return (len(uri) > 4096 and uri.startswith("data:") and uri.isascii()
            and '"' not in uri and "\\" not in uri and "\n" not in uri and "\r" not in uri)


def encode_body(build: Callable[[list[str]], Any], images: list[str]) -> bytes:
    """The JSON request body as bytes, without running multi-MB data URIs through json.dumps.

    json.dumps of a body holding 10 MB data URIs holds the GIL (the GUI thread under qasync)
    for tens of ms, and it cannot be moved to a worker for that reason. Large JSON-safe
    URIs are replaced by short unique tokens, the small body is encoded, and the URIs'
    bytes are spliced in where the tokens were (a memory copy).
    """
    nonce = f"{random.getrandbits(64):016x}"
    spliced: dict[str, str] = {}
    stand_ins: list[str] = []
    for i, uri in enumerate(images):
        if splice_safe(uri):
            token = f"qs-image-{nonce}-{i}"
            spliced[token] = uri
            stand_ins.append(token)
        else:
            stand_ins.append(uri)
    text = json.dumps(build(stand_ins), ensure_ascii=False)
    if not spliced:
        return text.encode("utf-8")
    parts: list[bytes] = []
    # One compiled pattern for every nonce (a pattern per request was compiled per edit);
    # only this body's tokens are in `spliced`, so a look-alike in a prompt stays as it is.
    for piece in _TOKEN.split(text):
        uri = spliced.get(piece)
        parts.append(uri.encode("ascii") if uri is not None else piece.encode("utf-8"))
    return b"".join(parts)
