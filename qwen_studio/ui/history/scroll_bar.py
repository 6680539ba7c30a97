"""The history list's scroll bar: the style's own look, drawn from kept pictures.

In a fling the bar repaints every frame. Fusion draws it from scratch each time (its groove,
arrows and handle: ~0.7 ms of CPU a repaint, part of it in Qt's worker threads, measured
offscreen), which was a quarter of a 10,000 edit fling's work. Here the style draws the
groove once, the arrows once and the handle once, each kept while the bar's size, state,
palette and the handle's length stay; a repaint is three blits, in the style's order. Hit
testing, dragging and paging stay QScrollBar's, and the handle is drawn where the style
says it is.

The style's groove leaves pixels transparent, so each repaint of the bar also repainted the
window's widgets under it (the list's style sheet background and rounded frame: ~0.1-0.2 ms
a frame of a fling, measured offscreen). The bar grabs what the window shows under it once
(after the paint that needed it: the window drawn without the bar), draws its groove on that
and tells Qt it is opaque: the same pixels without the widgets under it. The grab is dropped
before any paint it could be wrong for: the bar resized or moved, focus moved (the list's
frame changes colour with it), the window (de)activated, a style, palette or enabled change;
and checked again when the bar is found elsewhere in the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import (
    QImage,
    QMoveEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QApplication, QScrollBar, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyle, QStyleOptionSlider

_MARGIN = 2
# The first paints are the style's own: the kept pictures need QStyle's enums, and touching
# QStyle from Python costs ~9 ms (PySide builds its types), which must not land before the
# window's first frame. A fling repaints the bar hundreds of times.
PLAIN_PAINTS = 2
_OPAQUE = Qt.WidgetAttribute.WA_OpaquePaintEvent
_RESTYLED = (QEvent.Type.StyleChange, QEvent.Type.PaletteChange, QEvent.Type.EnabledChange,
             QEvent.Type.ActivationChange)


class _Parts:
    """QStyle's names for the bar's parts, made on the first kept paint."""

    def __init__(self) -> None:
        from PySide6.QtWidgets import QStyle, QStyleOptionSlider

        sc = QStyle.SubControl
        self.option = QStyleOptionSlider
        self.cc = QStyle.ComplexControl.CC_ScrollBar
        self.slider = sc.SC_ScrollBarSlider
        self.groove = sc(sc.SC_ScrollBarAddPage.value | sc.SC_ScrollBarSubPage.value
                         | sc.SC_ScrollBarFirst.value | sc.SC_ScrollBarLast.value
                         | sc.SC_ScrollBarGroove.value)
        self.arrows = sc(sc.SC_ScrollBarAddLine.value | sc.SC_ScrollBarSubLine.value)


_parts: _Parts | None = None


class KeptScrollBar(QScrollBar):
    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None, *,
                 plain_paints: int = PLAIN_PAINTS) -> None:
        super().__init__(orientation, parent)
        self._groove: tuple[tuple[object, ...], QPixmap, QPixmap] | None = None
        self._handle: tuple[tuple[object, ...], QPixmap, QPoint] | None = None
        self._plain = plain_paints
        # What lies under the bar: (where and how, the window's pixels there), and the
        # groove drawn on them (keyed by the groove's look and the grab).
        self._ground: tuple[tuple[object, ...], QPixmap] | None = None
        self._on_ground: tuple[tuple[object, ...], QPixmap] | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._drop_ground)

    def _render(self, opt: QStyleOptionSlider, parts: QStyle.SubControl) -> QPixmap:
        dpr = self.devicePixelRatioF()
        pm = QPixmap(self.size() * dpr)
        pm.setDevicePixelRatio(dpr)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        opt.subControls = parts
        assert _parts is not None
        self.style().drawComplexControl(_parts.cc, opt, p, self)
        p.end()
        return pm

    def _ground_key(self) -> tuple[object, ...]:
        return (self.size(), self.mapTo(self.window(), QPoint(0, 0)),
                self.palette().cacheKey(), self.devicePixelRatioF(), self.style())

    def _drop_ground(self, *_args: object) -> None:
        """What lies under the bar may change now: Qt paints it again, until a new grab."""
        self._ground = None
        self.setAttribute(_OPAQUE, False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in _RESTYLED:
            self._drop_ground()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._drop_ground()
        super().resizeEvent(event)

    def moveEvent(self, event: QMoveEvent) -> None:
        self._drop_ground()
        super().moveEvent(event)

    def _take_ground(self, event: QPaintEvent) -> None:
        """At the start of a see-through paint of the whole bar, the window's backing store
        holds exactly what Qt painted under the bar: kept, it is the bar's to paint from the
        next paint on. (A render of the window draws the frame's antialiased corner a shade
        differently: only the store's own pixels are the same.)"""
        if event.rect() != self.rect():
            return
        win = self.window()
        store = win.backingStore() if win is not self else None
        device = store.paintDevice() if store is not None else None
        if not isinstance(device, QImage):
            return  # not a raster store: Qt keeps painting under the bar
        dpr = self.devicePixelRatioF()
        if dpr != int(dpr):
            return  # a fractional scale: where the bar's pixels start is a rounding away
        at = self.mapTo(win, QPoint(0, 0))
        image = device.copy(QRect(round(at.x() * dpr), round(at.y() * dpr),
                                  round(self.width() * dpr), round(self.height() * dpr)))
        image.setDevicePixelRatio(dpr)
        self._ground = (self._ground_key(), QPixmap.fromImage(image))
        self.setAttribute(_OPAQUE, True)

    def _groove_on_ground(self) -> QPixmap:
        """The groove drawn on what lies under the bar (kept)."""
        assert self._groove is not None and self._ground is not None
        ground = self._ground[1]
        key = (self._groove[0], ground.cacheKey())
        if self._on_ground is None or self._on_ground[0] != key:
            image = ground.toImage()  # the window's format (see _take_ground)
            p = QPainter(image)
            p.drawPixmap(0, 0, self._groove[1])
            p.end()
            self._on_ground = (key, QPixmap.fromImage(image))
        return self._on_ground[1]

    def paintEvent(self, event: QPaintEvent) -> None:
        global _parts
        if self._plain > 0:
            self._plain -= 1
            super().paintEvent(event)
            return
        parts = _parts = _parts or _Parts()
        opt: Any = parts.option()
        self.initStyleOption(opt)
        handle = self.style().subControlRect(parts.cc, opt, parts.slider, self)
        # The arrows grey out at either end.
        look = (self.size(), opt.state.value, opt.activeSubControls.value,
                opt.palette.cacheKey(), self.devicePixelRatioF(), self.style(),
                opt.sliderValue <= opt.minimum, opt.sliderValue >= opt.maximum)
        if self._groove is None or self._groove[0] != look:
            self._groove = (look, self._render(opt, parts.groove),
                            self._render(opt, parts.arrows))
        ground = self._ground
        opaque = ground is not None and self.testAttribute(_OPAQUE)
        if not opaque:
            self._take_ground(event)  # for the next paints; this one is on Qt's
        elif ground is not None and ground[0] != self._ground_key():
            # Found elsewhere in the window (an ancestor moved, the bar did not): this paint
            # draws the last ground, the next one Qt's, and takes it again.
            self._drop_ground()
            self.update()
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._groove_on_ground() if opaque else self._groove[1])
        if handle.isValid() and self.minimum() < self.maximum():
            key = (*look, handle.size())
            if self._handle is None or self._handle[0] != key:
                self._handle = (key, self._render(opt, parts.slider), handle.topLeft())
            _key, pm, at = self._handle
            # The style draws the handle's outline just outside its rect: a margin with it.
            target = handle.adjusted(-_MARGIN, -_MARGIN, _MARGIN, _MARGIN)
            dpr = pm.devicePixelRatio()
            source = QRect(round((at.x() - _MARGIN) * dpr), round((at.y() - _MARGIN) * dpr),
                           round(target.width() * dpr), round(target.height() * dpr))
            painter.drawPixmap(target, pm, source)
        painter.drawPixmap(0, 0, self._groove[2])  # the arrows over the handle, as the style
        painter.end()
