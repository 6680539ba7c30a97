"""What every history row of a frame shares: the row's geometry, and the style (theme
and palette colours, fonts, icons as pixmaps, each status's look on each background)
made once per theme, palette, font and pixel ratio. The row painter (row_painter.py)
reads it for every row it draws."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPen, QPixmap

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui import theme
from qwen_studio.ui.history.row_text import RowFonts
from qwen_studio.ui.icons import draw_icon
from qwen_studio.ui.theme.status import status_colour, status_icon_name

# Geometry of a row (device-independent pixels). Every row is ROW tall: the day label has a
# band of its own at the top of each row, drawn only on the first row of a day.
THUMB = 56
INSET = 24
PAD = 8
HEADER = 24  # the day band, then PAD above the thumbnail
STAR = 20
INDENT = 18  # a batch's edits, under its row
ROW = HEADER + THUMB + PAD
BAND = HEADER - PAD  # the row's own area (which a selected or hovered row fills) starts here

# The background a row is drawn on: the list's, the selection's, the hovered row's.
PLAIN, SELECTED, HOVERED = 0, 1, 2
HINTS = QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform


def header_rect(x: int, top: int, width: int) -> QRect:
    """Where the day label is drawn: the band above the row's own area, so a selected or
    hovered row never paints over the label's glyphs."""
    return QRect(x + PAD, top + 1, width - 2 * PAD, HEADER - PAD - 1)


def star_rect(x: int, top: int, width: int) -> QRect:
    return QRect(x + width - 1 - PAD - STAR + 2, top + HEADER - 2, STAR, STAR)


class Look:
    """A status on one background: its readable colour, its icons, and the row's pens."""

    __slots__ = ("colour", "small_icon", "star_off", "subtle", "text", "thumb_icon")

    def __init__(self, colour: QColor, subtle: QColor, text: QColor, thumb_icon: QPixmap | None,
                 small_icon: QPixmap | None, star_off: QPixmap) -> None:
        self.colour, self.subtle, self.text = colour, subtle, text
        self.thumb_icon, self.small_icon, self.star_off = thumb_icon, small_icon, star_off


class RowStyle:
    """What every row of a frame shares: the theme's colours, the palette's, the fonts,
    and the looks and icons made from them (kept while the theme and palette stay)."""

    def __init__(self, scheme: str, palette: QPalette, fonts: RowFonts, dpr: float) -> None:
        t = theme.tokens(scheme)
        self.scheme, self.fonts, self.dpr = scheme, fonts, dpr
        self.c = {k: QColor(v) for k, v in t.items() if v.startswith("#")}
        self.list_bg = self.c["list"]
        self.thumb_bg = palette.color(QPalette.ColorRole.Base).darker(115)
        self.text = palette.color(QPalette.ColorRole.Text)
        self.backgrounds = (self.list_bg, self.c["row_selected"],
                            palette.color(QPalette.ColorRole.AlternateBase))
        self.header_pen = QColor(t["subtle"])
        self.rule_pen = QPen(self.c["rule"], 1)
        self.stack = [QColor(t["rule"]).lighter(100 + 20 * k) for k in (2, 1)]
        self.mark = QColor(self.c["accent"])
        self.mark.setAlpha(90)
        self.inset_ground, self.inset_pen = QColor("#101010"), QPen(QColor("#d0d0d0"), 1)
        self._icons: dict[tuple[str, int, int], QPixmap] = {}
        self.looks: dict[tuple[EditStatus, str, int], Look] = {}  # look()'s, read per row
        # The small lines' pen on each background: one object per background, so a pass
        # over rows sets it only when it changes.
        self.subtles = [theme.readable(self.header_pen, bg) for bg in self.backgrounds]
        self.star_on = self.icon("starred", self.c["star_on"], STAR - 4)

    def icon(self, name: str, colour: QColor, side: int) -> QPixmap:
        """The icon at `side` px in `colour`, as a pixmap of the screen's pixel ratio."""
        key = (name, colour.rgba(), side)
        pm = self._icons.get(key)
        if pm is None:
            px = max(1, round(side * self.dpr))
            image = QImage(px, px, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            p = QPainter(image)
            draw_icon(p, QRect(0, 0, px, px), name, colour)
            p.end()
            pm = self._icons[key] = QPixmap.fromImage(image)
            pm.setDevicePixelRatio(self.dpr)
        return pm

    def look(self, status: EditStatus, reason: str, kind: int) -> Look:
        """One look per status and reason (ui/theme/status.py: a budget skip is not a done
        one), on the row's background."""
        key = (status, reason, kind)
        got = self.looks.get(key)
        if got is None:
            bg = self.backgrounds[kind]
            colour = theme.readable(QColor(status_colour(status, self.scheme, reason)), bg)
            name = status_icon_name(status, reason)  # None: a newer library's status
            got = self.looks[key] = Look(
                colour, self.subtles[kind],
                self.c["row_selected_text"] if kind == SELECTED else self.text,
                self.icon(name, colour, THUMB * 3 // 7) if name else None,
                self.icon(name, colour, self.fonts.small_ascent) if name else None,
                self.icon("star", self.c["star_off_hover" if kind else "star_off"], STAR - 4))
        return got


__all__ = ["BAND", "HEADER", "HINTS", "HOVERED", "INDENT", "INSET", "PAD", "PLAIN", "ROW",
           "SELECTED", "STAR", "THUMB", "Look", "RowStyle", "header_rect", "star_rect"]
