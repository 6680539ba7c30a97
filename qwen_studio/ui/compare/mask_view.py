"""A plain view of one image with its mask: the reference for how the compare view's
canvas hosts the mask tools (and what tests and screenshots drive offscreen).

The canvas needs exactly what this does: map a widget position to image pixels through the
rectangle the image is drawn in, hand presses/moves/releases to MaskController when a mask
tool is on (and not pan or wipe then), draw `layer.paint(painter, image_rect)` over the
"before" image, a circle of the brush's size at the pointer, and the rectangle or lasso
being dragged.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from qwen_studio.ui.compare.mask_layer import MaskLayer
from qwen_studio.ui.compare.mask_tools import MaskController


def fit_rect(image: QSize, area: QRectF) -> QRectF:
    """Where an image of `image` size is drawn, fitted and centred in `area`."""
    if image.isEmpty():
        return QRectF()
    scale = min(area.width() / image.width(), area.height() / image.height())
    w, h = image.width() * scale, image.height() * scale
    return QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)


def to_image(pos: QPointF, target: QRectF, image: QSize) -> QPointF:
    """A widget position -> image pixels, for an image drawn in `target`."""
    return QPointF((pos.x() - target.x()) * image.width() / target.width(),
                   (pos.y() - target.y()) * image.height() / target.height())


class MaskView(QWidget):
    def __init__(self, controller: MaskController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.layer: MaskLayer = controller.layer
        self._image = QImage()
        self._pointer: QPointF | None = None
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(self.tr("Image with mask"))
        for signal in (self.layer.changed, controller.previewChanged, controller.brushChanged,
                       controller.toolChanged):
            signal.connect(self.update)

    def set_image(self, image: QImage) -> None:
        self._image = image
        self.layer.reset(image.size())
        self.update()

    def image_rect(self) -> QRectF:
        return fit_rect(self._image.size(), QRectF(self.rect()).adjusted(8, 8, -8, -8))

    def _image_pos(self, event: QMouseEvent) -> QPointF:
        return to_image(event.position(), self.image_rect(), self._image.size())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self._image.isNull() \
                and self.controller.press(self._image_pos(event)):
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._pointer = event.position()
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.controller.move(self._image_pos(event))
        if self.controller.cursor_diameter() is not None:
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.controller.release(self._image_pos(event))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(48, 48, 48))
        if self._image.isNull():
            return
        target = self.image_rect()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.drawImage(target, self._image)
        self.layer.paint(p, target)
        scale = target.width() / self._image.width()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(Qt.BrushStyle.NoBrush)
        drag = self.controller.drag_points()
        if drag:
            pts = [QPointF(target.x() + x * scale, target.y() + y * scale) for x, y in drag]
            p.setPen(QPen(QColor(255, 255, 255), 1.2, Qt.PenStyle.DashLine))
            if self.controller.tool() == "rect" and len(pts) >= 2:
                p.drawRect(QRectF(pts[0], pts[-1]).normalized())
            else:
                p.drawPolyline(QPolygonF(pts))
        diameter = self.controller.cursor_diameter()
        if diameter is not None and self._pointer is not None:
            r = diameter * scale / 2
            p.setPen(QPen(QColor(0, 0, 0), 2.5))
            p.drawEllipse(self._pointer, r, r)
            p.setPen(QPen(QColor(255, 255, 255), 1.2))
            p.drawEllipse(self._pointer, r, r)
