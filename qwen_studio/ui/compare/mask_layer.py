"""The mask a user paints over the "before" image, kept in the photo's own coordinates.

Every operation (brush or eraser stroke, rectangle, lasso, invert, clear) is stored as
data in image pixels, so the mask is the same at any zoom, undo/redo replays operations,
and the region edit gets exactly what was drawn. Two renderings are kept in step:

- a raster at working resolution (the photo scaled to at most WORK_SIDE px on its long
  side: a 24 MP photo's mask costs 25 MB, not 96): its alpha channel IS the mask (soft
  brushes give grey), its colour is the tint the overlay shows;
- a vector outline (QPainterPath, image pixels) drawn as a two-tone line at any zoom, so
  the region is not conveyed by colour alone.

The raster goes to core as a greyscale image (`mask_pixels`); core/region.py scales any
mask size to the photo, so the working resolution needs no scaling back here.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBitmap,
    QBrush,
    QColor,
    QImage,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
    QRegion,
    QTransform,
)

from qwen_studio.ui.image_loading import release_later

WORK_SIDE = 3072
TINT = QColor(255, 64, 96)  # the overlay's colour (the outline carries the shape too)
OVERLAY_OPACITY = 0.45
TOOLS = ("brush", "eraser", "rect", "lasso")

Point = tuple[float, float]


@dataclass(frozen=True)
class MaskOp:
    """One undoable operation, in image pixels."""

    kind: str  # "stroke", "rect", "lasso", "invert", "clear", "image"
    points: tuple[Point, ...] = ()
    erase: bool = False
    size: float = 0.0  # brush diameter, image px
    hardness: float = 1.0  # 1 = hard edge; 0 = soft from the centre out
    # "image": a stored mask (greyscale, white = change, any size) replacing the mask.
    image: QImage | None = field(default=None, compare=False)


class MaskLayer(QObject):
    """The mask of one photo, with undo/redo. Signals tell the canvas to repaint."""

    changed = Signal()  # pixels, outline or visibility changed
    historyChanged = Signal()  # can_undo() / can_redo() changed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._size = QSize(0, 0)
        self._scale = 1.0
        self._canvas = QImage()  # allocated at the first drawing (_raster)
        self._work = QSize(0, 0)  # the raster's size
        self._outline = QPainterPath()
        self._done: list[MaskOp] = []
        self._undone: list[MaskOp] = []
        self._live: MaskOp | None = None
        self._visible = True

    # -- state --------------------------------------------------------------------------------
    def reset(self, image_size: QSize) -> None:
        """A new photo: an empty mask of its size, no history."""
        self._size = QSize(image_size)
        long_side = max(1, image_size.width(), image_size.height())
        self._scale = min(1.0, WORK_SIDE / long_side)
        self._work = QSize(max(1, round(image_size.width() * self._scale)),
                           max(1, round(image_size.height() * self._scale)))
        # Every new photo resets the mask, and most are never painted on: the 25 MB raster
        # waits for the first drawing (allocating and clearing it cost the GUI thread
        # 10-14 ms per photo added, freeing it 2 ms), and the old one is freed in the pool.
        self._drop_raster()
        self._outline = QPainterPath()
        self._done.clear()
        self._undone.clear()
        self._live = None
        self.historyChanged.emit()
        self.changed.emit()

    def image_size(self) -> QSize:
        return QSize(self._size)

    def operations(self) -> tuple[MaskOp, ...]:
        return tuple(self._done)

    def is_empty(self) -> bool:
        return self._outline.isEmpty()

    def outline(self) -> QPainterPath:
        """The region's outline in image pixels."""
        return QPainterPath(self._outline)

    def bounding_rect(self) -> QRectF:
        return self._outline.boundingRect()

    def visible(self) -> bool:
        return self._visible

    def set_visible(self, visible: bool) -> None:
        if visible != self._visible:
            self._visible = visible
            self.changed.emit()

    # -- editing ------------------------------------------------------------------------------
    def apply(self, op: MaskOp) -> None:
        """Do an operation and make it undoable (clears the redo list)."""
        if self._size.isEmpty():
            return
        self._draw(op)
        self._done.append(op)
        self._undone.clear()
        self.historyChanged.emit()
        self.changed.emit()

    def set_from_image(self, mask: QImage) -> None:
        """Replace the mask by a stored one (a recalled edit's), as one undoable step:
        greyscale, white = change, any size (scaled to the photo, as core does)."""
        self.apply(MaskOp("image", image=mask))

    def begin_stroke(self, pos: QPointF, *, erase: bool, size: float, hardness: float) -> None:
        self._live = MaskOp("stroke", ((pos.x(), pos.y()),), erase, size, hardness)
        self._draw(self._live, outline=False)
        self.changed.emit()

    def extend_stroke(self, pos: QPointF) -> None:
        live = self._live
        if live is None:
            return
        last = live.points[-1]
        self._live = MaskOp(live.kind, (*live.points, (pos.x(), pos.y())), live.erase,
                            live.size, live.hardness)
        # Only the new segment is drawn now; the whole stroke is one undo step at the end.
        self._draw(MaskOp("stroke", (last, (pos.x(), pos.y())), live.erase, live.size,
                          live.hardness), outline=False, skip_first_dab=True)
        self.changed.emit()

    def end_stroke(self) -> None:
        live, self._live = self._live, None
        if live is None:
            return
        self._outline = self._outline_after(self._outline, live)
        self._done.append(live)
        self._undone.clear()
        self.historyChanged.emit()
        self.changed.emit()

    def stroking(self) -> bool:
        return self._live is not None

    def can_undo(self) -> bool:
        return bool(self._done)

    def can_redo(self) -> bool:
        return bool(self._undone)

    def undo(self) -> None:
        if self._done:
            self._undone.append(self._done.pop())
            self._replay()

    def redo(self) -> None:
        if self._undone:
            self._done.append(self._undone.pop())
            self._replay()

    def _drop_raster(self) -> None:
        old, self._canvas = [self._canvas], QImage()
        release_later(old)

    def _raster(self) -> QImage:
        """The raster, allocated (transparent) at the first drawing."""
        if self._canvas.isNull():
            self._canvas = QImage(self._work, QImage.Format.Format_ARGB32_Premultiplied)
            self._canvas.fill(Qt.GlobalColor.transparent)
        return self._canvas

    def _replay(self) -> None:
        if self._done:
            self._raster().fill(Qt.GlobalColor.transparent)
        else:
            self._drop_raster()
        self._outline = QPainterPath()
        for op in self._done:
            self._draw(op)
        self.historyChanged.emit()
        self.changed.emit()

    # -- rendering ------------------------------------------------------------------------------
    def _draw(self, op: MaskOp, *, outline: bool = True, skip_first_dab: bool = False) -> None:
        p = QPainter(self._raster())
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(self._scale, self._scale)
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationOut
                             if op.erase else QPainter.CompositionMode.CompositionMode_SourceOver)
        full = QRectF(0, 0, self._size.width(), self._size.height())
        if op.kind == "stroke":
            _stroke(p, op, skip_first_dab)
        elif op.kind == "rect":
            p.fillRect(_rect(op.points), TINT)
        elif op.kind == "lasso":
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(TINT)
            p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in op.points]))
        elif op.kind == "invert":
            # Xor with an opaque source: alpha becomes 1 - alpha, colour the tint.
            p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Xor)
            p.fillRect(full, TINT)
        elif op.kind == "clear":
            p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
            p.fillRect(full, Qt.GlobalColor.transparent)
        elif op.kind == "image" and op.image is not None:
            p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(full, _tinted(op.image))
        p.end()
        if outline:
            self._outline = self._outline_after(self._outline, op)

    def _outline_after(self, path: QPainterPath, op: MaskOp) -> QPainterPath:
        full = QPainterPath()
        full.addRect(QRectF(0, 0, self._size.width(), self._size.height()))
        if op.kind == "clear":
            return QPainterPath()
        if op.kind == "image":
            return _image_outline(op.image, self._size) if op.image is not None \
                else QPainterPath()
        if op.kind == "invert":
            return full.subtracted(path).simplified()
        shape = QPainterPath()
        if op.kind == "stroke":
            shape = _stroke_shape(op)
        elif op.kind == "rect":
            shape.addRect(_rect(op.points))
        elif op.kind == "lasso" and len(op.points) >= 3:
            shape.addPolygon(QPolygonF([QPointF(x, y) for x, y in op.points]))
            shape.closeSubpath()
        shape = shape.intersected(full)
        return (path.subtracted(shape) if op.erase else path.united(shape)).simplified()

    def paint(self, painter: QPainter, target: QRectF) -> None:
        """Draw the tinted overlay and the outline over the image shown in `target`."""
        if not self._visible or self._size.isEmpty():
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.setOpacity(OVERLAY_OPACITY)
        if not self._canvas.isNull():
            painter.drawImage(target, self._canvas)
        painter.setOpacity(1.0)
        if not self._outline.isEmpty():
            to_view = QTransform()
            to_view.translate(target.x(), target.y())
            to_view.scale(target.width() / self._size.width(),
                          target.height() / self._size.height())
            path = to_view.map(self._outline)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(0, 0, 0), 2.5))  # dark under light: seen on any photo
            painter.drawPath(path)
            dash = QPen(QColor(255, 255, 255), 1.2, Qt.PenStyle.DashLine)
            painter.setPen(dash)
            painter.drawPath(path)
        painter.restore()

    def mask_pixels(self) -> tuple[bytes, int, int]:
        """The mask as 8-bit greyscale rows (white = change) at working resolution:
        (data, width, height). Cheap (a copy); encode it in the pool (core.region.mask_png
        after Image.frombytes("L", (w, h), data))."""
        if self._canvas.isNull():  # nothing drawn yet
            w, h = self._work.width(), self._work.height()
            return bytes(w * h), w, h
        alpha = self._canvas.convertToFormat(QImage.Format.Format_Alpha8)
        w, h = alpha.width(), alpha.height()
        bpl = alpha.bytesPerLine()
        raw = bytes(alpha.constBits())  # type: ignore[arg-type]
        if bpl == w:
            return raw, w, h
        return b"".join(raw[y * bpl:y * bpl + w] for y in range(h)), w, h


