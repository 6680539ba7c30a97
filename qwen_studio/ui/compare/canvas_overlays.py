"""What the compare canvas paints over its images: the wipe divider, the corner labels
and the empty canvas's shortcut card (split from image_canvas.py)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from qwen_studio.ui.marks import QT_TRANSLATE_NOOP

HANDLE_RADIUS = 13

# Marked for translation here, translated where drawn (context "ImageCanvas").
EMPTY_TITLE = QT_TRANSLATE_NOOP("ImageCanvas", "Nothing to compare yet")
_EMPTY_ROWS = ((QT_TRANSLATE_NOOP("ImageCanvas", "Drop photos or paste"), "Ctrl+V"),
               (QT_TRANSLATE_NOOP("ImageCanvas", "Run the edit"), "Ctrl+Enter"),
               (QT_TRANSLATE_NOOP("ImageCanvas", "Hold to compare"), "Space"))


BEFORE = QT_TRANSLATE_NOOP("ImageCanvas", "Before")
CHANGES = QT_TRANSLATE_NOOP("ImageCanvas", "Changes")


def _tr(text: str) -> str:
    return QCoreApplication.translate("ImageCanvas", text)


def paint_divider(p: QPainter, pane: QRectF, x: float) -> None:
    # The wipe's, pill's and spinner's Qt classes are realised when first drawn: an empty
    # canvas (the first frame) draws none of them (~0.35 ms of PySide's class set-up).
    from PySide6.QtGui import QPolygonF

    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(QPen(QColor(0, 0, 0, 90), 3))
    p.drawLine(QPointF(x, pane.top()), QPointF(x, pane.bottom()))
    p.setPen(QPen(QColor(245, 245, 245, 230), 1))
    p.drawLine(QPointF(x, pane.top()), QPointF(x, pane.bottom()))
    c = QPointF(x, pane.center().y())
    p.setPen(QPen(QColor(0, 0, 0, 70), 1))
    p.setBrush(QColor(245, 245, 245, 235))
    p.drawEllipse(c, HANDLE_RADIUS, HANDLE_RADIUS)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(0x44, 0x44, 0x44))
    for sign in (-1, 1):
        tip = c.x() + sign * 8
        base = c.x() + sign * 3
        p.drawPolygon(QPolygonF([QPointF(tip, c.y()), QPointF(base, c.y() - 4.5),
                                 QPointF(base, c.y() + 4.5)]))


def pill(p: QPainter, rect: QRectF, text: str, font: QFont) -> None:
    from PySide6.QtGui import QPainterPath

    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    path = QPainterPath()
    path.addRoundedRect(rect, rect.height() / 2, rect.height() / 2)
    p.fillPath(path, QColor(20, 20, 20, 170))
    p.setFont(font)
    p.setPen(QColor(0xEE, 0xEE, 0xEE))
    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def label_rect(pane: QRectF, text: str, base: QFont, side: Qt.AlignmentFlag,
               top: float = 0.0) -> tuple[QRectF, QFont]:
    """Where a corner label ("Before", "After"…) goes in `pane`, and its font: 10 px in
    from the corner, and below `top` (what covers the canvas' top edge, e.g. a banner)."""
    font = QFont(base)
    font.setPointSizeF(max(7.5, font.pointSizeF() * 0.9))
    font.setWeight(QFont.Weight.DemiBold)
    metrics = QFontMetricsF(font)
    w = metrics.horizontalAdvance(text) + 18
    h = metrics.height() + 6
    x = pane.left() + 10 if side == Qt.AlignmentFlag.AlignLeft else pane.right() - 10 - w
    return QRectF(x, max(pane.top(), top) + 10, w, h), font


def pane_labels(role: str, after_word: str,
                changes_caption: str) -> list[tuple[str, Qt.AlignmentFlag]]:
    """The corner labels of a pane showing `role` ("before", "after", "wipe", "changes"):
    (word, side)."""
    left = Qt.AlignmentFlag.AlignLeft
    if role == "wipe":
        return [(_tr(BEFORE), left), (after_word, Qt.AlignmentFlag.AlignRight)]
    word = {"before": _tr(BEFORE), "after": after_word,
            "changes": " · ".join(x for x in (_tr(CHANGES), changes_caption) if x)}[role]
    return [(word, left)]


def paint_label(p: QPainter, pane: QRectF, text: str, base: QFont,
                side: Qt.AlignmentFlag, top: float = 0.0) -> None:
    rect, font = label_rect(pane, text, base, side, top)
    pill(p, rect, text, font)


def paint_empty(p: QPainter, full: QRectF, base: QFont) -> None:
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    title_font = QFont(base)
    title_font.setPointSizeF(title_font.pointSizeF() * 1.35)
    body = QFont(base)
    key_font = QFont(base)
    key_font.setPointSizeF(max(7.5, key_font.pointSizeF() * 0.9))
    tm, bm, km = QFontMetricsF(title_font), QFontMetricsF(body), QFontMetricsF(key_font)
    row_h = max(bm.height(), km.height() + 8) + 8
    total_h = tm.height() + 18 + row_h * len(_EMPTY_ROWS)
    top = full.center().y() - total_h / 2
    p.setFont(title_font)
    p.setPen(QColor(0xD8, 0xD8, 0xD8))
    p.drawText(QRectF(full.left(), top, full.width(), tm.height()),
               Qt.AlignmentFlag.AlignCenter, _tr(EMPTY_TITLE))
    y = top + tm.height() + 18
    gap = 12
    cx = full.center().x()
    for label, key in _EMPTY_ROWS:
        p.setFont(body)
        p.setPen(QColor(0xA8, 0xA8, 0xA8))
        p.drawText(QRectF(full.left(), y, cx - gap / 2 - full.left(), row_h),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   _tr(label))
        kw = km.horizontalAdvance(key) + 14
        kh = km.height() + 6
        cap = QRectF(cx + gap / 2, y + (row_h - kh) / 2, kw, kh)
        p.setPen(QPen(QColor(0x8A, 0x8A, 0x8A), 1))
        p.setBrush(QColor(0x46, 0x46, 0x46))
        p.drawRoundedRect(cap.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        p.setFont(key_font)
        p.setPen(QColor(0xE0, 0xE0, 0xE0))
        p.drawText(cap, Qt.AlignmentFlag.AlignCenter, key)
        y += row_h


def busy_rect(full: QRectF, text: str, font: QFont) -> QRectF:
    metrics = QFontMetricsF(font)
    h = metrics.height() + 14
    w = metrics.horizontalAdvance(text) + h + 28  # room for the spinner
    return QRectF(full.center().x() - w / 2, full.bottom() - h - 24, w, h)


def paint_busy(p: QPainter, rect: QRectF, text: str, phase: float, font: QFont) -> None:
    """One calm pill: a turning arc and the words, nothing else on the canvas moves."""
    from PySide6.QtGui import QPainterPath

    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    path = QPainterPath()
    path.addRoundedRect(rect, rect.height() / 2, rect.height() / 2)
    p.fillPath(path, QColor(20, 20, 20, 180))
    d = rect.height() - 14
    arc = QRectF(rect.left() + 12, rect.top() + 7, d, d)
    p.setPen(QPen(QColor(255, 255, 255, 60), 2))
    p.drawEllipse(arc)
    p.setPen(QPen(QColor(0xEE, 0xEE, 0xEE), 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawArc(arc, int(-phase * 180 * 16), 90 * 16)
    p.setFont(font)
    p.drawText(rect.adjusted(d + 18, 0, -12, 0), Qt.AlignmentFlag.AlignVCenter, text)
