"""Colour management: any embedded ICC profile -> sRGB with LittleCMS (Pillow's ImageCms).

Why here and not in Qt: `QImage.convertedToColorSpace` holds the GIL for its whole run
(157-168 ms for a 24 MP Display P3 photo), so a pool thread converting a photo stalls the
window that long. Pillow releases the GIL while LittleCMS transforms, decodes, resizes and
transposes, so every pixel-sized step below runs beside the GUI thread, not instead of it.

- **Where.** Display images are converted at the size they are shown (after the decoder's
  own downscale and the resize to the display limit), so a thumbnail costs thumbnail time.
- **Intent.** Perceptual, as the pipeline sends inputs (ImageCms' default): for the
  matrix/TRC profiles cameras and phones embed it is the same as relative colorimetric
  (out-of-gamut colours clip to the sRGB edge); LUT profiles (CMYK, some printers') use
  their perceptual tables.
- **Depth.** Pillow keeps 8 bits per channel: a 16-bit TIFF is reduced to 8 bits when it is
  decoded, then converted (the display is 8-bit; a conversion from 8-bit data can move a
  gradient step by at most one level more than one from 16-bit data would).
- **Which profiles.** A profile whose transform leaves probe colours unchanged (any sRGB
  variant, whatever it calls itself) is treated as sRGB and skipped; one LittleCMS cannot
  read or apply leaves the colours as they are (`ProfileError`), never the image unshown.

Nothing here knows Qt; core/display_image.py decodes for display with these transforms and
`ui/image_loading.py` wraps its pixels in QImages.
"""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageCms

INTENT = ImageCms.Intent.PERCEPTUAL
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# ICC colour space signature -> the Pillow mode a transform reads, per image mode family.
_PROFILE_MODES = {"RGB": ("RGB", "RGBA"), "GRAY": ("L", "LA"), "CMYK": ("CMYK",)}
_IDENTITY_TOLERANCE = 1  # 8-bit levels: an sRGB profile's rounding, not a colour change


class ProfileError(ValueError):
    """The embedded profile cannot be read or applied; the colours stay as they are."""


@functools.lru_cache(maxsize=16)
def srgb_transform(icc: bytes, mode: str, intent: ImageCms.Intent = INTENT
                   ) -> ImageCms.ImageCmsTransform | None:
    """A (cached) transform from `icc` to sRGB for images of `mode` (RGB, RGBA, L or CMYK).

    None when the profile is sRGB already: converting would change nothing. The output
    mode is RGBA for RGBA (alpha copied), else RGB. Raises ProfileError.
    """
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space.strip().upper()  # type: ignore[union-attr]
    except (OSError, ValueError, TypeError) as exc:
        raise ProfileError(f"unreadable colour profile: {exc}") from None
    if mode not in _PROFILE_MODES.get(space, ()):
        raise ProfileError(f"a {space} colour profile on a {mode} image")
    out_mode = "RGBA" if mode == "RGBA" else "RGB"
    try:
        transform = ImageCms.buildTransform(profile, _SRGB, mode, out_mode, intent)
    except (ImageCms.PyCMSError, OSError, ValueError) as exc:
        raise ProfileError(f"colour profile cannot be applied: {exc}") from None
    return None if _is_identity(transform, mode) else transform


def _is_identity(transform: ImageCms.ImageCmsTransform, mode: str) -> bool:
    """Does `transform` leave colours as a plain conversion to RGB would? (sRGB profiles)"""
    if mode not in ("RGB", "RGBA", "L", "LA"):
        return False  # CMYK: the plain formula is only an approximation
    steps = (0, 36, 73, 109, 146, 182, 219, 255)
    rgb = [(r, g, b) for r in steps for g in steps for b in steps]
    probe = Image.new("RGB", (len(rgb), 1))
    probe.putdata(rgb)
    if mode in ("L", "LA"):
        probe = Image.new("L", (256, 1))
        probe.putdata(range(256))
    elif mode == "RGBA":
        probe = probe.convert("RGBA")
    out = ImageCms.applyTransform(probe, transform)
    if out is None:
        return False
    expected = probe.convert(out.mode)
    a, b = out.tobytes(), expected.tobytes()
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) <= _IDENTITY_TOLERANCE


def to_srgb(im: Image.Image, icc: bytes | None, intent: ImageCms.Intent = INTENT
            ) -> Image.Image:
    """`im` (L, LA, RGB, RGBA or CMYK, as decoded) -> RGB or RGBA in sRGB.

    Converts in place when the mode allows (the caller hands over a fresh decode); without a
    profile, or with one that is sRGB or cannot be applied, only the mode changes.
    """
    transform = None
    if icc:
        try:
            transform = srgb_transform(icc, im.mode, intent)
        except ProfileError:
            transform = None
    if transform is None:
        return im if im.mode in ("RGB", "RGBA") else im.convert(
            "RGBA" if "A" in im.mode else "RGB")
    if im.mode in ("RGB", "RGBA"):
        ImageCms.applyTransform(im, transform, inPlace=True)
        return im
    alpha = im.getchannel("A") if im.mode == "LA" else None
    src = im.convert("L") if alpha is not None else im
    out = ImageCms.applyTransform(src, transform)
    assert out is not None
    if alpha is not None:
        out.putalpha(alpha)
    return out


# -- images for display ------------------------------------------------------------------------

def _swap_red_blue(icc: bytes) -> bytes:
    """The same matrix/TRC RGB profile with its red and blue colorants swapped: a transform
    into it writes B,G,R where the original writes R,G,B (exact: checked on all 16.7 M
    colours), so LittleCMS itself lays pixels out as Qt's 32-bit words want them."""
    count = int.from_bytes(icc[128:132], "big")
    where = {icc[132 + 12 * i:136 + 12 * i]: 132 + 12 * i for i in range(count)}
    out = bytearray(icc)
    for a, b in ((b"rXYZ", b"bXYZ"), (b"rTRC", b"bTRC")):
        ia, ib = where[a], where[b]
        out[ia + 4:ia + 12], out[ib + 4:ib + 12] = icc[ib + 4:ib + 12], icc[ia + 4:ia + 12]
    return bytes(out)


_SRGB_BYTES = _SRGB.tobytes()
_SRGB_BGR = ImageCms.ImageCmsProfile(io.BytesIO(_swap_red_blue(_SRGB_BYTES)))


@functools.lru_cache(maxsize=16)
def packing_transform(icc: bytes | None, order: str, intent: ImageCms.Intent,
                      mode: str = "RGBA") -> ImageCms.ImageCmsTransform:
    """`mode` (RGBA or RGBX; in `icc`'s space, sRGB when None) -> the same mode in sRGB,
    channels in `order`
    ("BGRA" or "RGBA"); alpha is left as it is. Falls back to sRGB for a profile that is
    not RGB or cannot be used."""
    source = _SRGB
    if icc is not None:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            space = source.profile.xcolor_space  # type: ignore[union-attr]
            if space.strip().upper() != "RGB":
                source = _SRGB
        except (OSError, ValueError, TypeError):
            source = _SRGB
    target = _SRGB_BGR if order == "BGRA" else _SRGB
    try:
        return ImageCms.buildTransform(source, target, mode, mode, intent)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return ImageCms.buildTransform(_SRGB, target, mode, mode, intent)
