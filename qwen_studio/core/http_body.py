"""Reading an HTTP body within a size cap: on the wire and after decompression.

httpx decodes gzip/deflate without a limit, one network chunk at a time: a 64 KB chunk of
a gzip bomb becomes ~64 MB in one call, and a body encoded "gzip, gzip" compounds that.
Here the raw bytes are read, at most one encoding layer is undone with a bounded
`decompressobj`, and reading stops as soon as either count passes the cap.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

ACCEPT_ENCODING = "gzip, deflate"  # the encodings decoded here; nothing else is asked for


class BodyTooLarge(Exception):
    """The body passed the cap (wire or expanded bytes)."""


class BodyUndecodable(Exception):
    """An encoding we did not ask for, more than one layer, or a corrupt stream."""


class _Inflater:
    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._d = zlib.decompressobj(wbits)
        self._first = True

    def feed(self, data: bytes, room: int) -> bytes:
        """Up to room + 1 expanded bytes of `data` (one more than room means: too large)."""
        try:
            out = self._d.decompress(data, room + 1)
        except zlib.error:
            if self.encoding == "deflate" and self._first:  # raw deflate without zlib header
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
                self._first = False
                return self.feed(data, room)
            raise BodyUndecodable("the compressed answer is corrupt") from None
        self._first = False
        # Output short of room + 1 means all input was consumed (zlib stops only at the
        # limit), so nothing is left behind in unconsumed_tail.
        return out


def _layers(content_encoding: str) -> list[str]:
    return [e.strip().lower() for e in content_encoding.split(",")
            if e.strip() and e.strip().lower() != "identity"]


async def read_capped(raw: AsyncIterator[bytes], content_encoding: str, cap: int, *,
                      truncate: bool = False) -> bytes:
    """The decoded body, at most `cap` bytes on the wire and expanded.

    Past the cap: BodyTooLarge, or (truncate=True, for error pages) the first `cap` bytes.
    """
    layers = _layers(content_encoding)
    if len(layers) > 1 or (layers and layers[0] not in ("gzip", "x-gzip", "deflate")):
        raise BodyUndecodable(f"the answer uses an unexpected encoding ({content_encoding})")
    inflater = _Inflater(layers[0]) if layers else None
    body = bytearray()
    wire = 0
    async for chunk in raw:
        wire += len(chunk)
        if wire > cap and not truncate:
            raise BodyTooLarge()
        piece = chunk if inflater is None else inflater.feed(chunk, cap - len(body))
        body += piece
        if len(body) > cap or wire > cap:
            if truncate:
                del body[cap:]
                break
            raise BodyTooLarge()
    return bytes(body)
