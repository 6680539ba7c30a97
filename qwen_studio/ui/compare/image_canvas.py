"""The painted canvas behind CompareView: panes, zoom/pan, wipe divider, flip, overlays.

Geometry model (shared by every pane so side-by-side panes stay in sync):

* The *reference frame* is the after image's pixel grid (the before image's when there is no
  after). `zoom` is reference pixels -> *device* pixels, so 100 % means one image pixel per
  screen pixel on high-DPI screens too. `center` is the reference point, normalised to 0..1,
  shown at each pane's centre.
* Another image is mapped into the reference frame by relative position: scaled uniformly to
  fit inside the frame and centred, so before/after of different pixel sizes show the same
  region and aspect is never distorted.

Painting never rescales a full-size image per paint: `ScaledImage` keeps a lazily built
half-size pyramid and a small LRU of exact-size downscales, and only the visible part of a
source image is handed to QPainter (scaled_image.paint_image).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from qwen_studio.ui.compare.canvas_mask import CanvasMask
from qwen_studio.ui.compare.canvas_overlays import (
    HANDLE_RADIUS,
    busy_rect,
    paint_busy,
    paint_divider,
    paint_empty,
    paint_label,
)
from qwen_studio.ui.compare.mask_tools import MaskController
from qwen_studio.ui.compare.scaled_image import CHECKER_DARK as CHECKER_DARK  # re-exported
from qwen_studio.ui.compare.scaled_image import CHECKER_LIGHT as CHECKER_LIGHT
from qwen_studio.ui.compare.scaled_image import (
    ScaledImage,
    checker_image,
    paint_image,
)
from qwen_studio.ui.compare.scaled_image import fill_rect as _fill
from qwen_studio.ui.image_loading import release_later
from qwen_studio.ui.marks import QT_TRANSLATE_NOOP

BACKGROUND = QColor(0x3A, 0x3A, 0x3A)  # neutral: tinted surroundings bias colour judgement
PANE_GAP = QColor(0x2A, 0x2A, 0x2A)
MIN_ZOOM = 0.02
MAX_ZOOM = 32.0
NEAREST_ABOVE = 2.0  # beyond 200 % the user is pixel peeping: show hard pixel edges
FIT_MARGIN = 10  # logical px around a fitted image so its edges stay visible
PANE_GAP_WIDTH = 2
WIPE_GRAB = 8  # how close (logical px) a press must be to grab the wipe divider
ZOOM_STEPS = (
    0.0625, 0.125, 0.25, 1 / 3, 0.5, 2 / 3, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 32.0,
)

# Marked for translation here, translated where drawn (self.tr).
EMPTY_TEXT = QT_TRANSLATE_NOOP(
    "ImageCanvas", "Drop photos or paste (Ctrl+V) · Run with Ctrl+Enter · Hold Space to compare")


class ImageCanvas(QWidget):
    """Paints before/after in the current mode and handles pointer zoom, pan and wipe."""

    zoomChanged = Signal(float)
    viewChanged = Signal()  # anything a user would see differently (labels, zoom, layout)
    dragOutRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareCanvas")
        self.setAccessibleName(self.tr("Image canvas"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 120)
        self._before: ScaledImage | None = None
        self._after: ScaledImage | None = None
        self._mode = "side"
        self._wipe = 0.5
        self._fit = True
        self._zoom = 1.0
        self._center = QPointF(0.5, 0.5)
        self._key_hold = False
        self._mouse_hold = False
        self._busy: str | None = None
        self._busy_phase = 0.0
        self._busy_timer = QTimer(self)
        self._busy_timer.setInterval(40)
        self._busy_timer.timeout.connect(self._tick_busy)
        self._gesture: str | None = None  # "pan", "wipe" or "out" while a button is down
        self._press_pos = QPointF()
        self._last_pos = QPointF()
        self._emitted_zoom: float | None = None
        self._focus_ring = False
        self._checker: tuple[float, QImage] | None = None
        self.drag_out_enabled = False
        self.mask_host = CanvasMask(self)  # the region mask on "before" (issue #15)
        self._changes: ScaledImage | None = None  # the Changes mode's heatmap
        self._changes_caption = ""

    # ----- state -------------------------------------------------------------------------

    def set_images(self, before: QImage | None, after: QImage | None) -> None:
        old_ref = self._ref_size()
        # Replaced images are freed in the pool: the last reference to a 24 MP photo
        # dropped here would unmap ~100 MB on the GUI thread (8-40 ms measured).
        dead: list[object] = []
        if before is None or before.isNull():
            dead.append(self._before)
            self._before = None
        elif self._before is None or self._before.image.cacheKey() != before.cacheKey():
            dead.append(self._before)
            self._before = ScaledImage(before)
            self.mask_host.before_changed()
        if after is None or after.isNull():
            dead.append(self._after)
            self._after = None
        elif self._after is None or self._after.image.cacheKey() != after.cacheKey():
            dead.append(self._after)
            self._after = ScaledImage(after)
        release_later(dead)
        new_ref = self._ref_size()
        if new_ref is None or old_ref is None:
            self._fit, self._center = True, QPointF(0.5, 0.5)
        elif new_ref != old_ref:
            old_aspect = old_ref.width() / old_ref.height()
            new_aspect = new_ref.width() / new_ref.height()
            if abs(old_aspect - new_aspect) > 0.01:
                self._fit, self._center = True, QPointF(0.5, 0.5)
            else:
                # Another result of the same framing: keep the region the user is studying.
                self._zoom *= old_ref.width() / new_ref.width()
        self._changed()

    def has_before(self) -> bool:
        return self._before is not None

    def has_after(self) -> bool:
        return self._after is not None

    def before_size(self) -> QSize | None:
        return self._before.size if self._before is not None else None

    def set_mask_controller(self, controller: MaskController | None) -> None:
        """Host the mask tools on the "before" image (ui/compare/canvas_mask.py)."""
        self.mask_host.set_controller(controller)

    def before_image_rect(self) -> QRectF | None:
        """Where the "before" image is drawn (its side-by-side pane, the wipe, or alone)."""
        before = self._before
        if before is None:
            return None
        for pane, role in self.panes():
            if role in ("before", "wipe"):
                return self.image_rect(pane, before)
        return None

    def set_changes(self, heatmap: QImage | None, caption: str = "") -> None:
        """The Changes mode's image (changed pixels over the grey original), or None, and
        the words its label adds ("12,345 pixels changed…")."""
        release_later([self._changes])
        self._changes = ScaledImage(heatmap) if heatmap is not None else None
        self._changes_caption = caption
        self._changed()

    def has_changes(self) -> bool:
        return self._changes is not None

    def set_mode(self, mode: str) -> None:
        self._mode = mode
        self._changed()

    def set_wipe(self, fraction: float) -> None:
        self._wipe = min(1.0, max(0.0, fraction))
        self._changed()

    def wipe(self) -> float:
        return self._wipe

    def set_hold_before(self, hold: bool) -> None:
        if hold != self._key_hold:
            self._key_hold = hold
            self._changed()

    def showing_before(self) -> bool:
        """True while the before image temporarily replaces the comparison."""
        return (self._key_hold or self._mouse_hold) and self._before is not None \
            and self._after is not None

    def set_busy(self, text: str | None) -> None:
        self._busy = text or None
        if self._busy and not self._busy_timer.isActive():
            self._busy_timer.start()
        elif not self._busy:
            self._busy_timer.stop()
        self.update()

    def busy_text(self) -> str | None:
        return self._busy

    def _after_word(self) -> str:
        # While an edit runs, the result on screen is the previous one: say so.
        return self.tr("Previous") if self._busy else self.tr("After")

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

    # ----- painting ----------------------------------------------------------------------

    def _checker_for(self, dpr: float) -> QImage:
        if self._checker is None or self._checker[0] != dpr:
            self._checker = (dpr, checker_image(dpr))
        return self._checker[1]

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        full = QRectF(self.rect())
        _fill(p, full, PANE_GAP if self.panes() and len(self.panes()) > 1 else BACKGROUND)
        dpr = self.devicePixelRatioF()
        panes = self.panes()
        if not panes:
            paint_empty(p, full, self.font())
        nearest = not self._fit and self.zoom() > NEAREST_ABOVE
        for pane, role in panes:
            p.save()
            p.setClipRect(pane)
            _fill(p, pane, BACKGROUND)
            if role == "wipe":
                assert self._before is not None and self._after is not None
                x = self._wipe_x(pane)
                left = QRectF(pane.left(), pane.top(), x - pane.left(), pane.height())
                right = QRectF(x, pane.top(), pane.right() - x, pane.height())
                self._paint_image(p, pane, self._before, left, dpr, nearest)
                self.mask_host.paint(p, self.image_rect(pane, self._before), left)
                self._paint_image(p, pane, self._after, right, dpr, nearest)
                paint_divider(p, pane, x)
                paint_label(p, pane, self.tr("Before"), self.font(), Qt.AlignmentFlag.AlignLeft)
                paint_label(p, pane, self._after_word(), self.font(), Qt.AlignmentFlag.AlignRight)
            else:
                img = {"before": self._before, "after": self._after,
                       "changes": self._changes or self._before}[role]
                assert img is not None
                self._paint_image(p, pane, img, pane, dpr, nearest)
                if role == "before":
                    self.mask_host.paint(p, self.image_rect(pane, img), pane)
                word = {"before": self.tr("Before"), "after": self._after_word(),
                        "changes": " · ".join(x for x in (self.tr("Changes"),
                                                          self._changes_caption) if x)}[role]
                paint_label(p, pane, word, self.font(), Qt.AlignmentFlag.AlignLeft)
            p.restore()
        if self._busy:
            paint_busy(p, self._busy_rect(full), self._busy, self._busy_phase, self.font())
        if self._focus_ring and self.hasFocus():
            pen = QPen(self.palette().highlight().color(), 2)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(full.adjusted(1, 1, -1, -1))
        p.end()

    def _paint_image(self, p: QPainter, pane: QRectF, img: ScaledImage, clip: QRectF,
                     dpr: float, nearest: bool) -> None:
        paint_image(p, img, self.image_rect(pane, img), clip, dpr, nearest, self._checker_for)

    def _busy_rect(self, full: QRectF) -> QRectF:
        return busy_rect(full, self._busy or "", self.font())

    def _tick_busy(self) -> None:
        self._busy_phase = (self._busy_phase + 0.02) % 2.0
        if self._busy:
            self.update(self._busy_rect(QRectF(self.rect())).toAlignedRect().adjusted(-2, -2, 2, 2))

    # ----- input -------------------------------------------------------------------------

    def _near_divider(self, pos: QPointF) -> bool:
        panes = self.panes()
        if len(panes) != 1 or panes[0][1] != "wipe":
            return False
        pane = panes[0][0]
        x = self._wipe_x(pane)
        handle = QPointF(x, pane.center().y())
        return abs(pos.x() - x) <= WIPE_GRAB or \
            math.hypot(pos.x() - handle.x(), pos.y() - handle.y()) <= HANDLE_RADIUS + 3

    def _in_flip_mode(self) -> bool:
        return self._mode == "flip" and self._before is not None and self._after is not None

    def _update_cursor(self, pos: QPointF, modifiers: Qt.KeyboardModifier) -> None:
        if self._gesture == "pan":
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif self._gesture == "mask" or self.mask_host.over(pos):
            self.setCursor(Qt.CursorShape.CrossCursor)
        elif self._gesture == "wipe" or self._near_divider(pos):
            self.setCursor(Qt.CursorShape.SplitHCursor)
        elif not self.panes():
            self.unsetCursor()
        elif (modifiers & Qt.KeyboardModifier.ControlModifier) and self.drag_out_enabled:
            self.setCursor(Qt.CursorShape.DragCopyCursor)
        else:
            self.setCursor(Qt.CursorShape.OpenHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        self._press_pos = self._last_pos = pos
        if not self.panes():
            super().mousePressEvent(event)
            return
        if event.button() == Qt.MouseButton.MiddleButton:
            self._gesture = "pan"
        elif event.button() == Qt.MouseButton.LeftButton:
            ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            if self.mask_host.press(pos):
                self._gesture = "mask"  # a mask tool is on: draw, do not pan or wipe
            elif ctrl and self.drag_out_enabled:
                self._gesture = "out"
            elif self._near_divider(pos):
                self._gesture = "wipe"
                self._drag_wipe(pos)
            else:
                self._gesture = "pan"
                if self._in_flip_mode():
                    self._mouse_hold = True
                    self._changed()
        else:
            super().mousePressEvent(event)
            return
        self._update_cursor(pos, event.modifiers())
        event.accept()

    def _drag_wipe(self, pos: QPointF) -> None:
        pane = self.panes()[0][0]
        self.set_wipe((pos.x() - pane.left()) / max(1.0, pane.width()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        self.mask_host.pointer_moved(pos)
        if self._gesture == "mask":
            self.mask_host.drag(pos)
        elif self._gesture == "pan":
            self.pan_by(pos.x() - self._last_pos.x(), pos.y() - self._last_pos.y())
        elif self._gesture == "wipe":
            self._drag_wipe(pos)
        elif self._gesture == "out":
            moved = (pos - self._press_pos).manhattanLength()
            if moved >= QApplication.startDragDistance():
                self._gesture = None
                self.dragOutRequested.emit()
        self._last_pos = pos
        self._update_cursor(pos, event.modifiers())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._gesture == "mask":
            self.mask_host.drag(event.position(), release=True)
        self._gesture = None
        if self._mouse_hold:
            self._mouse_hold = False
            self._changed()
        self._update_cursor(event.position(), event.modifiers())

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not self.panes() \
                or self._near_divider(event.position()):
            return
        # Lightroom-style toggle: fitted -> 100 % at the clicked spot -> fitted.
        if self._fit:
            self.zoom_to(1.0, event.position())
        else:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if not self.panes():
            return
        steps = event.angleDelta().y() / 120.0
        if steps == 0:
            return
        self.zoom_to(self.zoom() * 2 ** (steps / 3), event.position())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self._update_cursor(self.mapFromGlobal(self.cursor().pos()).toPointF(),
                            event.modifiers())
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        self._update_cursor(self.mapFromGlobal(self.cursor().pos()).toPointF(),
                            event.modifiers())
        super().keyReleaseEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        # Like :focus-visible: a ring for keyboard focus, none after a click.
        self._focus_ring = event.reason() in (Qt.FocusReason.TabFocusReason,
                                              Qt.FocusReason.BacktabFocusReason,
                                              Qt.FocusReason.ShortcutFocusReason,
                                              Qt.FocusReason.OtherFocusReason)
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        # The Space release may go to another widget: never stay stuck on "before".
        self._focus_ring = False
        self._mouse_hold = False
        self.set_hold_before(False)
        self.update()
        super().focusOutEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._changed()
