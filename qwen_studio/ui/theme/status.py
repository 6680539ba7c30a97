"""One status look: glyph, word and colour for every EditStatus, in every theme.

The history list, the batch queue and the status bar draw a status the same way: the glyph
and the word carry the meaning (colour blind, screen readers), the colour only helps. As
text each colour keeps >= 4.5:1 on its theme's list background (tests/ui/test_status_look).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui import theme
from qwen_studio.ui.marks import QT_TRANSLATE_NOOP


@dataclass(frozen=True)
class StatusLook:
    glyph: str
    word: str  # English, marked for translation; `text()` is the shown word
    dark: str  # colour on the dark theme
    light: str  # colour on the light theme

    def text(self) -> str:
        return QCoreApplication.translate("StatusLook", self.word)

    def colour(self, scheme: str | None = None) -> QColor:
        """The colour in `scheme` ("dark"/"light"), else in the running theme."""
        scheme = scheme if scheme in ("dark", "light") else theme.current_scheme()
        return QColor(self.dark if scheme == "dark" else self.light)

    def label(self) -> str:
        """Glyph and word, as one text: "✓ Done"."""
        return f"{self.glyph} {self.text()}"


STATUS_LOOKS: dict[EditStatus, StatusLook] = {
    EditStatus.QUEUED: StatusLook("◷", QT_TRANSLATE_NOOP("StatusLook", "Queued"),
                                  "#9a9a9a", "#5f5f5f"),
    EditStatus.RUNNING: StatusLook("⟳", QT_TRANSLATE_NOOP("StatusLook", "Running"),
                                   "#6fa8dc", "#1f5fa8"),
    EditStatus.DONE: StatusLook("✓", QT_TRANSLATE_NOOP("StatusLook", "Done"),
                                "#7cc48a", "#2e7d32"),
    EditStatus.FAILED: StatusLook("✗", QT_TRANSLATE_NOOP("StatusLook", "Failed"),
                                  "#e07a7a", "#b3261e"),
    EditStatus.CANCELLED: StatusLook("⊘", QT_TRANSLATE_NOOP("StatusLook", "Cancelled"),
                                     "#b0b0b0", "#6b6b6b"),
    EditStatus.SKIPPED: StatusLook("✓", QT_TRANSLATE_NOOP("StatusLook", "Done earlier"),
                                   "#7cc48a", "#2e7d32"),
    EditStatus.INTERRUPTED: StatusLook("⚠", QT_TRANSLATE_NOOP("StatusLook", "Interrupted"),
                                       "#e0b45a", "#8a5a00"),
}


def status_look(status: EditStatus | str) -> StatusLook:
    """The look of `status` (an EditStatus or its stored value)."""
    return STATUS_LOOKS[EditStatus(status)]
