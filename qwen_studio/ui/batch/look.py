"""How the batch queue looks: its surfaces per theme, its style sheet and the status
icons (the icon set's, ui/icons.py, in the one status look's colour, ui/theme/status.py)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui import icons, theme

log = logging.getLogger(__name__)
translate = QCoreApplication.translate  # lupdate extracts translate("Ctx", "…")

# The panel's own surfaces (what theme.tokens has no name for), per theme.
LOOK: dict[str, dict[str, str]] = {
    "dark": {"panel": "#232323", "panel_rule": "#1a1a1a", "alt_row": "#242424",
             "header_rule": "#1f1f1f", "summary": "#cfcfcf", "hint": "#7d7d7d"},
    "light": {"panel": "#e6e6e6", "panel_rule": "#c4c4c4", "alt_row": "#f3f3f3",
              "header_rule": "#d0d0d0", "summary": "#333333", "hint": "#6b6b6b"},
}
_icons: dict[tuple[str, EditStatus, str], QIcon] = {}
STATUS_ICON_PX = 16  # beside the word, in rows as tall as their thumbnails


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


def status_icon(state: EditStatus, scheme: str | None = None, reason: str = "") -> QIcon:
    """The status's icon of the one icon set (ui/icons.py) in the status colour of the
    theme, for an edit with reason code `reason` (a budget skip is not a done one); made
    once per look and theme. The word beside it says the status too."""
    scheme = _scheme(scheme)
    key = (scheme, state, reason)
    found = _icons.get(key)
    if found is None:
        found = _icons[key] = icons.status_icon(state, scheme, STATUS_ICON_PX, reason)
    return found
