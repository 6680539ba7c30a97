"""The words of a history row: its fonts, its time, its prompt broken into two lines that
fit (laid out once, `Prompt`), and where the search's words are in it. Made for the row
painter (row_painter.py), which asks for them for every row it draws."""

from __future__ import annotations

import time
from collections import OrderedDict

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QStaticText, QTextLayout

from qwen_studio.ui.history.entries import Row

_KEPT = 2000  # prepared short texts (times, statuses, spends)
_MARGIN = 16  # characters a cut prompt runs on past its third line (Prompt)

_offsets: dict[int, int | None] = {}  # UTC day -> its local UTC offset (None: it changes)
_HHMM = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(1440))


def minute_of_day(ts: float) -> int:
    """The local minute of the day (0-1439) of a time: from the day's UTC offset, found
    once a day (a fling asks for thousands of rows, each a different minute), or from
    localtime on a day whose offset changes (daylight saving)."""
    day = int(ts // 86400)
    off = _offsets.get(day, 0)
    if off == 0 and day not in _offsets:
        if len(_offsets) > 4096:
            _offsets.clear()
        start = day * 86400
        a, b = time.localtime(start).tm_gmtoff, time.localtime(start + 86399).tm_gmtoff
        off = _offsets[day] = a if a == b else None
    if off is None:
        t = time.localtime(ts)
        return t.tm_hour * 60 + t.tm_min
    return int((ts + off) // 60) % 1440


def clock(ts: float) -> str:
    """HH:MM of a time, in local time."""
    return _HHMM[minute_of_day(ts)]


def search_terms(text: str) -> tuple[str, ...]:
    """The search box's words, lower-cased, longest first (a longer word wins an overlap)."""
    words = {w.strip('"*').casefold() for w in text.split()}
    return tuple(sorted((w for w in words if w), key=len, reverse=True))


def match_spans(line: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where `terms` occur in `line` (case-insensitive), as sorted non-overlapping spans."""
    low = line.casefold()
    if len(low) != len(line):  # casefold changed lengths (ß -> ss): fall back to lower()
        low = line.lower()
    taken = [False] * len(line)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = low.find(term)
        while start != -1:
            end = start + len(term)
            if end <= len(line) and not any(taken[start:end]):
                spans.append((start, end))
                taken[start:end] = [True] * (end - start)
            start = low.find(term, start + 1)
    return sorted(spans)


def match_rects(shown: str, terms: tuple[str, ...], fm: QFontMetrics,
                rect: QRect) -> list[QRect]:
    """Rectangles behind the matched words of `shown` (one or two lines, left/top aligned)."""
    out = []
    for i, line in enumerate(shown.split("\n")):
        y = rect.top() + i * fm.lineSpacing()
        for a, b in match_spans(line, terms):
            x = rect.left() + fm.horizontalAdvance(line[:a])
            w = fm.horizontalAdvance(line[a:b])
            out.append(QRect(x, y, w, fm.height()).intersected(rect))
    return out


def elide_two_lines(text: str, fm: QFontMetrics, width: int) -> str:
    if fm.horizontalAdvance(text) <= width:
        return text
    words = text.split(" ")
    # The most words the first line holds, by halving: a few measures, not one per word.
    lo, hi = 0, len(words) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fm.horizontalAdvance(" ".join(words[:mid])) <= width:
            lo = mid
        else:
            hi = mid - 1
    if not lo:  # one very long word
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
    rest = fm.elidedText(" ".join(words[lo:]), Qt.TextElideMode.ElideRight, width)
    return f"{' '.join(words[:lo])}\n{rest}"


class RowFonts:
    """The fonts and metrics of one base font (made once, not per painted row)."""

    def __init__(self, base: QFont) -> None:
        self.text = QFont(base)
        self.text_fm = QFontMetrics(self.text)
        self.small = QFont(base)
        self.small.setPointSizeF(max(7.0, base.pointSizeF() * 0.88))
        self.small_fm = QFontMetrics(self.small)
        self.header = QFont(base)
        self.header.setPointSizeF(max(7.0, base.pointSizeF() * 0.8))
        self.header.setBold(True)
        self.header.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 0.6)
        self.header_fm = QFontMetrics(self.header)
        # Per frame these are read for every row: plain ints, read once.
        self.line_h, self.line_step = self.text_fm.height(), self.text_fm.lineSpacing()
        self.small_h, self.small_ascent = self.small_fm.height(), self.small_fm.ascent()
        self.gap = self.small_fm.horizontalAdvance("  ")
        self.ascent = self.text_fm.ascent()
        self.second_line = QPointF(0, self.line_step)  # where a prompt's second line starts


class Prompt:
    """A prompt in at most two lines that fit a width, the second elided: laid out once by
    QTextLayout (one shaping of the text finds the break and gives the glyphs to draw),
    where measuring candidate breaks word by word shaped it five to eight times a row.
    It breaks where Unicode allows (between words, and between CJK characters); a first
    word wider than the line is elided on one line. `shown` is the text as drawn, a line a
    line (for the search marks)."""

    __slots__ = ("layout", "lines", "shown", "statics", "text", "whole")

    def __init__(self, text: str, fonts: RowFonts, width: int) -> None:
        self.text = text
        shown = text or "(no prompt)"
        # A long prompt is laid out from its start only (a 2,000 character prompt shows
        # ~60): enough for three lines and _MARGIN characters more, so its two lines break
        # and elide as the whole text's do. Else (narrow glyphs) the whole text is.
        cut = 3 * width // 2 + _MARGIN
        if len(shown) <= cut or not self._lay_out(shown[:cut], fonts, width, cut=True):
            self._lay_out(shown, fonts, width)

    def _lay_out(self, shown: str, fonts: RowFonts, width: int, cut: bool = False) -> bool:
        """Lay out `shown`; False (and nothing kept) when `shown` is a cut text that may
        not break or elide as the whole text does: unless a third line starts and ends
        _MARGIN characters before the cut, the line breaks and the elision (which depend on
        a character or two after them) might see the cut."""
        layout = QTextLayout(shown, fonts.text)
        # Keep the shaped glyphs: else endLayout() drops them and drawing shapes the text
        # again (~7% of a fling's paint, measured).
        layout.setCacheEnabled(True)
        layout.beginLayout()
        first = layout.createLine()
        first.setLineWidth(width)
        n = first.textLength()
        second = None
        if n < len(shown):
            second = layout.createLine()
            second.setLineWidth(width)
            second.setPosition(fonts.second_line)
        if cut:
            used = n + (second.textLength() if second is not None else 0)
            if used < len(shown):
                third = layout.createLine()
                third.setLineWidth(width)
                used += third.textLength()
            if used > len(shown) - _MARGIN:
                layout.endLayout()
                return False
        layout.endLayout()
        self.layout = layout
        self.statics: tuple[tuple[QStaticText, int], ...] = ()
        self.whole = False
        ascent = fonts.ascent
        if first.naturalTextWidth() > width:  # one word wider than the line
            self.layout, self.lines = None, []
            self.shown = fonts.text_fm.elidedText(shown, Qt.TextElideMode.ElideRight, width)
            self.statics = ((_prepared(self.shown, fonts.text), 0),)
            return True
        # Each line's baseline where a line of the row's font has it.
        dy = ascent - first.ascent()
        self.lines = [(first, dy)]
        self.shown = shown[:n].rstrip(" ")
        if second is None:
            self.whole = dy == 0
            return True
        rest, step = shown[n:], fonts.line_step
        if second.textLength() >= len(rest):
            dy2 = ascent + step - second.y() - second.ascent()
            self.lines.append((second, dy2))
            self.shown += "\n" + rest
            # Both baselines where the layout put them (no taller fallback glyphs): the
            # layout draws itself in one call, as its lines would.
            self.whole = dy == 0 and dy2 == 0 and layout.lineCount() == 2
        else:
            tail = fonts.text_fm.elidedText(rest, Qt.TextElideMode.ElideRight, width)
            self.statics = ((_prepared(tail, fonts.text), step),)
            self.shown += "\n" + tail
        return True


class KeptTexts:
    """The short texts that repeat across rows (times, statuses, spends), each laid out
    once and kept (by its words, so a row that changes finds its new text): the row
    painter's."""

    def __init__(self) -> None:
        self._texts: OrderedDict[tuple[str, int], tuple[QStaticText, int]] = OrderedDict()
        self._elided: dict[tuple[str, int, int], str] = {}
        self._clocks: dict[tuple[int, int], tuple[QStaticText, int]] = {}
        self._statuses: dict[tuple[tuple[str, ...], int, int], QStaticText] = {}

    def text(self, text: str, font: QFont, fm: QFontMetrics) -> tuple[QStaticText, int]:
        """A short text that repeats across rows (time, status, spend), laid out once, and
        its width: drawing it is a copy of its glyphs, where drawText lays it out again."""
        key = (text, id(fm))
        got = self._texts.get(key)
        if got is None:
            st = QStaticText(text)
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.prepare(font=font)
            got = self._texts[key] = (st, fm.horizontalAdvance(text))
            if len(self._texts) > _KEPT:
                self._texts.popitem(last=False)
        return got

    def clock_text(self, ts: float, font: QFont, fm: QFontMetrics) -> tuple[QStaticText, int]:
        """text() of the row's HH:MM, found by its minute of the day (1,440 at most)."""
        m = minute_of_day(ts)
        key = (m, id(fm))
        got = self._clocks.get(key)
        if got is None:
            if len(self._clocks) > _KEPT:
                self._clocks.clear()
            got = self._clocks[key] = self.text(clock(ts), font, fm)
        return got

    def status(self, row: Row, font: QFont, fm: QFontMetrics, room: int) -> QStaticText:
        """The row's status in `room`: the longest of its forms that fits whole
        (status_texts(): "done in 12 s · 3 images", "done in 12 s", "done"; "done in …"
        says less than a whole "done"), else its shortest elided."""
        texts = row.status_texts()
        key = (texts, room, id(fm))
        got = self._statuses.get(key)
        if got is None:
            if len(self._statuses) > _KEPT:
                self._statuses.clear()
            shown = ""
            for text in texts:
                shown = self.elide(text, fm, room)
                if shown == text:
                    break
            got = self._statuses[key] = self.text(shown, font, fm)[0]
        return got

    def elide(self, text: str, fm: QFontMetrics, width: int) -> str:
        key = (text, width, id(fm))
        out = self._elided.get(key)
        if out is None:
            if len(self._elided) > _KEPT:
                self._elided.clear()
            out = self._elided[key] = fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
        return out


def _prepared(text: str, font: QFont) -> QStaticText:
    st = QStaticText(text)
    st.setTextFormat(Qt.TextFormat.PlainText)
    st.prepare(font=font)
    return st
