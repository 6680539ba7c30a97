"""The version graph: chained edits as thumbnails joined by lines, branches on their own
rows. Click a version to show it; Ctrl+click (or Space) marks two to compare.

A painted widget over `VersionNode`s (ui/versions/tree.py): it never reads files or the
library; thumbnails arrive decoded through `set_thumbnail`.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from qwen_studio.ui import theme
from qwen_studio.ui.theme.status import status_look
from qwen_studio.ui.versions.tree import VersionNode, layout_tree

THUMB = 72  # thumbnail side in the graph
CELL_W, CELL_H = THUMB + 40, THUMB + 34  # a node's cell: thumbnail, status word, gaps
MARGIN = 12


class VersionGraph(QWidget):
    showRequested = Signal(int)  # edit id
    compareRequested = Signal(int, int)  # older edit id, newer edit id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("versionGraph")
        self.setAccessibleName(self.tr("Versions"))
        self.setAccessibleDescription(self.tr(
            "Each edit made from a result, as a graph. Click a version to show it; Ctrl+click "
            "a second one to compare the two. Arrow keys move, Enter shows, Space marks."))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._nodes: dict[int, VersionNode] = {}
        self._places: dict[int, tuple[int, int]] = {}
        self._thumbs: dict[int, QImage] = {}
        self._current: int | None = None
        self._marked: list[int] = []

    # ----- data --------------------------------------------------------------------------
    def set_nodes(self, nodes: list[VersionNode], current: int | None = None) -> None:
        self._nodes = {n.edit_id: n for n in nodes}
        self._places = layout_tree(nodes)
        self._thumbs = {k: v for k, v in self._thumbs.items() if k in self._nodes}
        self._marked = [m for m in self._marked if m in self._nodes]
        self._current = current if current in self._nodes else None
        self.updateGeometry()
        self.resize(self.sizeHint())
        self._describe()
        self.update()

    def set_thumbnail(self, edit_id: int, image: QImage) -> None:
        if edit_id in self._nodes:
            self._thumbs[edit_id] = image
            self.update(self.node_rect(edit_id).toAlignedRect().adjusted(-4, -4, 4, 4))

    def nodes(self) -> list[VersionNode]:
        return list(self._nodes.values())

    def current(self) -> int | None:
        return self._current

    def marked(self) -> list[int]:
        return list(self._marked)

    # ----- geometry ----------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        if not self._places:
            return QSize(CELL_W + 2 * MARGIN, CELL_H + 2 * MARGIN)
        cols = max(c for c, _ in self._places.values()) + 1
        rows = max(r for _, r in self._places.values()) + 1
        return QSize(cols * CELL_W + 2 * MARGIN, rows * CELL_H + 2 * MARGIN)

    def node_rect(self, edit_id: int) -> QRectF:
        """The thumbnail's square of a version (its status word sits below)."""
        col, row = self._places[edit_id]
        return QRectF(MARGIN + col * CELL_W + (CELL_W - THUMB) / 2, MARGIN + row * CELL_H + 4,
                      THUMB, THUMB)

    def node_at(self, pos: QPointF) -> int | None:
        for edit_id in self._places:
            if self.node_rect(edit_id).adjusted(-4, -4, 4, 22).contains(pos):
                return edit_id
        return None

    # ----- interaction -------------------------------------------------------------------
    def show_version(self, edit_id: int) -> None:
        if edit_id in self._nodes:
            self._current = edit_id
            self._describe()
            self.update()
            self.showRequested.emit(edit_id)

    def toggle_mark(self, edit_id: int) -> None:
        """Mark a version for comparing; the second mark compares the two (older first)."""
        if edit_id in self._marked:
            self._marked.remove(edit_id)
        else:
            self._marked = [*self._marked[-1:], edit_id]
        self.update()
        self._describe()
        if len(self._marked) == 2:
            a, b = sorted(self._marked)
            self.compareRequested.emit(a, b)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        edit_id = self.node_at(event.position())
        if edit_id is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.toggle_mark(edit_id)
        else:
            self.show_version(edit_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if not self._places:
            super().keyPressEvent(event)
            return
        cur = self._current if self._current is not None else next(iter(self._places))
        col, row = self._places[cur]
        moves = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0),
                 Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        if key in moves:
            dc, dr = moves[Qt.Key(key)]
            target = self._nearest(col + dc, row + dr, dc, dr)
            if target is not None:
                self.show_version(target)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.show_version(cur)
        elif key == Qt.Key.Key_Space:
            self.toggle_mark(cur)
        else:
            super().keyPressEvent(event)

    def _nearest(self, col: int, row: int, dc: int, dr: int) -> int | None:
        """The version at (col, row), else the closest one further in that direction."""
        best: tuple[int, int] | None = None
        for edit_id, (c, r) in self._places.items():
            if (dc and (c - col) * dc < 0) or (dr and (r - row) * dr < 0):
                continue
            if dc and r != row and c != col:
                continue  # sideways moves stay on the row, or take the parent's/child's
            d = abs(c - col) + abs(r - row)
            if best is None or d < best[0]:
                best = (d, edit_id)
        return best[1] if best else None

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def _describe(self) -> None:
        node = self._nodes.get(self._current) if self._current is not None else None
        parts = [self.tr("{n} versions").format(n=len(self._nodes))]
        if node is not None:
            parts.append(self.tr("showing #{id}: {status}, “{prompt}”").format(
                id=node.edit_id, status=status_look(node.status).text(), prompt=node.prompt[:60]))
        if self._marked:
            parts.append(self.tr("marked for comparing: {ids}").format(
                ids=", ".join(f"#{m}" for m in self._marked)))
        self.setAccessibleDescription("; ".join(parts))
        if node is not None:
            self.setToolTip(node.prompt)

    # ----- painting ----------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        text_c, muted = theme.colour("text"), theme.colour("muted")
        accent = theme.colour("accent")
        p.setPen(QPen(muted, 1.5))
        for edit_id, node in self._nodes.items():
            if node.parent_id in self._places:
                a, b = self.node_rect(node.parent_id), self.node_rect(edit_id)
                start = QPointF(a.right() + 2, a.center().y())
                end = QPointF(b.left() - 2, b.center().y())
                path = QPainterPath(start)
                mid = (start.x() + end.x()) / 2
                path.cubicTo(QPointF(mid, start.y()), QPointF(mid, end.y()), end)
                p.drawPath(path)
        font = self.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        p.setFont(font)
        for edit_id, node in self._nodes.items():
            rect = self.node_rect(edit_id)
            thumb = self._thumbs.get(edit_id)
            if thumb is not None and not thumb.isNull():
                scaled = thumb.size().scaled(rect.size().toSize(),
                                             Qt.AspectRatioMode.KeepAspectRatio)
                target = QRectF(0, 0, scaled.width(), scaled.height())
                target.moveCenter(rect.center())
                p.drawImage(target, thumb)
            else:
                p.fillRect(rect, QColor(128, 128, 128, 50))
            look = status_look(node.status, node.reason)  # a budget skip: amber
            marked = edit_id in self._marked
            if edit_id == self._current or marked:
                p.setPen(QPen(accent, 3 if edit_id == self._current else 2,
                              Qt.PenStyle.SolidLine if edit_id == self._current
                              else Qt.PenStyle.DashLine))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(rect.adjusted(-3, -3, 3, 3), 4, 4)
            word = look.text() if node.status != "done" else f"#{edit_id}"
            if marked:
                word = self.tr("{word} · compare").format(word=word)
            p.setPen(look.colour() if node.status != "done" else text_c)
            p.drawText(QRectF(rect.left() - 18, rect.bottom() + 4, rect.width() + 36, 18),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, word)
        if self.hasFocus() and self._current is not None:
            p.setPen(QPen(self.palette().highlight().color(), 1, Qt.PenStyle.DotLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(self.node_rect(self._current).adjusted(-6, -6, 6, 24))
        p.end()
