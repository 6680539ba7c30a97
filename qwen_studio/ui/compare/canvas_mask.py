"""CanvasMask: the mask tools hosted on the compare canvas's "before" image (issue #15).

ImageCanvas keeps one of these and calls it at a few points (ui/compare/mask_view.py is the
reference for those calls): with a tool on, a left-button drag over the "before" image
draws the mask in the image's own pixels instead of panning or wiping; after the "before"
image is painted the overlay, the brush circle and the drag preview go over it; the layer
resets when the "before" photo's size changes (a mask is in its photo's pixels).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

if TYPE_CHECKING:
    # The mask's modules load with its tools (CompareView.region), after the first frame.
    from qwen_studio.ui.compare.image_canvas import ImageCanvas
    from qwen_studio.ui.compare.mask_tools import MaskController


class CanvasMask:
    def __init__(self, canvas: ImageCanvas) -> None:
        self._canvas = canvas
        self.controller: MaskController | None = None
        self._pointer: QPointF | None = None

    def set_controller(self, controller: MaskController | None) -> None:
        self.controller = controller
        if controller is None:
            return
        for signal in (controller.layer.changed, controller.previewChanged,
                       controller.brushChanged, controller.toolChanged):
            signal.connect(self._canvas.update)
        self.before_changed()

    def before_changed(self) -> None:
        """The "before" photo was replaced: a mask of another size does not fit it (the
        window clears the mask for a new input; the same photo shown again keeps it)."""
        before = self._canvas.before_size()
        if self.controller is not None and before is not None \
                and self.controller.layer.image_size() != before:
            self.controller.layer.reset(before)

    def before_rect(self) -> QRectF | None:
        """Where the "before" image is drawn (its side-by-side pane, the wipe, or alone)."""
        return self._canvas.before_image_rect()

    def _image_pos(self, pos: QPointF) -> QPointF | None:
        target, before = self.before_rect(), self._canvas.before_size()
        if target is None or before is None or target.isEmpty():
            return None
        from qwen_studio.ui.compare.mask_view import to_image

        return to_image(pos, target, before)

    def over(self, pos: QPointF) -> bool:
        """A mask tool is on and `pos` is over the "before" image."""
        target = self.before_rect()
        return (self.controller is not None and self.controller.tool() is not None
                and target is not None and target.contains(pos))

    def press(self, pos: QPointF) -> bool:
        """A left press: True when it starts a mask operation (no pan or wipe then)."""
        at = self._image_pos(pos) if self.over(pos) else None
        return at is not None and self.controller is not None and self.controller.press(at)

    def drag(self, pos: QPointF, *, release: bool = False) -> None:
        at = self._image_pos(pos)
        if self.controller is not None and at is not None:
            (self.controller.release if release else self.controller.move)(at)

    def pointer_moved(self, pos: QPointF) -> None:
        self._pointer = pos
        if self.controller is not None and self.controller.cursor_diameter() is not None:
            self._canvas.update()  # the brush circle follows the pointer

    def paint(self, p: QPainter, target: QRectF, clip: QRectF) -> None:
        """Over the "before" image drawn in `target`, clipped to the part of it shown."""
        c, before = self.controller, self._canvas.before_size()
        if c is None or before is None or before.isEmpty():
            return
        p.save()
        p.setClipRect(clip, Qt.ClipOperation.IntersectClip)
        c.layer.paint(p, target)
        scale = target.width() / max(1, before.width())
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(Qt.BrushStyle.NoBrush)
        drag = c.drag_points()
        if drag:
            pts = [QPointF(target.x() + x * scale, target.y() + y * scale) for x, y in drag]
            p.setPen(QPen(QColor(255, 255, 255), 1.2, Qt.PenStyle.DashLine))
            if c.tool() == "rect" and len(pts) >= 2:
                p.drawRect(QRectF(pts[0], pts[-1]).normalized())
            else:
                from PySide6.QtGui import QPolygonF  # only a lasso being drawn

                p.drawPolyline(QPolygonF(pts))
        diameter = c.cursor_diameter()
        if diameter is not None and self._pointer is not None and target.contains(self._pointer):
            r = diameter * scale / 2
            p.setPen(QPen(QColor(0, 0, 0), 2.5))
            p.drawEllipse(self._pointer, r, r)
            p.setPen(QPen(QColor(255, 255, 255), 1.2))
            p.drawEllipse(self._pointer, r, r)
        p.restore()
