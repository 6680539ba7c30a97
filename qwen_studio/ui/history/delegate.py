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
    QStaticText,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from qwen_studio.core.editing.status import EditStatus
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
from qwen_studio.ui.history.row_text import (
    clock,
    elide_two_lines,
    match_rects,
    match_spans,
    search_terms,
)
from qwen_studio.ui.icons import draw_icon
from qwen_studio.ui.theme.status import status_colour, status_icon_name

__all__ = ["PREFETCH_SCREENS", "HistoryDelegate", "HistoryListView", "match_rects", "match_spans",
           "search_terms"]  # the row's words live in row_text.py; tests import them here

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
_HINTS = QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
_SELECTED = 0x8000  # State_Selected
_HOVERED = 0x2000  # State_MouseOver
_FOCUSED = 0x0100  # State_HasFocus
PREFETCH_SCREENS = 4  # the next page is asked for this close to the end (a page ~ 11)


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
        self._elided: OrderedDict[tuple[str, int, int], str] = OrderedDict()
        self._insets: OrderedDict[int, QImage] = OrderedDict()
        self._colours: dict[str, dict[str, QColor]] = {}
        self._static: OrderedDict[tuple[str, int], QStaticText] = OrderedDict()
        self._palettes: dict[int, tuple[QColor, QColor, QColor]] = {}
        self._looks: dict[tuple[EditStatus, str, int, str | None], QColor] = {}
        self._font: QFont | None = None  # the last base font and its _Fonts
        self._font_set: _Fonts | None = None

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
        if self._font_set is not None and base == self._font:
            return self._font_set  # every row of a view has its font (key() is slow)
        key = base.key()
        f = self._fonts.get(key)
        if f is None:
            f = self._fonts[key] = _Fonts(base)
        self._font, self._font_set = QFont(base), f
        return f

    def _text(self, text: str, font: QFont) -> QStaticText:
        """A short text that repeats across rows (star, glyph, time, status), laid out once:
        drawing it is a copy of its glyphs, where drawText lays it out on every paint."""
        key = (text, id(font))
        st = self._static.get(key)
        if st is None:
            st = self._static[key] = QStaticText(text)
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.prepare(font=font)
            if len(self._static) > _ELIDED_MAX:
                self._static.popitem(last=False)
        return st

    def _colours_for(self, scheme: str, t: dict[str, str]) -> dict[str, QColor]:
        """The theme's colours as QColor, made once per scheme (not per painted row)."""
        c = self._colours.get(scheme)
        if c is None:
            c = self._colours[scheme] = {k: QColor(v) for k, v in t.items()
                                         if v.startswith("#")}
        return c

    def _palette_colours(self, palette: QPalette) -> tuple[QColor, QColor, QColor]:
        """The thumbnail's ground, the hovered row and the text of a palette (made once)."""
        key = palette.cacheKey()
        got = self._palettes.get(key)
        if got is None:
            if len(self._palettes) > 16:
                self._palettes.clear()
            got = self._palettes[key] = (
                palette.color(QPalette.ColorRole.Base).darker(115),
                palette.color(QPalette.ColorRole.AlternateBase),
                palette.color(QPalette.ColorRole.Text))
        return got

    def _status_colour(self, status: EditStatus, scheme: str, bg: QColor,
                       reason: str | None) -> QColor:
        """A status's colour made readable on the row's background (made once each)."""
        key = (status, scheme, bg.rgba(), reason)
        got = self._looks.get(key)
        if got is None:
            got = self._looks[key] = self._readable_on(status_colour(status, scheme, reason), bg)
        return got

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
        key = (text, width, 0)
        out = self._elided.get(key)
        if out is None:
            out = self._elided[key] = fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
            if len(self._elided) > _ELIDED_MAX:
                self._elided.popitem(last=False)
        return out

    def _two_lines(self, text: str, fm: QFontMetrics, width: int, font_key: int) -> str:
        key = (text, width, font_key)
        out = self._elided.get(key)
        if out is None:
            out = elide_two_lines(text, fm, width)
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
        painter.setRenderHints(_HINTS)
        # Theme tokens read at paint time: a live light/dark switch shows on the next repaint.
        scheme = theme.current_scheme()
        t = theme.tokens(scheme)
        c = self._colours_for(scheme, t)
        font = option.font  # each read of an option's field is a copy: read once
        palette = option.palette
        fonts = self._fonts_for(font)
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
            row_bg = self._palette_colours(palette)[1]
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
        painter.fillRect(thumb, self._palette_colours(palette)[0])
        after_p, before_p = row.after_path(), row.before_path()
        after = thumbnail(after_p) if thumbnail is not None and after_p is not None else None
        before = thumbnail(before_p) if thumbnail is not None and before_p is not None else None
        # One look per status and reason (ui/theme/status.py): a budget skip is not a done one.
        color = self._status_colour(row.status, scheme, row_bg, row.reason)
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
        painter.setPen(self._palette_colours(palette)[2] if not selected
                       else c["row_selected_text"])
        prompt_rect = QRect(text_left, r.top() + self.PAD - 1, text_w, fm.height() * 2)
        members = row.members if isinstance(row, BatchGroup) else None
        prompt = " ".join(row.request.prompt.split()) if members is None or members else ""
        shown = self._two_lines(prompt or "(no prompt)", fm, text_w, id(fonts))
        flt = getattr(model, "filter", None)  # HistoryModel's: what the search asked for
        terms = search_terms(flt.text) if isinstance(flt, HistoryFilter) and flt.text else ()
        if terms and prompt:  # the words the search found, marked under the text
            mark = QColor(c["accent"])
            mark.setAlpha(90)
            for rect in match_rects(shown, terms, fm, prompt_rect):
                painter.fillRect(rect, mark)
        # Line by line at its baseline: drawText into a rectangle lays the lines out again.
        base, step = prompt_rect.top() + fm.ascent(), fm.lineSpacing()
        for i, line in enumerate(shown.split("\n")):
            painter.drawText(text_left, base + i * step, line)

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
            lead = clock(row.created)
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
        status = self._elide(row.status_text(), sfm, right - x)  # repeats: laid out once
        painter.drawStaticText(x, y, self._text(status, fonts.small))
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
        self.verticalScrollBar().valueChanged.connect(self._prefetch)

    def history(self) -> HistoryModel | None:
        m = self.model()
        return m if isinstance(m, HistoryModel) else None

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if isinstance(model, HistoryModel):  # its thumbnails: only for rows on screen
            model.thumbnails.showing = self.paths_on_screen

    def _prefetch(self, _value: int) -> None:
        """The next page is asked for PREFETCH_SCREENS before the end of what is loaded (Qt
        asks only at the end): a fling runs on instead of stopping at every page."""
        m = self.history()
        if m is None or not m.canFetchMore():
            return
        h = self.viewport().height()
        last = self.rowAt(h - 1)
        per_screen = max(1, h // max(1, self.verticalHeader().defaultSectionSize()))
        if last < 0 or m.rowCount() - 1 - last < PREFETCH_SCREENS * per_screen:
            m.fetchMore()

    def paths_on_screen(self) -> set[str]:
        """The files whose thumbnails the rows on screen now show (as text)."""
        m = self.history()
        first = self.rowAt(0) if m is not None and self.isVisible() else -1
        if m is None or first < 0:
            return set()
        last = self.rowAt(self.viewport().height() - 1)
        out: set[str] = set()
        for r in range(first, (last if last >= 0 else m.rowCount() - 1) + 1):
            row = m.item(r)
            for p in (row.after_path(), row.before_path()) if row is not None else ():
                if p is not None:
                    out.add(str(p))
        return out

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

