"""How a history row looks, and the view that shows the rows.

Every row is the same height (the day label has its own band at the top of each row, drawn
only on the first row of a day), and the view is a one-column QTableView with fixed row
heights: it never lays rows out one by one. A QListView does, on every page that arrives,
calling into the Python model for each of 10,000 rows (1,000,000 calls to page in a 10,000
edit history, profiled; 110 ms stalls). Painting reads the model directly (no QVariant round
trips) and keeps fonts, metrics, readable colours and elided prompts cached.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeAlias

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from qwen_studio.ui import theme
from qwen_studio.ui.history.entries import (
    BatchGroup,
    EntryRole,
    HeaderRole,
    HistoryEntry,
    HistoryFilter,
    Row,
)
from qwen_studio.ui.history.model import HistoryModel
from qwen_studio.ui.icons import draw_icon
from qwen_studio.ui.theme.status import status_colour, status_icon_name

_Index: TypeAlias = QModelIndex | QPersistentModelIndex
_ELIDED_MAX = 2000
# Flags as plain ints, made once: enum arithmetic per painted row adds up in a fling.
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft)
_RIGHT = int(Qt.AlignmentFlag.AlignRight)
_LEFT_TOP = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # lines made already
_LEFT_MIDDLE = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
# QStyle.StateFlag values (importing QStyle builds its 11 enums, ~5 ms, before the first
# frame); Qt's enum values are stable across versions.
_SELECTED = 0x8000  # State_Selected
_HOVERED = 0x2000  # State_MouseOver
_FOCUSED = 0x0100  # State_HasFocus


class _Fonts:
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


class HistoryDelegate(QStyledItemDelegate):
    """Day label (first row of a day), the after thumbnail with the before inset, two lines
    of prompt, time · status (icon and word), and a star you can click. A batch row shows
    its newest result stacked, its counts, and a chevron; its edits are indented under it."""

    starClicked = Signal(QModelIndex)

    THUMB = 56
    INSET = 24
    PAD = 8
    HEADER = 24  # the day band at the top of every row, then PAD above the thumbnail
    STAR = 20
    INDENT = 18  # a batch's edits, under its row
    ROW = HEADER + THUMB + PAD

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fonts: dict[str, _Fonts] = {}
        self._readable: dict[tuple[str, str], QColor] = {}
        self._elided: OrderedDict[tuple[str, int, str], str] = OrderedDict()
        self._insets: OrderedDict[int, QImage] = OrderedDict()
        self._colours: dict[str, dict[str, QColor]] = {}

    # -- geometry ------------------------------------------------------------------------------
    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        # Width follows the view: rows never force a sideways scroll bar.
        return QSize(max(120, option.rect.width()), self.ROW)

    def header_rect(self, option_rect: QRect) -> QRect:
        """Where the day label is drawn: the band above the row's own area (which a selected
        or hovered row fills), so the label's glyphs are never painted over."""
        return QRect(option_rect.left() + self.PAD, option_rect.top() + 1,
                     option_rect.width() - 2 * self.PAD, self.HEADER - self.PAD - 1)

    def star_rect(self, option_rect: QRect, index: _Index | None = None) -> QRect:
        top = option_rect.top() + self.HEADER - 2
        return QRect(option_rect.right() - self.PAD - self.STAR + 2, top, self.STAR, self.STAR)

    def editorEvent(self, event: QEvent, model: QAbstractItemModel,
                    option: QStyleOptionViewItem, index: _Index) -> bool:
        if (event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent)
                and event.button() == Qt.MouseButton.LeftButton
                and self.star_rect(option.rect, index).contains(event.position().toPoint())):
            self.starClicked.emit(model.index(index.row(), 0))
            return True
        return super().editorEvent(event, model, option, index)

    # -- caches --------------------------------------------------------------------------------
    def _fonts_for(self, base: QFont) -> _Fonts:
        key = base.key()
        f = self._fonts.get(key)
        if f is None:
            f = self._fonts[key] = _Fonts(base)
        return f

    def _colours_for(self, scheme: str, t: dict[str, str]) -> dict[str, QColor]:
        """The theme's colours as QColor, made once per scheme (not per painted row)."""
        c = self._colours.get(scheme)
        if c is None:
            c = self._colours[scheme] = {k: QColor(v) for k, v in t.items()
                                         if v.startswith("#")}
        return c

    def _readable_on(self, fg: str, bg: QColor) -> QColor:
        key = (fg, bg.name())
        c = self._readable.get(key)
        if c is None:
            c = self._readable[key] = theme.readable(QColor(fg), bg)
        return c

    def _inset(self, image: QImage) -> QImage:
        """The before image at the inset's size, scaled once (not on every paint)."""
        key = image.cacheKey()
        small = self._insets.get(key)
        if small is None:
            small = image.scaled(self.INSET, self.INSET,
                                 Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                                 Qt.TransformationMode.SmoothTransformation)
            self._insets[key] = small
            if len(self._insets) > _ELIDED_MAX // 4:
                self._insets.popitem(last=False)
        return small

    def _elide(self, text: str, fm: QFontMetrics, width: int) -> str:
        """One line elided to `width` (status texts repeat across rows: made once each)."""
        key = (text, width, "")
        out = self._elided.get(key)
        if out is None:
            out = self._elided[key] = fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
            if len(self._elided) > _ELIDED_MAX:
                self._elided.popitem(last=False)
        return out

    def _two_lines(self, text: str, fm: QFontMetrics, width: int, font_key: str) -> str:
        key = (text, width, font_key)
        out = self._elided.get(key)
        if out is None:
            out = _elide_two_lines(text, fm, width)
            self._elided[key] = out
            if len(self._elided) > _ELIDED_MAX:
                self._elided.popitem(last=False)
        return out

    # -- painting ------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        model = index.model()
        if isinstance(model, HistoryModel):
            row: Row | None = model.item(index.row())
            header = model.header_for(index.row())
            member = row is not None and model.is_member(row)
            expanded = isinstance(row, BatchGroup) and model.is_expanded(row)
        else:  # any model that offers the roles (tests paint a row alone)
            row, header = index.data(EntryRole), index.data(HeaderRole) or ""
            member = expanded = False
        if row is None:
            return
        thumbnail = getattr(model, "thumbnail", None)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        # Theme tokens read at paint time: a live light/dark switch shows on the next repaint.
        scheme = theme.current_scheme()
        t = theme.tokens(scheme)
        c = self._colours_for(scheme, t)
        fonts = self._fonts_for(option.font)
        full = option.rect
        r = full.adjusted(0, self.HEADER - self.PAD, 0, 0)  # the row under the day band
        painter.fillRect(full, c["list"])  # the list's own background, band included
        if header:
            self._paint_header(painter, full, header, fonts, t)

        state = option.state.value  # an int: see _SELECTED
        selected, hovered = bool(state & _SELECTED), bool(state & _HOVERED)
        if selected:
            row_bg = c["row_selected"]
            painter.fillRect(r, row_bg)
        elif hovered:
            row_bg = option.palette.color(QPalette.ColorRole.AlternateBase)
            painter.fillRect(r, row_bg)
        else:
            row_bg = c["list"]
        if state & _FOCUSED:
            painter.setPen(c["accent"])
            painter.drawRect(r.adjusted(0, 0, -1, -1))

        left = r.left() + self.PAD + (self.INDENT if member else 0)
        if member:  # a guide line ties a batch's edits to its row
            painter.setPen(QPen(c["rule"], 1))
            x = r.left() + self.PAD + self.INDENT // 2 - 2
            painter.drawLine(x, full.top(), x, full.bottom())

        # -- thumbnails: the after image large, the before as an inset --------------------
        thumb = QRect(left, r.top() + self.PAD, self.THUMB, self.THUMB)
        if isinstance(row, BatchGroup):  # a stack: two edges behind the newest result
            for k in (2, 1):
                painter.fillRect(thumb.adjusted(2 * k, -2 * k, 2 * k, -2 * k),
                                 QColor(t["rule"]).lighter(100 + 20 * k))
        painter.fillRect(thumb, option.palette.color(QPalette.ColorRole.Base).darker(115))
        after_p, before_p = row.after_path(), row.before_path()
        after = thumbnail(after_p) if thumbnail is not None and after_p is not None else None
        before = thumbnail(before_p) if thumbnail is not None and before_p is not None else None
        # One look per status and reason (ui/theme/status.py): a budget skip is not a done one.
        color = self._readable_on(status_colour(row.status, scheme, row.reason), row_bg)
        status_icon = status_icon_name(row.status, row.reason)  # None: a newer library's
        if after is not None:
            _draw_fitted(painter, after, thumb, crop=True)  # square crops read as a grid
            if before is not None and not isinstance(row, BatchGroup):
                inset = QRect(thumb.left() + 2, thumb.bottom() - self.INSET - 1, self.INSET,
                              self.INSET)
                painter.fillRect(inset.adjusted(-1, -1, 1, 1), QColor("#101010"))
                painter.drawImage(inset, self._inset(before))
                painter.setPen(QPen(QColor("#d0d0d0"), 1))
                painter.drawRect(inset.adjusted(-1, -1, 0, 0))
        else:
            if before is not None:
                painter.setOpacity(0.45)  # no result: the input, dimmed, under the status
                _draw_fitted(painter, before, thumb)
                painter.setOpacity(1.0)
            side = self.THUMB * 3 // 7
            if status_icon is not None:
                draw_icon(painter, QRect(thumb.center().x() - side // 2 + 1,
                                         thumb.center().y() - side // 2 + 1, side, side),
                          status_icon, color)

        # -- star ------------------------------------------------------------------------
        star = self.star_rect(full, index)
        side = self.STAR - 4
        star_icon = QRect(star.left() + 2, star.top() + 2, side, side)
        if row.favourite:
            draw_icon(painter, star_icon, "starred", c["star_on"])
        else:
            draw_icon(painter, star_icon, "star",
                      c["star_off_hover" if (hovered or selected) else "star_off"])

        # -- text ------------------------------------------------------------------------
        text_left = thumb.right() + self.PAD + 2
        text_w = star.left() - 4 - text_left
        painter.setFont(fonts.text)
        fm = fonts.text_fm
        # Palette text, so the row reads in the light theme too; the selection has its own.
        painter.setPen(option.palette.color(QPalette.ColorRole.Text) if not selected
                       else c["row_selected_text"])
        prompt_rect = QRect(text_left, r.top() + self.PAD - 1, text_w, fm.height() * 2)
        members = row.members if isinstance(row, BatchGroup) else None
        prompt = " ".join(row.request.prompt.split()) if members is None or members else ""
        shown = self._two_lines(prompt or "(no prompt)", fm, text_w, option.font.key())
        flt = getattr(model, "filter", None)  # HistoryModel's: what the search asked for
        terms = search_terms(flt.text) if isinstance(flt, HistoryFilter) else ()
        if terms and prompt:  # the words the search found, marked under the text
            mark = QColor(c["accent"])
            mark.setAlpha(90)
            for rect in match_rects(shown, terms, fm, prompt_rect):
                painter.fillRect(rect, mark)
        painter.drawText(prompt_rect, _LEFT_TOP, shown)

        painter.setFont(fonts.small)
        sfm = fonts.small_fm
        y = r.bottom() - self.PAD - sfm.height() + 1
        right = r.right() - self.PAD
        subtle = self._readable_on(t["subtle"], row_bg)
        side = sfm.ascent()  # icons as tall as the words' capitals and ascenders
        if isinstance(row, BatchGroup):  # a chevron: the batch opens and closes
            draw_icon(painter, QRect(text_left, y + (sfm.height() - side) // 2, side, side),
                      "collapse" if expanded else "expand", subtle)
            x = text_left + side + sfm.horizontalAdvance("  ")
        else:
            lead = _clock(row.created)
            painter.setPen(subtle)
            painter.drawText(QRect(text_left, y, right - text_left, sfm.height()), _LEFT, lead)
            x = text_left + sfm.horizontalAdvance(lead + "  ")
        painter.setPen(subtle)
        if row.spend:  # the estimate, made when the row changed (rows.py), right-aligned
            room = (right - text_left) * 3 // 5
            spend_w = sfm.horizontalAdvance(row.spend) + 2  # elidedText wants a hair more
            shown = row.spend if spend_w <= room else self._elide(row.spend, sfm, room)
            spend_w = min(spend_w, room)
            painter.drawText(QRect(right - spend_w, y, spend_w, sfm.height()), _RIGHT, shown)
            right -= spend_w + self.PAD
        if status_icon is not None:
            draw_icon(painter, QRect(x, y + (sfm.height() - side) // 2, side, side),
                      status_icon, color)
            x += side + 4
        painter.setPen(color)
        painter.drawText(QRect(x, y, right - x, sfm.height()), _LEFT,
                         self._elide(row.status_text(), sfm, right - x))
        painter.restore()

    def _paint_header(self, painter: QPainter, full: QRect, header: str, fonts: _Fonts,
                      t: dict[str, str]) -> None:
        painter.setFont(fonts.header)
        painter.setPen(QColor(t["subtle"]))
        hr = self.header_rect(full)
        label = header.upper()
        painter.drawText(hr, _LEFT_MIDDLE, label)
        x = hr.left() + fonts.header_fm.horizontalAdvance(label) + 8
        painter.setPen(QPen(QColor(t["rule"]), 1))
        # A crisp hairline: antialiased on a whole-pixel y it smears over two rows.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.drawLine(x, hr.center().y(), hr.right(), hr.center().y())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)


_clocks: dict[int, str] = {}


def _clock(ts: float) -> str:
    """HH:MM of a time (cached by minute: every row asks while painting)."""
    import time

    minute = int(ts // 60)
    s = _clocks.get(minute)
    if s is None:
        if len(_clocks) > 4096:
            _clocks.clear()
        s = _clocks[minute] = time.strftime("%H:%M", time.localtime(ts))
    return s


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


def _elide_two_lines(text: str, fm: QFontMetrics, width: int) -> str:
    if fm.horizontalAdvance(text) <= width:
        return text
    words = text.split(" ")
    line1 = ""
    while words and fm.horizontalAdvance((line1 + " " + words[0]).strip()) <= width:
        line1 = (line1 + " " + words.pop(0)).strip()
    if not line1:  # one very long word
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
    rest = fm.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width)
    return f"{line1}\n{rest}"


class HistoryListView(QTableView):
    """The history's one column of rows. Delete and Ctrl+Z work here even when no window
    shortcut fires (e.g. a window without focus); Right/Left (or a click) open and close a
    batch; dragging rows out carries their result files."""

    deletePressed = Signal()
    undoPressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.hide()
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # see the module docstring
        rows.setDefaultSectionSize(HistoryDelegate.ROW)
        rows.setMinimumSectionSize(1)
        self.horizontalHeader().setStretchLastSection(True)  # rows as wide as the view
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the list, as in any list

    def history(self) -> HistoryModel | None:
        m = self.model()
        return m if isinstance(m, HistoryModel) else None

    def _current_group(self) -> BatchGroup | None:
        m, cur = self.history(), self.currentIndex()
        row = m.item(cur.row()) if m is not None and cur.isValid() else None
        return row if isinstance(row, BatchGroup) else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete or event.matches(QKeySequence.StandardKey.Delete):
            self.deletePressed.emit()
            event.accept()
            return
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undoPressed.emit()
            event.accept()
            return
        group, m = self._current_group(), self.history()
        plain = event.modifiers() == Qt.KeyboardModifier.NoModifier
        if group is not None and m is not None and plain and event.key() in (
                Qt.Key.Key_Right, Qt.Key.Key_Left, Qt.Key.Key_Space):
            want = {Qt.Key.Key_Right: True, Qt.Key.Key_Left: False}.get(
                Qt.Key(event.key()), not m.is_expanded(group))
            m.set_expanded(group, want)
            event.accept()
            return
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        m = self.history()
        index = self.indexAt(event.position().toPoint())
        row = m.item(index.row()) if m is not None and index.isValid() else None
        delegate = self.itemDelegate()
        on_star = isinstance(delegate, HistoryDelegate) and delegate.star_rect(
            self.visualRect(index)).contains(event.position().toPoint())
        if (isinstance(row, BatchGroup) and m is not None and not on_star
                and event.button() == Qt.MouseButton.LeftButton
                and event.modifiers() == Qt.KeyboardModifier.NoModifier):
            m.toggle_expanded(row)

    def startDrag(self, supported: Qt.DropAction) -> None:
        from PySide6.QtGui import QDrag

        m = self.history()
        if m is None:
            return
        paths = []
        for i in self.selectionModel().selectedRows():
            row = m.item(i.row())
            for e in (row.members if isinstance(row, BatchGroup) else [row]):
                if isinstance(e, HistoryEntry) and e.result_paths:
                    paths.append(e.result_paths[0])
        if not paths:
            return
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in dict.fromkeys(paths)])
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.exec(Qt.DropAction.CopyAction)

