"""ZoomPanCanvas: the geometry shared by every pane of the compare canvas (zoom, pan, fit,
the panes of each mode), with no painting and no input; ImageCanvas paints and handles the
pointer on top of it.

* The *reference frame* is the after image's pixel grid (the before image's when there is no
  after). `zoom` is reference pixels -> *device* pixels, so 100 % means one image pixel per
  screen pixel on high-DPI screens too. `center` is the reference point, normalised to 0..1,
  shown at each pane's centre.
* Another image is mapped into the reference frame by relative position: scaled uniformly to
  fit inside the frame and centred, so before/after of different pixel sizes show the same
  region and aspect is never distorted.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Signal
from PySide6.QtWidgets import QWidget

from qwen_studio.ui.compare.scaled_image import ScaledImage

MIN_ZOOM = 0.02
MAX_ZOOM = 32.0
FIT_MARGIN = 10  # logical px around a fitted image so its edges stay visible
PANE_GAP_WIDTH = 2
ZOOM_STEPS = (
    0.0625, 0.125, 0.25, 1 / 3, 0.5, 2 / 3, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 32.0,
)


class ZoomPanCanvas(QWidget):
    """Where each image is drawn: panes per mode, fit/zoom/pan kept in sync across panes."""

    zoomChanged = Signal(float)
    viewChanged = Signal()  # anything a user would see differently (labels, zoom, layout)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._before: ScaledImage | None = None
        self._after: ScaledImage | None = None
        self._mode = "side"
        self._wipe = 0.5
        self._fit = True
        self._zoom = 1.0
        self._center = QPointF(0.5, 0.5)
        self._key_hold = False
        self._mouse_hold = False
        self._emitted_zoom: float | None = None

    def showing_before(self) -> bool:
        """True while the before image temporarily replaces the comparison."""
        return (self._key_hold or self._mouse_hold) and self._before is not None \
            and self._after is not None

    def is_fit(self) -> bool:
        return self._fit

    # ----- layout & geometry -------------------------------------------------------------

    def _ref_size(self) -> QSize | None:
        img = self._after or self._before
        return img.size if img is not None else None

    def panes(self) -> list[tuple[QRectF, str]]:
        """(rect, role) per pane; role is "before", "after", "wipe" or "changes"."""
        full = QRectF(self.rect())
        if self._before is None and self._after is None:
            return []
        if self._after is None:
            return [(full, "before")]
        if self._before is None:
            return [(full, "after")]
        if self.showing_before():
            return [(full, "before")]
        if self._mode == "side":
            w = math.floor((full.width() - PANE_GAP_WIDTH) / 2)
            left = QRectF(0, 0, w, full.height())
            right = QRectF(full.width() - w, 0, w, full.height())
            return [(left, "before"), (right, "after")]
        if self._mode == "wipe":
            return [(full, "wipe")]
        return [(full, "changes" if self._mode == "changes" else "after")]

    def visible_labels(self) -> list[str]:
        labels: list[str] = []
        for _, role in self.panes():
            labels += ["Before", "After"] if role == "wipe" else [role.capitalize()]
        return labels

    def _fit_zoom(self, pane: QRectF) -> float:
        ref = self._ref_size()
        if ref is None:
            return 1.0
        dpr = self.devicePixelRatioF()
        avail_w = max(1.0, pane.width() - 2 * FIT_MARGIN) * dpr
        avail_h = max(1.0, pane.height() - 2 * FIT_MARGIN) * dpr
        return max(MIN_ZOOM, min(avail_w / ref.width(), avail_h / ref.height()))

    def _zoom_for(self, pane: QRectF) -> float:
        return self._fit_zoom(pane) if self._fit else self._zoom

    def zoom(self) -> float:
        panes = self.panes()
        if not panes:
            return 1.0 if self._fit else self._zoom
        return self._zoom_for(panes[0][0])

    def _clamp_center(self, pane: QRectF, zoom: float, center: QPointF) -> QPointF:
        ref = self._ref_size()
        if ref is None:
            return QPointF(0.5, 0.5)
        k = zoom / self.devicePixelRatioF()
        fw, fh = ref.width() * k, ref.height() * k

        def axis(c: float, frame: float, pane: float) -> float:
            # A frame smaller than the pane stays centred; a larger one may not leave gaps.
            if frame <= pane:
                return 0.5
            half = pane / 2 / frame
            return min(1 - half, max(half, c))

        return QPointF(axis(center.x(), fw, pane.width()), axis(center.y(), fh, pane.height()))

    def _frame(self, pane: QRectF) -> QRectF:
        """The reference frame's rect (logical) in this pane, unrounded."""
        ref = self._ref_size()
        assert ref is not None
        zoom = self._zoom_for(pane)
        c = self._clamp_center(pane, zoom, self._center)
        k = zoom / self.devicePixelRatioF()
        fw, fh = ref.width() * k, ref.height() * k
        return QRectF(pane.center().x() - c.x() * fw, pane.center().y() - c.y() * fh, fw, fh)

    def _snap(self, r: QRectF) -> QRectF:
        """Align to device pixels so 100 % is a true 1:1 blit."""
        dpr = self.devicePixelRatioF()
        x, y = round(r.left() * dpr), round(r.top() * dpr)
        w, h = max(1, round(r.width() * dpr)), max(1, round(r.height() * dpr))
        return QRectF(x / dpr, y / dpr, w / dpr, h / dpr)

    def image_rect(self, pane: QRectF, img: ScaledImage) -> QRectF:
        frame = self._frame(pane)
        ref = self._ref_size()
        assert ref is not None
        s = min(ref.width() / img.size.width(), ref.height() / img.size.height())
        w = img.size.width() * s * frame.width() / ref.width()
        h = img.size.height() * s * frame.height() / ref.height()
        return self._snap(QRectF(frame.center().x() - w / 2, frame.center().y() - h / 2, w, h))

    def _wipe_x(self, pane: QRectF) -> float:
        dpr = self.devicePixelRatioF()
        return round((pane.left() + self._wipe * pane.width()) * dpr) / dpr

    def _pane_at(self, pos: QPointF) -> QRectF | None:
        panes = self.panes()
        for rect, _ in panes:
            if rect.contains(pos):
                return rect
        return panes[0][0] if panes else None

    # ----- zoom & pan --------------------------------------------------------------------

    def fit(self) -> None:
        self._fit = True
        self._center = QPointF(0.5, 0.5)
        self._changed()

    def zoom_to(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom keeping the image point under `anchor` (default: pane centre) in place."""
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        pane = self._pane_at(anchor) if anchor is not None else None
        panes = self.panes()
        if pane is None and panes:
            pane = panes[0][0]
        ref = self._ref_size()
        if pane is None or ref is None:
            self._zoom, self._fit = zoom, False
            self._changed()
            return
        if anchor is None:
            anchor = pane.center()
        frame = self._frame(pane)
        u = QPointF((anchor.x() - frame.left()) / frame.width(),
                    (anchor.y() - frame.top()) / frame.height())
        k = zoom / self.devicePixelRatioF()
        fw, fh = ref.width() * k, ref.height() * k
        left, top = anchor.x() - u.x() * fw, anchor.y() - u.y() * fh
        center = QPointF((pane.center().x() - left) / fw, (pane.center().y() - top) / fh)
        self._zoom, self._fit = zoom, False
        self._center = self._clamp_center(pane, zoom, center)
        self._changed()

    def zoom_step(self, direction: int, anchor: QPointF | None = None) -> None:
        z = self.zoom()
        if direction > 0:
            target = next((s for s in ZOOM_STEPS if s > z * 1.01), MAX_ZOOM)
        else:
            target = next((s for s in reversed(ZOOM_STEPS) if s < z / 1.01), MIN_ZOOM)
        self.zoom_to(target, anchor)

    def pan_by(self, dx: float, dy: float) -> None:
        panes = self.panes()
        if not panes:
            return
        pane = panes[0][0]
        frame = self._frame(pane)
        zoom = self._zoom_for(pane)
        if self._fit:
            # Panning leaves fit mode only if there is anything to pan.
            self._zoom = zoom
        c = self._clamp_center(pane, zoom, self._center)
        moved = QPointF(c.x() - dx / frame.width(), c.y() - dy / frame.height())
        new_c = self._clamp_center(pane, zoom, moved)
        if new_c != c:
            self._fit = False
            self._center = new_c
            self._changed()

    def _changed(self) -> None:
        self.update()
        z = self.zoom()
        if self._emitted_zoom is None or abs(z - self._emitted_zoom) > 1e-9:
            self._emitted_zoom = z
            self.zoomChanged.emit(z)
        self.viewChanged.emit()
