"""ScaledImage: one source image plus the downscaled copies the canvas paints from.

Painting never rescales a full-size image per paint: a lazily built half-size pyramid and
a small LRU of exact-size downscales, and only the visible part of a source image is handed
to QPainter (draw_scaled). Split from image_canvas.py, which paints the panes.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter

CHECKER_LIGHT = QColor(0xB4, 0xB4, 0xB4)
CHECKER_DARK = QColor(0x8C, 0x8C, 0x8C)
CHECKER_CELL = 8  # logical px

# Exact-size downscales up to this many pixels are cached; larger ones (zoom just under
# 100 % on a huge image) draw the visible part of a pyramid level with bilinear filtering.
_MAX_CACHED_PIXELS = 12_000_000
_SCALED_CACHE_ENTRIES = 3


class ScaledImage:
    """One source image plus the downscaled copies painting needs.

    The pyramid starts with any smaller copies the image carries in `levels` (decoded in the
    thread pool, see image_loading.DecodedImage), so a fitted 24 MP photo is painted from a
    small copy instead of being halved on the GUI thread; further halvings are made lazily.
    Nothing here touches every pixel of a large image up front: converting a 24 MP image to
    the blit format costs ~80 ms, so the full-size image is drawn as it is (QPainter converts
    only the visible part) and a pyramid level is converted when first painted.
    """

    def __init__(self, image: QImage) -> None:
        self.has_alpha = image.hasAlphaChannel()
        # The two formats the raster engine blits fastest.
        self._fmt = (QImage.Format.Format_ARGB32_Premultiplied if self.has_alpha
                     else QImage.Format.Format_RGB32)
        self.image = image  # full size: painted at 100 % and above, visible part only
        self.size = image.size()
        self._mips: list[QImage] = [image]
        for level in getattr(image, "levels", ()):
            if isinstance(level, QImage) and not level.isNull() \
                    and level.hasAlphaChannel() == self.has_alpha \
                    and level.width() < self._mips[-1].width():
                self._mips.append(level)
        self._blit: dict[int, QImage] = {}  # pyramid level -> the same pixels in self._fmt
        self._scaled: OrderedDict[tuple[int, int], QImage] = OrderedDict()

    def _mip(self, level: int) -> QImage | None:
        while len(self._mips) <= level:
            prev = self._mips[-1]
            if min(prev.width(), prev.height()) < 64:
                return None
            self._mips.append(prev.scaled(
                max(1, prev.width() // 2), max(1, prev.height() // 2),
                Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation))
        return self._mips[level]

    def _ready(self, level: int) -> QImage:
        """Pyramid level `level` in the blit format (levels are small; converted once)."""
        hit = self._blit.get(level)
        if hit is None:
            img = self._mips[level]
            hit = img if img.format() == self._fmt else img.convertToFormat(self._fmt)
            self._blit[level] = hit
        return hit

    def mip_for(self, scale: float) -> QImage:
        """The smallest pyramid level still at least `scale` × the source size."""
        need = scale * self.size.width() - 1e-6
        level = 0
        while True:
            if level + 1 >= len(self._mips) and self._mips[level].width() // 2 < need:
                break  # do not build a halving that would be too small
            nxt = self._mip(level + 1)
            if nxt is None or nxt.width() < need:
                break
            level += 1
        return self._ready(level)

    def scaled_to(self, width: int, height: int) -> QImage:
        key = (width, height)
        hit = self._scaled.get(key)
        if hit is not None:
            self._scaled.move_to_end(key)
            return hit
        # Area-averaging from a level at most 2× larger: fast and free of aliasing.
        base = self.mip_for(width / max(1, self.size.width()))
        scaled = base.scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        self._scaled[key] = scaled
        while len(self._scaled) > _SCALED_CACHE_ENTRIES:
            self._scaled.popitem(last=False)
        return scaled


def checker_image(dpr: float) -> QImage:
    cell = max(1, round(CHECKER_CELL * dpr))
    img = QImage(cell * 2, cell * 2, QImage.Format.Format_RGB32)
    img.fill(CHECKER_LIGHT)
    p = QPainter(img)
    p.fillRect(0, 0, cell, cell, CHECKER_DARK)
    p.fillRect(cell, cell, cell, cell, CHECKER_DARK)
    p.end()
    img.setDevicePixelRatio(dpr)
    return img


def draw_scaled(painter: QPainter, img: ScaledImage, target: QRectF, clip: QRectF,
                dpr: float, nearest: bool) -> None:
    """Draw `img` into `target` (logical, device-aligned), only the part inside `clip`."""
    device_scale = target.width() * dpr / max(1, img.size.width())
    if device_scale < 1.0:
        tw, th = round(target.width() * dpr), round(target.height() * dpr)
        if tw * th <= _MAX_CACHED_PIXELS:
            src_img, smooth = img.scaled_to(max(1, tw), max(1, th)), False  # 1:1 blit
        else:
            src_img, smooth = img.mip_for(device_scale), True
    else:
        src_img, smooth = img.image, not nearest
    vis = target.intersected(clip)
    if vis.isEmpty():
        return
    sx = src_img.width() / target.width()
    sy = src_img.height() / target.height()
    # Whole source pixels only, so nearest-neighbour blocks keep their true edges.
    x0 = max(0, math.floor((vis.left() - target.left()) * sx + 1e-6))
    y0 = max(0, math.floor((vis.top() - target.top()) * sy + 1e-6))
    x1 = min(src_img.width(), math.ceil((vis.right() - target.left()) * sx - 1e-6))
    y1 = min(src_img.height(), math.ceil((vis.bottom() - target.top()) * sy - 1e-6))
    if x1 <= x0 or y1 <= y0:
        return
    src = QRectF(x0, y0, x1 - x0, y1 - y0)
    dst = QRectF(target.left() + x0 / sx, target.top() + y0 / sy, (x1 - x0) / sx, (y1 - y0) / sy)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
    painter.drawImage(dst, src_img, src)


def paint_image(p: QPainter, img: ScaledImage, target: QRectF, clip: QRectF, dpr: float,
                nearest: bool, checker_for: Callable[[float], QImage]) -> None:
    """Paint `img` into `target`, only the part inside `clip`, over a checkerboard (made by
    `checker_for(dpr)`, only when needed) where the image has an alpha channel."""
    vis = target.intersected(clip)
    if vis.isEmpty():
        return
    if img.has_alpha:
        brush = QBrush(checker_for(dpr))
        brush.setTransform(brush.transform().translate(target.left(), target.top()))
        p.fillRect(vis, brush)
    p.save()
    p.setClipRect(vis, Qt.ClipOperation.IntersectClip)
    draw_scaled(p, img, target, vis, dpr, nearest)
    p.restore()


def fill_rect(p: QPainter, rect: QRectF, color: QColor) -> None:
    """fillRect without its overloads: resolving QPainter.fillRect's arguments builds
    QGradient's enums (~2.5 ms, one of them 180 members) on the canvas's first paint."""
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # crisp edges, as fillRect
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawRect(rect)
    p.restore()
