"""What limits an edit to a region: a stored mask (by content hash) or a rectangle.

Kept apart from core/region.py (the Pillow work) so EditRequest can carry it without
importing an image library. Coordinates are pixels of the input *as displayed*, i.e. after
its EXIF orientation, the way the user sees and marks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DEFAULT_FEATHER = 16
MAX_FEATHER = 256
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class RegionSpec:
    """Exactly one of `mask_sha256` (sha256 of the mask PNG's bytes; white = change, black =
    keep, any size, scaled to the displayed input) or `rect` (X, Y, W, H); `feather` is the
    width in pixels of the soft edge grown outside the marked area."""

    mask_sha256: str | None = None
    rect: tuple[int, int, int, int] | None = None
    feather: int = DEFAULT_FEATHER

    def __post_init__(self) -> None:
        if (self.mask_sha256 is None) == (self.rect is None):
            raise ValueError("a region is either a mask or a rectangle (exactly one)")
        if self.mask_sha256 is not None and not _SHA256.match(self.mask_sha256):
            raise ValueError(f"mask hash {self.mask_sha256!r} is not a sha256 hex digest")
        if self.rect is not None:
            rect = tuple(int(v) for v in self.rect)
            if len(rect) != 4 or rect[0] < 0 or rect[1] < 0 or rect[2] < 1 or rect[3] < 1:
                raise ValueError(f"region {self.rect!r} must be X,Y,W,H with X,Y >= 0 and "
                                 "W,H >= 1")
            object.__setattr__(self, "rect", rect)
        feather = int(self.feather)
        if not 0 <= feather <= MAX_FEATHER:
            raise ValueError(f"feather {self.feather} is outside 0–{MAX_FEATHER} px")
        object.__setattr__(self, "feather", feather)

    @classmethod
    def parse_rect(cls, text: str, feather: int = DEFAULT_FEATHER) -> RegionSpec:
        """'X,Y,W,H' as the CLI's --region takes it."""
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 4 or not all(p.isdigit() for p in parts):
            raise ValueError(f"region {text!r} is not of the form X,Y,W,H (pixels), "
                             "e.g. 100,200,640,480")
        x, y, w, h = (int(p) for p in parts)
        return cls(rect=(x, y, w, h), feather=feather)

    def describe(self) -> str:
        if self.rect is not None:
            return "region {},{},{},{}".format(*self.rect)
        return f"mask {str(self.mask_sha256)[:12]}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"feather": self.feather}
        if self.mask_sha256 is not None:
            d["mask_sha256"] = self.mask_sha256
        if self.rect is not None:
            d["rect"] = list(self.rect)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RegionSpec:
        rect = d.get("rect")
        return cls(mask_sha256=d.get("mask_sha256"),
                   rect=tuple(rect) if rect is not None else None,  # type: ignore[arg-type]
                   feather=int(d.get("feather", DEFAULT_FEATHER)))
