"""The words of a history row: its time, its prompt broken into two lines that fit, and
where the search's words are in it. Plain functions over QFontMetrics, made for the
delegate's paint (delegate.py), which calls them for every row it draws."""

from __future__ import annotations

import time

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics

_clocks: dict[int, str] = {}


def clock(ts: float) -> str:
    """HH:MM of a time (cached by minute: every row asks while painting)."""
    minute = int(ts // 60)
    s = _clocks.get(minute)
    if s is None:
        if len(_clocks) > 4096:
            _clocks.clear()
        s = _clocks[minute] = time.strftime("%H:%M", time.localtime(ts))
    return s


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
