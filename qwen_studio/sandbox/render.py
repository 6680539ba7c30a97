"""The sandbox's "edit": a fast, deterministic picture visibly made from the prompt and inputs.

Same inputs + prompt + seed + index -> same PNG bytes. The prompt picks the tint's hue and is
printed in a caption band; the seed and result index vary the tint and a gradient overlay;
extra inputs appear as insets, so a glance at a result shows what was sent.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import unicodedata
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from qwen_studio.core.catalog import ModelFamily, default_output_size
from qwen_studio.core.request import SEED_MAX

_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "DejaVuSans.ttf",
)


def _digest(*parts: str | bytes) -> bytes:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\0")
    return h.digest()


def seed_for(prompt: str) -> int:
    """The seed used when the request gives none: derived from the prompt, so it repeats."""
    return int.from_bytes(_digest("seed", prompt)[:4], "big") % (SEED_MAX + 1)


def output_size(family: ModelFamily, images: list[Image.Image],
                size: tuple[int, int] | None) -> tuple[int, int]:
    """What the service would return: `size`, else the family's default-size behaviour."""
    if size is not None:
        return size
    return default_output_size(family, [im.size for im in images])


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONT_CANDIDATES:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _hue_colour(hue: float, sat: float = 0.65, val: float = 0.95) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, sat, val)
    return round(r * 255), round(g * 255), round(b * 255)


def _cover(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale and centre-crop `img` to fill `size` (the service reframes the same way)."""
    w, h = size
    iw, ih = img.size
    scale = max(w / iw, h / ih)
    sw, sh = max(w, round(iw * scale)), max(h, round(ih * scale))
    left, top = (sw - w) // 2, (sh - h) // 2
    return img.resize((sw, sh), Image.Resampling.BILINEAR, reducing_gap=2.0).crop(
        (left, top, left + w, top + h)
    )


def _gradient_mask(size: tuple[int, int], angle: float) -> Image.Image:
    # Rotate, then keep the inner square that the rotation fully covers (no black corners).
    g = Image.linear_gradient("L").rotate(angle, resample=Image.Resampling.BILINEAR)
    return g.crop((38, 38, 218, 218)).resize(size, Image.Resampling.BILINEAR)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
          width: int, max_lines: int) -> list[str]:
    """Greedy wrap that also breaks CJK text (no spaces) between any two characters."""
    lines: list[str] = []
    line = ""
    for ch in " ".join(text.split()):
        trial = line + ch
        if line and draw.textlength(trial, font=font) > width:
            cut = line.rfind(" ")
            wide = unicodedata.east_asian_width(ch) in "WF"
            if cut > 0 and ch != " " and not wide:
                lines.append(line[:cut])
                line = line[cut + 1 :] + ch
            else:
                lines.append(line.rstrip())
                line = ch.lstrip()
            if len(lines) == max_lines:
                break
        else:
            line = trial
    else:
        if line:
            lines.append(line)
        return lines[:max_lines]
    last = lines[-1]
    while last and draw.textlength(last + "…", font=font) > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return lines


def render(
    model: str,
    family: ModelFamily,
    images: list[Image.Image],
    prompt: str,
    seed: int,
    index: int,
    n: int,
    size: tuple[int, int] | None = None,
) -> bytes:
    """PNG bytes of result `index` (0-based) of `n` for this request."""
    w, h = output_size(family, images, size)
    key = _digest(model, prompt)
    hue = key[0] / 255.0
    var = _digest(str(seed), str(index))
    hue2 = hue + 0.25 + (var[0] / 255.0) * 0.5
    angle = var[1] / 255.0 * 360.0

    tint = Image.new("RGB", (w, h), _hue_colour(hue))
    if images:
        base = _cover(images[-1], (w, h))
        out = Image.blend(base, tint, 0.28 + (var[2] / 255.0) * 0.12)
        overlay = Image.new("RGB", (w, h), _hue_colour(hue2, 0.8, 0.9))
        mask = _gradient_mask((w, h), angle).point([v * 70 // 255 for v in range(256)])
        out.paste(overlay, (0, 0), mask)
        # Other inputs as small framed insets along the top, so every input is visible.
        inset_w = max(64, w // 5)
        x = margin = max(8, w // 64)
        for extra in images[:-1]:
            thumb = extra.copy()
            thumb.thumbnail((inset_w, inset_w), Image.Resampling.BILINEAR)
            frame = Image.new("RGB", (thumb.width + 6, thumb.height + 6), (255, 255, 255))
            frame.paste(thumb, (3, 3))
            out.paste(frame, (x, margin))
            x += frame.width + margin
    else:
        # Text-to-image: a two-colour gradient stands in for the picture.
        out = Image.new("RGB", (w, h), _hue_colour(hue2, 0.7, 0.6))
        out.paste(tint, (0, 0), _gradient_mask((w, h), angle))

    draw = ImageDraw.Draw(out, "RGBA")
    # Caption band with the prompt, wrapped to at most three lines.
    fsize = max(12, min(w, h) // 32)
    font = _font(fsize)
    pad = fsize // 2
    lines = _wrap(draw, prompt, font, w - 2 * pad, 3)
    line_h = round(fsize * 1.35)
    band_h = len(lines) * line_h + 2 * pad
    draw.rectangle((0, h - band_h, w, h), fill=(0, 0, 0, 150))
    y = h - band_h + pad
    for line in lines:
        draw.text((pad, y), line, font=font, fill=(255, 255, 255, 255))
        y += line_h
    # Small label: which result this is and how to reproduce it.
    small = _font(max(10, fsize * 2 // 3))
    label = f"sandbox · seed {seed} · {index + 1}/{n}"
    left, top, right, bottom = draw.textbbox((0, 0), label, font=small)
    lx, ly = w - (right - left) - pad * 2, pad
    draw.rectangle(
        (lx - pad // 2, ly + top - pad // 2, lx + right + pad // 2, ly + bottom + pad // 2),
        fill=(0, 0, 0, 110),
    )
    draw.text((lx, ly), label, font=small, fill=(255, 255, 255, 230))

    buf = io.BytesIO()
    out.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()
