"""Photos with a Display P3 or Adobe RGB profile look right in the window's image views, and
decoding them makes no GIL-holding Qt pixel call in the pool (the cause of the stalls).

Colours are read back from what is painted and compared with the reference conversion of
tests/icc_profiles.py (no LittleCMS, no Qt) and with Qt's own convertedToColorSpace.
Tolerance: 2 levels of 255 per channel once painted (1 for the conversion, 1 for
painting/scaling rounding).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from icc_profiles import ADOBE_RGB, DISPLAY_P3, RgbSpace, icc_profile, reference_to_srgb
from PIL import Image
from PySide6.QtCore import QByteArray
from PySide6.QtGui import QColor, QColorSpace, QImage

from qwen_studio.ui import image_loading as il
from qwen_studio.ui.compare.compare_view import CompareView

TOLERANCE = 2
# Saturated patches (where P3/Adobe RGB differ most from sRGB) and a mid grey.
PATCHES = [(230, 30, 30), (20, 210, 60), (40, 60, 220), (250, 220, 20), (128, 128, 128),
           (0, 255, 255)]


def _patch_photo(path: Path, space: RgbSpace, size: tuple[int, int]) -> Path:
    """Vertical stripes, one flat patch colour each, tagged with `space`."""
    w, h = size
    im = Image.new("RGB", size)
    band = w // len(PATCHES)
    for i, c in enumerate(PATCHES):
        im.paste(c, (i * band, 0, (i + 1) * band if i < len(PATCHES) - 1 else w, h))
    im.save(path, quality=97, subsampling=0, icc_profile=icc_profile(space))
    return path


def _close(c: QColor, ref: tuple[float, ...]) -> bool:
    return all(abs(a - b) <= TOLERANCE for a, b in zip((c.red(), c.green(), c.blue()), ref,
                                                          strict=True))


@pytest.mark.parametrize("space", [DISPLAY_P3, ADOBE_RGB], ids=lambda s: s.name)
def test_decoded_photo_has_the_reference_colours(tmp_path: Path, space: RgbSpace) -> None:
    path = _patch_photo(tmp_path / "photo.jpg", space, (1200, 400))
    image = il.decode_image(path, 8192)
    # Qt's own conversion of the same decoded pixels, for a second opinion.
    raw = QImage(str(path))
    qt = raw.convertedToColorSpace(QColorSpace(QColorSpace.NamedColorSpace.SRgb))
    band = image.width() // len(PATCHES)
    for i, src in enumerate(PATCHES):
        x, y = i * band + band // 2, image.height() // 2
        ref = reference_to_srgb(space, src)
        shown = image.pixelColor(x, y)
        assert _close(shown, ref), (src, shown.getRgb(), ref)
        assert _close(shown, tuple(qt.pixelColor(x, y).getRgb()[:3])), (src, shown.getRgb())


def test_a_p3_photo_on_the_compare_canvas_is_painted_in_srgb(qtbot, tmp_path: Path) -> None:
    # Big enough that the fitted view paints from a smaller copy (a level), not the photo.
    path = _patch_photo(tmp_path / "phone.jpg", DISPLAY_P3, (3600, 1200))
    image = il.decode_image(path, 8192)
    assert getattr(image, "levels", ())
    view = CompareView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.set_before(None)
    view.set_after(image)
    shot = view.canvas.grab().toImage()
    rect = view.canvas.image_rect(view.canvas.panes()[0][0], view.canvas._after)
    band = rect.width() / len(PATCHES)
    dpr = shot.devicePixelRatio()
    for i, src in enumerate(PATCHES):
        x = round((rect.left() + band * (i + 0.5)) * dpr)
        y = round((rect.top() + rect.height() * 0.7) * dpr)  # below the "After" label
        ref = reference_to_srgb(DISPLAY_P3, src)
        assert _close(shot.pixelColor(x, y), ref), (src, shot.pixelColor(x, y).getRgb(), ref)


def test_decoding_makes_no_gil_holding_qt_pixel_call(monkeypatch, tmp_path: Path) -> None:
    # Each of these holds the GIL for its whole run when called in a pool thread (24 MP:
    # convertedToColorSpace ~160 ms, copy ~70 ms, scaled ~35 ms; benchmarks/pool_gil.py).
    def forbidden(name: str):
        def call(*_a: object, **_k: object) -> QImage:
            raise AssertionError(f"QImage.{name} called while decoding")
        return call

    for name in ("convertedToColorSpace", "convertToColorSpace", "scaled", "copy",
                 "convertToFormat", "convertedTo", "mirrored", "transformed"):
        monkeypatch.setattr(QImage, name, forbidden(name))
    for space in (DISPLAY_P3, ADOBE_RGB):
        path = _patch_photo(tmp_path / f"{space.gamma}.jpg", space, (4000, 2000))
        image = il.decode_image(path, 8192)
        assert len(getattr(image, "levels", ())) >= 3  # levels and halvings made too
        thumb = il.decode_image(path, 256)
        assert max(thumb.width(), thumb.height()) == 256


def test_a_colour_space_qt_finds_in_a_format_pillow_cannot_read_is_still_honoured(
        tmp_path: Path) -> None:
    # The Qt fallback (formats only Qt reads): still converted, not shown raw.
    img = QImage(40, 20, QImage.Format.Format_RGB32)
    img.fill(QColor(20, 210, 60))
    img.setColorSpace(QColorSpace.fromIccProfile(QByteArray(icc_profile(DISPLAY_P3))))
    data = il.encode_png(img)
    shown = il._decode_with_qt(data, "image data", None)
    assert _close(shown.pixelColor(5, 5), reference_to_srgb(DISPLAY_P3, (20, 210, 60)))
