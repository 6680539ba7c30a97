"""The Changes view's heatmap: the original in grey, every changed pixel in red.

Computed band by band. Pillow's ImageChops.difference and split hold the GIL for their
whole run (~55 ms each on 24 MP; the whole map held it ~250 ms and stalled the window from
a pool thread); on a band of BAND_PIXELS each holds it ~1 ms, and the GUI thread gets it
back between calls. The other steps (crop, convert, point, paste, histogram) release it.
The map is painted into `out` when given (anonymous memory the caller can hand to Qt
without a copy), so no full-size Pillow image is freed with the GIL held either.

The result is the same as one pass over the whole image: every pixel is decided by its
own values only, so bands change nothing (tests/core/test_changes_map.py).
"""

from __future__ import annotations

from PIL import Image, ImageChops

Box = tuple[int, int, int, int]

CHANGED_COLOUR = (255, 40, 80)
BAND_PIXELS = 1 << 19  # ~0.5 MP a band: each GIL-holding call ~1 ms on this machine
_ANY = [0] + [255] * 255


def changed_pixels(before: Image.Image, after: Image.Image) -> Image.Image:
    """An L image: 255 where any channel (alpha too) differs. Same sizes; one piece."""
    diff = ImageChops.difference(before.convert("RGBA"), after.convert("RGBA"))
    r, g, b, a = diff.split()
    any_channel = ImageChops.lighter(ImageChops.lighter(r, g), ImageChops.lighter(b, a))
    return any_channel.point(_ANY)


def changes_heatmap(before: Image.Image, after: Image.Image,
                    out: Image.Image | None = None) -> tuple[Image.Image, int, Box | None]:
    """The heatmap (RGB, before's size: in `out` if given), how many pixels changed and
    their bounding box (None: nothing changed). `after` must have before's size."""
    if after.size != before.size:
        raise ValueError(f"sizes differ: {before.size} and {after.size}")
    w, h = before.size
    heat = out if out is not None else Image.new("RGB", (w, h))
    count, box = 0, None
    step = max(1, BAND_PIXELS // max(1, w))
    for y0 in range(0, h, step):
        y1 = min(h, y0 + step)
        b, a = before.crop((0, y0, w, y1)), after.crop((0, y0, w, y1))
        changed = changed_pixels(b, a)
        band = b.convert("L").convert("RGB")
        band.paste(CHANGED_COLOUR, (0, 0), changed)
        heat.paste(band, (0, y0))
        count += changed.histogram()[255]
        found = changed.getbbox()
        if found is not None:
            x0, t, x1, bottom = found
            box = ((x0, t + y0, x1, bottom + y0) if box is None else
                   (min(box[0], x0), min(box[1], t + y0), max(box[2], x1),
                    max(box[3], bottom + y0)))
    return heat, count, box