def _rect(points: tuple[Point, ...]) -> QRectF:
    (x0, y0), (x1, y1) = points[0], points[-1]
    return QRectF(QPointF(min(x0, x1), min(y0, y1)), QPointF(max(x0, x1), max(y0, y1)))


def _stroke(p: QPainter, op: MaskOp, skip_first_dab: bool) -> None:
    pts = [QPointF(x, y) for x, y in op.points]
    radius = max(0.5, op.size / 2)
    if op.hardness >= 0.99:
        pen = QPen(TINT, radius * 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        if len(pts) == 1:
            p.drawPoint(pts[0])
        else:
            p.drawPolyline(QPolygonF(pts))
        return
    # A soft brush: round dabs with a radial falloff, a quarter of the size apart.
    p.setPen(Qt.PenStyle.NoPen)
    spacing = max(1.0, radius / 2)
    dabs: list[QPointF] = [] if skip_first_dab else [pts[0]]
    for a, b in itertools.pairwise(pts):
        steps = max(1, math.ceil(math.dist((a.x(), a.y()), (b.x(), b.y())) / spacing))
        dabs += [a + (b - a) * (k / steps) for k in range(1, steps + 1)]
    # Imported at the first soft stroke: the gradient classes build QGradient's enums
    # (~2.5 ms) that the window's first frame need not wait for.
    from PySide6.QtGui import QRadialGradient

    for c in dabs:
        g = QRadialGradient(c, radius)
        g.setColorAt(0.0, TINT)
        g.setColorAt(max(0.0, min(0.99, op.hardness)), TINT)
        g.setColorAt(1.0, QColor(TINT.red(), TINT.green(), TINT.blue(), 0))
        p.setBrush(QBrush(g))
        p.drawEllipse(c, radius, radius)


def _stroke_shape(op: MaskOp) -> QPainterPath:
    radius = max(0.5, op.size / 2)
    if len(op.points) == 1:
        shape = QPainterPath()
        shape.addEllipse(QPointF(*op.points[0]), radius, radius)
        return shape
    line = QPainterPath(QPointF(*op.points[0]))
    for x, y in op.points[1:]:
        line.lineTo(x, y)
    stroker = QPainterPathStroker()
    stroker.setWidth(radius * 2)
    stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
    stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return stroker.createStroke(line).simplified()


def _tinted(mask: QImage) -> QImage:
    """The overlay's tint with the mask's grey as its alpha."""
    out = QImage(mask.size(), QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(TINT)
    out.setAlphaChannel(mask.convertToFormat(QImage.Format.Format_Grayscale8))
    return out


OUTLINE_SIDE = 768  # a stored mask's outline is traced at this size (then scaled)


def _image_outline(mask: QImage, size: QSize) -> QPainterPath:
    """The outline (image pixels) of a stored mask's half-grey level, traced at a small
    size: a 3072 px mask would give QRegion thousands of rectangles to merge."""
    long_side = max(1, mask.width(), mask.height())
    k = min(1.0, OUTLINE_SIDE / long_side)
    small = mask.scaled(max(1, round(mask.width() * k)), max(1, round(mask.height() * k)),
                        Qt.AspectRatioMode.IgnoreAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)
    mono = _tinted(small).createAlphaMask(Qt.ImageConversionFlag.ThresholdAlphaDither)
    path = QPainterPath()
    path.addRegion(QRegion(QBitmap.fromImage(mono)))
    to_image = QTransform.fromScale(size.width() / small.width(),
                                    size.height() / small.height())
    return to_image.map(path).simplified()
