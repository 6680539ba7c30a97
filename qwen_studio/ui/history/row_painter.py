"""How a history row looks, painted: one painter for the view (every row on screen in one
pass, list_view.py) and for the delegate (a row alone, delegate.py).

A fling shows each row for a frame or two, so what counts is a row's first paint: per frame
the theme's colours, the fonts and the palette are read once (`RowStyle`, row_style.py,
kept per theme, palette, font and pixel ratio); per row it is a few fills, blits and
prepared texts, drawn in passes over the rows (`paint_rows`). What
repeats across rows or frames is made once and kept: the prompt laid out in two lines
(row_text.Prompt, by prompt and width), the short texts (time, status, spend) with their
widths, the icons as pixmaps at the device's pixel ratio, each status's colour made
readable on each background. (Painting a row through Qt's delegate machinery, a style
option and a dozen icon and text helpers per row, cost ~0.3 ms a row: most of a fling's
work.)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QFont, QImage, QPainter, QPalette, QStaticText

from qwen_studio.ui import theme
from qwen_studio.ui.history.entries import BatchGroup, HistoryEntry, HistoryFilter, Row
from qwen_studio.ui.history.row_style import (
    BAND,
    HEADER,
    HINTS,
    HOVERED,
    INDENT,
    INSET,
    PAD,
    PLAIN,
    ROW,
    SELECTED,
    STAR,
    THUMB,
    Look,
    RowStyle,
    header_rect,
    star_rect,
)
from qwen_studio.ui.history.row_text import (
    KeptTexts,
    Prompt,
    RowFonts,
    match_rects,
    search_terms,
)

Thumbnails = Callable[[Path], QImage | None]
# A row to paint: the row, its day label, its background, focused, a batch's edit, open.
RowSpec = tuple[Row, str, int, bool, bool, bool]

_LEFT_MIDDLE = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_KEPT = 2000
_PROMPTS_KEPT = 500  # laid out prompts (~50 screens; a fling makes ~10 a frame)
_ICON_AT = (THUMB - 1) // 2 - THUMB * 3 // 7 // 2 + 1  # the status icon in an empty thumb


class RowFrame:
    """One paint: the style, what the search asked for, and where thumbnails come from."""

    __slots__ = ("style", "terms", "thumbnail")

    def __init__(self, style: RowStyle, terms: tuple[str, ...],
                 thumbnail: Thumbnails | None) -> None:
        self.style, self.terms, self.thumbnail = style, terms, thumbnail


class RowPainter(KeptTexts):
    """Paints history rows; keeps what rows and frames share (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._fonts: dict[str, RowFonts] = {}
        self._font: QFont | None = None  # the last base font and its RowFonts
        self._font_set: RowFonts | None = None
        self._styles: dict[tuple[str, int, int, float], RowStyle] = {}
        self._prompts: OrderedDict[tuple[str, int, int], Prompt] = OrderedDict()
        self._insets: OrderedDict[int, QImage] = OrderedDict()

    # -- per frame -----------------------------------------------------------------------------
    def fonts_for(self, base: QFont) -> RowFonts:
        if self._font_set is not None and base == self._font:
            return self._font_set  # every frame of a view has its font (key() is slow)
        key = base.key()
        f = self._fonts.get(key)
        if f is None:
            f = self._fonts[key] = RowFonts(base)
        self._font, self._font_set = QFont(base), f
        return f

    def frame(self, painter: QPainter, font: QFont, palette: QPalette, model: object
              ) -> RowFrame:
        """Begin a paint: theme tokens are read now, so a live light/dark switch shows on
        the next repaint."""
        fonts = self.fonts_for(font)
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        scheme = theme.current_scheme()
        key = (scheme, palette.cacheKey(), id(fonts), dpr)
        style = self._styles.get(key)
        if style is None:
            if len(self._styles) > 16:
                self._styles.clear()
            style = self._styles[key] = RowStyle(scheme, palette, fonts, dpr)
        flt = getattr(model, "filter", None)  # HistoryModel's: what the search asked for
        terms = search_terms(flt.text) if isinstance(flt, HistoryFilter) and flt.text else ()
        # HistoryModel's cache itself where it has one: its thumbnail() is a call more a row.
        cache = getattr(model, "thumbnails", None)
        source = getattr(cache, "get", None) or getattr(model, "thumbnail", None)
        return RowFrame(style, terms, source)

    def prompt(self, row: Row, fonts: RowFonts, width: int) -> Prompt:
        """The prompt in at most two lines that fit `width`, laid out (kept)."""
        raw = row.request.prompt if not isinstance(row, BatchGroup) or row.members else ""
        key = (raw, width, id(fonts))
        got = self._prompts.get(key)
        if got is None:
            got = self._prompts[key] = Prompt(" ".join(raw.split()), fonts, width)
            if len(self._prompts) > _PROMPTS_KEPT:
                self._prompts.popitem(last=False)
        return got

    def _inset(self, image: QImage) -> QImage:
        """The before image at the inset's size, scaled once (not on every paint)."""
        key = image.cacheKey()
        small = self._insets.get(key)
        if small is None:
            small = self._insets[key] = image.scaled(
                INSET, INSET, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                Qt.TransformationMode.SmoothTransformation)
            if len(self._insets) > _KEPT // 4:
                self._insets.popitem(last=False)
        return small

    # -- rows ----------------------------------------------------------------------------------
    def paint_row(self, p: QPainter, f: RowFrame, x: int, top: int, width: int, row: Row,
                  header: str, kind: int, focused: bool = False, member: bool = False,
                  expanded: bool = False, height: int = ROW) -> None:
        """One row (the delegate's): paint_rows() of it alone."""
        self.paint_rows(p, f, x, top, width, [(row, header, kind, focused, member, expanded)],
                        height)

    def paint_rows(self, p: QPainter, f: RowFrame, x: int, top: int, width: int,
                   rows: list[RowSpec], height: int = ROW) -> None:
        """Rows one under the other from `top`, each (row, day label, background, focused,
        a batch's edit, an open batch): the day label (first row of a day), the after
        thumbnail with the before inset, two lines of prompt, time · status (icon and word),
        spend, and a star. A batch row shows its newest result stacked, its counts and a
        chevron; its edits are indented under it. The rows' rects must be on the list's
        background already.

        Painted in passes over the rows (grounds, pictures and stars; prompts; the small
        lines; the statuses), each with its font set once and its pen set when it changes,
        where a row at a time set them four or five times a row. No row draws outside its
        own rect, and within a row the order is the same, so the pixels are too."""
        s = f.style
        fonts = s.fonts
        thumbnail = f.thumbnail
        looks, look_of = s.looks, s.look
        prompt_of = self.prompt
        backgrounds, thumb_bg = s.backgrounds, s.thumb_bg
        star_on = s.star_on
        fill, pixmap = p.fillRect, p.drawPixmap
        star_left = x + width - 1 - PAD - STAR + 2
        star_x = star_left + 2
        texts: list[tuple[Row, Look, int, int, int, int, bool, Prompt]] = []
        add = texts.append
        for row, header, kind, focused, member, expanded in rows:
            rtop = top + BAND
            if header:
                self._paint_header(p, s, x, top, width, header)
            if kind:
                fill(QRect(x, rtop, width, height - BAND), backgrounds[kind])
            if focused:
                p.setPen(s.c["accent"])
                p.drawRect(QRect(x, rtop, width - 1, height - BAND - 1))
            left = x + PAD
            if member:  # a guide line ties a batch's edits to its row
                left += INDENT
                p.setPen(s.rule_pen)
                gx = x + PAD + INDENT // 2 - 2
                p.drawLine(gx, top, gx, top + height - 1)

            # -- the after image large, the before as an inset -----------------------------
            ttop = rtop + PAD
            batch = isinstance(row, BatchGroup)
            if batch:  # a stack: two edges behind the newest result
                for k, colour in zip((2, 1), s.stack, strict=True):
                    fill(left + 2 * k, ttop - 2 * k, THUMB, THUMB, colour)
            fill(left, ttop, THUMB, THUMB, thumb_bg)
            status, reason = row.status, row.reason
            look = looks.get((status, reason, kind)) or look_of(status, reason, kind)
            if thumbnail is not None:
                after_p, before_p = row.after_path(), row.before_path()
                after = thumbnail(after_p) if after_p is not None else None
                before = thumbnail(before_p) if before_p is not None else None
            else:
                after = before = None
            if after is not None:
                _draw_fitted(p, after, QRect(left, ttop, THUMB, THUMB), crop=True)  # a grid
                if before is not None and not batch:
                    inset = QRect(left + 2, ttop + THUMB - 1 - INSET - 1, INSET, INSET)
                    fill(inset.adjusted(-1, -1, 1, 1), s.inset_ground)
                    p.drawImage(inset, self._inset(before))
                    p.setPen(s.inset_pen)
                    p.drawRect(inset.adjusted(-1, -1, 0, 0))
            else:
                if before is not None:
                    p.setOpacity(0.45)  # no result: the input, dimmed, under the status
                    _draw_fitted(p, before, QRect(left, ttop, THUMB, THUMB))
                    p.setOpacity(1.0)
                if look.thumb_icon is not None:
                    pixmap(left + _ICON_AT, ttop + _ICON_AT, look.thumb_icon)

            pixmap(star_x, top + HEADER, star_on if row.favourite else look.star_off)
            text_left = left + THUMB - 1 + PAD + 2
            add((row, look, top, rtop, text_left, star_left - 4 - text_left,
                 batch and expanded, prompt_of(row, fonts, star_left - 4 - text_left)))
            top += height

        # -- prompts: the search's words marked under the text ------------------------------
        terms, mark, line_h = f.terms, s.mark, fonts.line_h
        p.setFont(fonts.text)  # what the texts were prepared with (else laid out again)
        pen = None
        draw_static = p.drawStaticText
        for _row, look, _top, rtop, text_left, text_w, _open, prompt in texts:
            ptop = rtop + PAD - 1
            if terms and prompt.text:
                area = QRect(text_left, ptop, text_w, line_h * 2)
                for rect in match_rects(prompt.shown, terms, fonts.text_fm, area):
                    fill(rect, mark)
            if look.text is not pen:  # palette text, so the row reads in the light theme too
                pen = look.text
                p.setPen(pen)
            layout = prompt.layout
            if prompt.whole and layout is not None:  # lines where the layout put them
                layout.draw(p, QPointF(text_left, ptop))  # one call draws both
                continue
            for line, dy in prompt.lines:
                line.draw(p, QPointF(text_left, ptop + dy))
            for st, y in prompt.statics:
                draw_static(text_left, ptop + y, st)
        self._paint_small_lines(p, s, x + width - 1 - PAD, height, texts)

    def _paint_small_lines(self, p: QPainter, s: RowStyle, right_edge: int, height: int,
                           texts: list[tuple[Row, Look, int, int, int, int, bool, Prompt]]
                           ) -> None:
        """Time or chevron and spend (the row's subtle pen), then the status's icon and
        word (its colour): the parts never overlap, so drawing them in two passes draws
        the same pixels."""
        fonts = s.fonts
        sfm, small = fonts.small_fm, fonts.small
        side = fonts.small_ascent  # icons as tall as the words' capitals and ascenders
        gap, small_h = fonts.gap, fonts.small_h
        clock_text, text_of, status_of = self.clock_text, self.text, self.status
        draw_static, pixmap = p.drawStaticText, p.drawPixmap
        p.setFont(small)
        pen = None
        statuses: list[tuple[Look, int, int, QStaticText]] = []
        for row, look, top, _rtop, text_left, _w, expanded, _prompt in texts:
            y = top + height - PAD - small_h
            right = right_edge
            if look.subtle is not pen:
                pen = look.subtle
                p.setPen(pen)
            if isinstance(row, BatchGroup):  # a chevron: the batch opens and closes
                pixmap(text_left, y + (small_h - side) // 2,
                       s.icon("collapse" if expanded else "expand", look.subtle, side))
                tx = text_left + side + gap
            else:
                st, w = clock_text(row.created, small, sfm)
                draw_static(text_left, y, st)
                tx = text_left + w + gap
            spend = row.spend
            if spend:  # the estimate, made when the row changed (rows.py), right-aligned
                room = (right - text_left) * 3 // 5
                st, w = text_of(spend, small, sfm)
                spend_w = min(w + 2, room)  # elidedText wants a hair more
                if w + 2 > room:
                    st, w = text_of(self.elide(spend, sfm, room), small, sfm)
                draw_static(right - w, y, st)
                right -= spend_w + PAD
            room = right - tx - (side + 4 if look.small_icon is not None else 0)
            statuses.append((look, tx, y, status_of(row, small, sfm, room)))
        for look, tx, y, st in statuses:
            if look.small_icon is not None:
                pixmap(tx, y + (small_h - side) // 2, look.small_icon)
                tx += side + 4
            if look.colour is not pen:
                pen = look.colour
                p.setPen(pen)
            draw_static(tx, y, st)

    def _paint_header(self, p: QPainter, s: RowStyle, x: int, top: int, width: int,
                      header: str) -> None:
        p.setFont(s.fonts.header)
        p.setPen(s.header_pen)
        hr = header_rect(x, top, width)
        label = header.upper()
        p.drawText(hr, _LEFT_MIDDLE, label)
        lx = hr.left() + s.fonts.header_fm.horizontalAdvance(label) + 8
        p.setPen(s.rule_pen)
        # A crisp hairline: antialiased on a whole-pixel y it smears over two rows.
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.drawLine(lx, hr.center().y(), hr.right(), hr.center().y())
        p.setRenderHint(QPainter.RenderHint.Antialiasing)


def _draw_fitted(painter: QPainter, image: QImage, rect: QRect, crop: bool = False) -> None:
    if image.width() == image.height() and crop:  # the cache's squares: a plain copy
        painter.drawImage(rect, image)
        return
    mode = (Qt.AspectRatioMode.KeepAspectRatioByExpanding if crop
            else Qt.AspectRatioMode.KeepAspectRatio)
    size = image.size().scaled(rect.size(), mode)
    target = QRect(0, 0, size.width(), size.height())
    target.moveCenter(rect.center())
    painter.save()
    painter.setClipRect(rect)
    painter.drawImage(target, image)
    painter.restore()


__all__ = ["BAND", "HEADER", "HINTS", "HOVERED", "INDENT", "INSET", "PAD", "PLAIN", "ROW",
           "SELECTED", "STAR", "THUMB", "HistoryEntry", "RowFonts", "RowFrame", "RowPainter",
           "RowSpec", "RowStyle", "header_rect", "star_rect"]
