"""Decoded pixels -> 8-bit RGB or RGBA in sRGB, and back to JPEG/PNG bytes.

Any Pillow mode is reduced to L/LA/RGB/RGBA/CMYK (16-bit and float data scaled, not
clipped), then to RGB(A); an embedded ICC profile that is not sRGB is converted with
LittleCMS (ImageCms). Every conversion that changes what the user sees adds a note.
See core/pipeline.py for why.
"""

from __future__ import annotations

import io
from typing import cast

from PIL import Image, ImageCms

JPEG_QUALITY = 92


def _is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    try:
        desc = ImageCms.getProfileDescription(profile)
    except Exception:
        return False
    return "srgb" in desc.lower().replace(" ", "").replace("-", "")


def _profile_name(profile: ImageCms.ImageCmsProfile) -> str:
    try:
        return ImageCms.getProfileDescription(profile).strip() or "embedded profile"
    except Exception:
        return "embedded profile"


_SRGB = ImageCms.createProfile("sRGB")


def _has_transparency(im: Image.Image) -> bool:
    if im.mode not in ("RGBA", "LA", "PA"):
        return False
    lo, _hi = cast("tuple[int, int]", im.getchannel("A").getextrema())
    return bool(lo < 255)


def _to_8bit(im: Image.Image) -> Image.Image:
    """Scale 16/32-bit and float data into 0–255 instead of letting convert() clip it."""
    if im.mode.startswith("I;16"):
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    lo, hi = cast("tuple[float, float]", im.getextrema())  # one band: (min, max)
    if im.mode == "F" and hi <= 1.0 and lo >= 0.0:
        return im.point(lambda v: v * 255).convert("L")
    if hi <= 255 and lo >= 0:
        return im.convert("L")
    if hi <= 65535 and lo >= 0:
        return im.point(lambda v: v * (1 / 256)).convert("L")
    span = (hi - lo) or 1
    return im.point(lambda v: (v - lo) * (255 / span)).convert("L")


_HIGH_DEPTH = ("I", "I;16", "I;16L", "I;16B", "I;16N", "F")


def _basic_mode(im: Image.Image, notes: list[str]) -> Image.Image:
    """Any Pillow mode -> one of L, LA, RGB, RGBA, CMYK (alpha only where there was one)."""
    mode = im.mode
    if mode in _HIGH_DEPTH:
        notes.append("converted from floating-point to 8-bit" if mode == "F"
                     else "converted from 16-bit to 8-bit")
        im = _to_8bit(im)
    elif mode == "1":
        notes.append("converted from black-and-white")
        im = im.convert("L")
    elif mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in im.info
        im = im.convert("RGBA" if has_alpha else "RGB")
    elif mode == "La":
        im = im.convert("LA")
    elif mode == "RGBa":
        im = im.convert("RGBA")
    elif mode in ("YCbCr", "LAB", "HSV"):
        notes.append(f"converted from {mode} to RGB")
        im = im.convert("RGB")
    elif mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        im = im.convert("RGBA" if "A" in mode else "RGB")
    # A single transparent colour (tRNS in a grayscale/RGB PNG) becomes a real alpha channel.
    if im.mode in ("L", "RGB") and "transparency" in im.info:
        im = im.convert("LA" if im.mode == "L" else "RGBA")
    if im.mode in ("L", "LA") and mode not in ("1", *_HIGH_DEPTH):
        notes.append("converted from grayscale")
    return im


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode in ("RGB", "RGBA"):
        return im
    return im.convert("RGBA" if im.mode == "LA" else "RGB")


def _normalize(im: Image.Image, notes: list[str], shrink_to: tuple[int, int] | None = None
               ) -> tuple[Image.Image, bytes | None]:
    """Any mode -> RGB or RGBA in sRGB. Returns the image and an ICC profile to embed.

    `shrink_to`: a smaller size wanted anyway; the image is resized before its colours are
    converted, so LittleCMS converts only the pixels that are sent or shown.
    """
    icc: bytes | None = im.info.get("icc_profile") or None
    im = _basic_mode(im, notes)
    if shrink_to is not None and shrink_to[0] < im.width:
        im = im.resize(shrink_to, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if icc is None:
        if im.mode == "CMYK":
            notes.append("converted from CMYK without a colour profile (colours are approximate)")
        return _to_rgb(im), None

    try:
        profile: ImageCms.ImageCmsProfile | None = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space.strip().upper()  # type: ignore[union-attr]
    except Exception:
        profile, space = None, ""

    if profile is None:
        if im.mode in ("RGB", "RGBA"):
            # We cannot interpret it; keeping it beats silently changing the colours.
            notes.append("kept an embedded colour profile that could not be read")
            return im, icc
        notes.append("ignored an embedded colour profile that could not be read "
                     "(colours may be slightly off)")
        if im.mode == "CMYK":
            notes.append("converted from CMYK without a colour profile (colours are approximate)")
        return _to_rgb(im), None

    name = _profile_name(profile)
    if im.mode in ("RGB", "RGBA") and space == "RGB" and _is_srgb(profile):
        return im, icc  # already sRGB: keep the profile bytes as they are

    alpha = im.getchannel("A") if im.mode in ("RGBA", "LA") else None
    colour = im.convert(im.mode[:-1]) if alpha is not None else im
    try:
        conv = ImageCms.profileToProfile(colour, profile, _SRGB, outputMode="RGB")
    except Exception:
        conv = None
    if conv is not None:
        if alpha is not None:
            conv.putalpha(alpha)
        if im.mode == "CMYK":
            notes.append(f"converted from CMYK to sRGB using the embedded profile ({name})")
        else:
            notes.append(f"converted colours from {name} to sRGB")
        return conv, None
    if im.mode in ("RGB", "RGBA") and space == "RGB":
        notes.append(f"kept the colour profile {name!r}; it could not be converted to sRGB")
        return im, icc
    notes.append(f"ignored the colour profile {name!r}, which could not be applied "
                 "(colours may be slightly off)")
    if im.mode == "CMYK":
        notes.append("converted from CMYK without a colour profile (colours are approximate)")
    return _to_rgb(im), None


def _icc_is_srgb(icc: bytes) -> bool:
    try:
        return _is_srgb(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    except Exception:
        return False


def _encode(im: Image.Image, fmt: str, icc: bytes | None, quality: int = JPEG_QUALITY) -> bytes:
    buf = io.BytesIO()
    kwargs: dict[str, object] = {}
    if icc:
        kwargs["icc_profile"] = icc
    if fmt == "JPEG":
        im.save(buf, "JPEG", quality=quality, **kwargs)
    else:
        im.save(buf, "PNG", compress_level=6, **kwargs)
    return buf.getvalue()
