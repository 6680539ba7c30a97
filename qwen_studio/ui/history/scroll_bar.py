"""The history list's scroll bar: the style's own look, drawn from kept pictures.

In a fling the bar repaints every frame. Fusion draws it from scratch each time (its groove,
arrows and handle: ~0.7 ms of CPU a repaint, part of it in Qt's worker threads, measured
offscreen), which was a quarter of a 10,000 edit fling's work. Here the style draws the
groove once, the arrows once and the handle once, each kept while the bar's size, state,
palette and the handle's length stay; a repaint is three blits, in the style's order. Hit
testing, dragging and paging stay QScrollBar's, and the handle is drawn where the style
says it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QScrollBar, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyle, QStyleOptionSlider

_MARGIN = 2
# The first paints are the style's own: the kept pictures need QStyle's enums, and touching
# QStyle from Python costs ~9 ms (PySide builds its types), which must not land before the
# window's first frame. A fling repaints the bar hundreds of times.
PLAIN_PAINTS = 2


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
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._groove[1])
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
