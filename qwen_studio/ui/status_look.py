"""The one look of an edit's status: glyph, word and colour, the same in the history rows,
the version tree and the batch queue.

Keyed by `core.editing.status.EditStatus` (the one vocabulary). The glyph and the word carry
the meaning; colour only helps. Colours are per theme and looked up when painting, so a
live light/dark switch shows on the next repaint. As text each keeps >= 4.5:1 on the list
background of its theme (tests/test_batch_theme.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui import theme

_GLYPHS: dict[EditStatus, str] = {
    EditStatus.QUEUED: "◷",
    EditStatus.RUNNING: "⟳",
    EditStatus.DONE: "✓",
    EditStatus.FAILED: "✗",
    EditStatus.CANCELLED: "⊘",
    EditStatus.SKIPPED: "↷",
    EditStatus.INTERRUPTED: "⚠",
}
# Words users read; translated where shown (status_word).
_WORDS: dict[EditStatus, object] = {  # str at run time (QT_TRANSLATE_NOOP marks them)
    EditStatus.QUEUED: QT_TRANSLATE_NOOP("StatusLook", "Queued"),
    EditStatus.RUNNING: QT_TRANSLATE_NOOP("StatusLook", "Running"),
    EditStatus.DONE: QT_TRANSLATE_NOOP("StatusLook", "Done"),
    EditStatus.FAILED: QT_TRANSLATE_NOOP("StatusLook", "Failed"),
    EditStatus.CANCELLED: QT_TRANSLATE_NOOP("StatusLook", "Cancelled"),
    EditStatus.SKIPPED: QT_TRANSLATE_NOOP("StatusLook", "Skipped"),
    EditStatus.INTERRUPTED: QT_TRANSLATE_NOOP("StatusLook", "Interrupted"),
}
# Theme tokens for the statuses (to move into ui/theme's token tables at merge).
STATUS_COLOURS: dict[str, dict[EditStatus, str]] = {
    "dark": {
        EditStatus.QUEUED: "#9a9a9a", EditStatus.RUNNING: "#6fa8dc",
        EditStatus.DONE: "#7cc48a", EditStatus.FAILED: "#e07a7a",
        EditStatus.CANCELLED: "#b0b0b0", EditStatus.SKIPPED: "#7cc48a",
        EditStatus.INTERRUPTED: "#e0b45a",
    },
    "light": {
        EditStatus.QUEUED: "#5f5f5f", EditStatus.RUNNING: "#1f5fa8",
        EditStatus.DONE: "#2e7d32", EditStatus.FAILED: "#b3261e",
        EditStatus.CANCELLED: "#6b6b6b", EditStatus.SKIPPED: "#2e7d32",
        EditStatus.INTERRUPTED: "#8a5a00",
    },
}


@dataclass(frozen=True)
class StatusLook:
    glyph: str
    word: str  # in the user's language
    colour: str  # "#rrggbb" in the running (or the given) theme


def _status(status: EditStatus | str) -> EditStatus | None:
    try:
        return EditStatus(status)
    except ValueError:  # a value from a newer version of the library: shown plainly
        return None


def status_glyph(status: EditStatus | str) -> str:
    s = _status(status)
    return _GLYPHS[s] if s is not None else ""


def status_word(status: EditStatus | str) -> str:
    s = _status(status)
    if s is None:
        return str(status)
    return QCoreApplication.translate("StatusLook", str(_WORDS[s]))


def status_colour(status: EditStatus | str, scheme: str | None = None) -> str:
    s = _status(status)
    scheme = scheme if scheme in STATUS_COLOURS else theme.current_scheme()
    return STATUS_COLOURS[scheme][s] if s is not None else theme.tokens(scheme)["subtle"]


def status_look(status: EditStatus | str, scheme: str | None = None) -> StatusLook:
    return StatusLook(status_glyph(status), status_word(status), status_colour(status, scheme))
