"""The painted canvas behind CompareView: panes, wipe divider, flip, overlays, and the
pointer's zoom, pan and wipe. Where each image goes (panes, zoom, pan, fit) is
ZoomPanCanvas's (ui/compare/zoom_pan_canvas.py), which this class extends.

Painting never rescales a full-size image per paint: `ScaledImage` keeps a lazily built
half-size pyramid and a small LRU of exact-size downscales, and only the visible part of a
source image is handed to QPainter (scaled_image.paint_image).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

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
    label_rect,
    paint_busy,
    paint_divider,
    paint_empty,
    paint_label,
    pane_labels,
)
from qwen_studio.ui.compare.scaled_image import CHECKER_DARK as CHECKER_DARK  # re-exported
from qwen_studio.ui.compare.scaled_image import CHECKER_LIGHT as CHECKER_LIGHT
from qwen_studio.ui.compare.scaled_image import (
    ScaledImage,
    checker_image,
    paint_image,
)
from qwen_studio.ui.compare.scaled_image import fill_rect as _fill
from qwen_studio.ui.compare.zoom_pan_canvas import MAX_ZOOM as MAX_ZOOM  # re-exported
from qwen_studio.ui.compare.zoom_pan_canvas import MIN_ZOOM as MIN_ZOOM
from qwen_studio.ui.compare.zoom_pan_canvas import ZoomPanCanvas
from qwen_studio.ui.image_loading import release_later
from qwen_studio.ui.marks import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from qwen_studio.ui.compare.mask_tools import MaskController  # built with the region

BACKGROUND = QColor(0x3A, 0x3A, 0x3A)  # neutral: tinted surroundings bias colour judgement
PANE_GAP = QColor(0x2A, 0x2A, 0x2A)
NEAREST_ABOVE = 2.0  # beyond 200 % the user is pixel peeping: show hard pixel edges
WIPE_GRAB = 8  # how close (logical px) a press must be to grab the wipe divider

# Marked for translation here, translated where drawn (self.tr).
EMPTY_TEXT = QT_TRANSLATE_NOOP(
    "ImageCanvas", "Drop photos or paste (Ctrl+V) · Run with Ctrl+Enter · Hold Space to compare")


class ImageCanvas(ZoomPanCanvas):
    """Paints before/after in the current mode and handles pointer zoom, pan and wipe."""

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
        self._busy: str | None = None
        self._busy_phase = 0.0
        self._busy_timer = QTimer(self)
        self._busy_timer.setInterval(40)
        self._busy_timer.timeout.connect(self._tick_busy)
        self._gesture: str | None = None  # "pan", "wipe" or "out" while a button is down
        self._press_pos = QPointF()
        self._last_pos = QPointF()
        self._focus_ring = False
        self._checker: tuple[float, QImage] | None = None
        self.drag_out_enabled = False
        self.mask_host = CanvasMask(self)  # the region mask on "before" (issue #15)
        self._changes: ScaledImage | None = None  # the Changes mode's heatmap
        self._changes_caption = ""
        self._label_top = 0.0  # the corner labels' top: below a banner over the canvas

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

    # ----- painting ----------------------------------------------------------------------

    def set_label_top(self, y: float) -> None:
        """What covers the canvas' top edge ends at `y` (a notice banner; 0: nothing): the
        corner labels go below it, so "Before" stays readable while a banner shows."""
        if y != self._label_top:
            self._label_top = y
            self.update()

    def label_rects(self) -> list[QRectF]:
        """Where the corner labels are drawn now (canvas coordinates)."""
        after, caption = self._after_word(), self._changes_caption
        return [label_rect(pane, word, self.font(), side, self._label_top)[0]
                for pane, role in self.panes()
                for word, side in pane_labels(role, after, caption)]

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
            else:
                img = {"before": self._before, "after": self._after,
                       "changes": self._changes or self._before}[role]
                assert img is not None
                self._paint_image(p, pane, img, pane, dpr, nearest)
                if role == "before":
                    self.mask_host.paint(p, self.image_rect(pane, img), pane)
            for word, side in pane_labels(role, self._after_word(), self._changes_caption):
                paint_label(p, pane, word, self.font(), side, self._label_top)
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
