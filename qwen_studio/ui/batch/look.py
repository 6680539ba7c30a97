"""How the batch queue looks: its surfaces per theme, its style sheet and the status
badges (glyph and colour from the one status look, ui/theme/status.py)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QRect,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui import theme
from qwen_studio.ui.theme.status import status_look

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)
translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")

# The panel's own surfaces (what theme.tokens has no name for), per theme.
LOOK: dict[str, dict[str, str]] = {
    "dark": {"panel": "#232323", "panel_rule": "#1a1a1a", "alt_row": "#242424",
             "header_rule": "#1f1f1f", "summary": "#cfcfcf", "hint": "#7d7d7d",
             "badge_text": "#1c1c1c"},
    "light": {"panel": "#e6e6e6", "panel_rule": "#c4c4c4", "alt_row": "#f3f3f3",
              "header_rule": "#d0d0d0", "summary": "#333333", "hint": "#6b6b6b",
              "badge_text": "#ffffff"},
}
_icons: dict[tuple[str, EditStatus], QIcon] = {}


def _scheme(scheme: str | None) -> str:
    return scheme if scheme in ("dark", "light") else theme.current_scheme()


def panel_stylesheet(scheme: str | None = None) -> str:
    """The batch panel's style sheet for a theme (its tokens, plus LOOK)."""
    scheme = _scheme(scheme)
    t, k = theme.tokens(scheme), LOOK[scheme]
    return (
        f"#batchPanel {{ background: {k['panel']}; border-top: 1px solid {k['panel_rule']}; }}"
        f"#batchResumeBanner {{ background: {t['info_bg']}; border: 1px solid {t['accent']};"
        " border-radius: 5px; }"
        f"#batchSummary {{ color: {k['summary']}; padding: 2px 0; }}"
        f"#batchProgressLabel {{ color: {t['muted']}; }}"
        f"QTableView#batchQueue {{ alternate-background-color: {k['alt_row']}; }}"
        f"QTableView#batchQueue::item:selected {{ background: {t['row_selected']};"
        f" color: {t['row_selected_text']}; }}"
        f"QHeaderView::section {{ background: {t['alt']}; color: {t['muted']}; border: none;"
        f" border-right: 1px solid {k['header_rule']}; padding: 3px 6px; }}"
    )


def status_icon(state: EditStatus, scheme: str | None = None) -> QIcon:
    """A small round badge with the status glyph, painted once per state and theme."""
    scheme = _scheme(scheme)
    icon = _icons.get((scheme, state))
    if icon is None:
        look = status_look(state)
        pm = QPixmap(32, 32)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(look.colour(scheme))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(2, 2, 28, 28)
        f = QFont()
        f.setPixelSize(20)
        f.setBold(True)
        p.setFont(f)
        p.setPen(QColor(LOOK[scheme]["badge_text"]))
        p.drawText(QRect(0, 0, 32, 32), Qt.AlignmentFlag.AlignCenter, look.glyph)
        p.end()
        icon = _icons[(scheme, state)] = QIcon(pm)
    return icon
