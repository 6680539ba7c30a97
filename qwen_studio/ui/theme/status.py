"""One status look: word and colour for every EditStatus, in every theme.

The history rows, the version tree, the batch queue and the status bar draw a status the
same way: the status's icon (ui/icons.py, named by the status value) and the word carry the
meaning (colour blind, screen readers), the colour only helps. As text each colour keeps
>= 4.5:1 on its theme's list background and on the batch queue's rows
(tests/ui/test_status_look.py, tests/ui/test_batch_theme.py).
Colours are looked up when painting, so a live light/dark switch shows on the next repaint.

SKIPPED reads "Skipped"; why (done in an earlier run, over the budget) is the edit's note,
which the views show beside the word where they know it. The look follows the reason too
(`status_look(status, reason)`): a skip that is done already (in an earlier run, in the
output folder) is green like DONE, one that is not done and needs the user (its batch's
budget stopped it: raise the budget, Run skipped) has the amber of INTERRUPTED and an icon
of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import BUDGET_REASONS
from qwen_studio.ui import theme
from qwen_studio.ui.marks import QT_TRANSLATE_NOOP

SCHEMES = ("dark", "light")


@dataclass(frozen=True)
class StatusLook:
    """How an edit status is shown: its word, its colour on each theme and its icon."""

    word: str  # English, marked for translation; `text()` is the shown word
    dark: str  # colour on the dark theme
    light: str  # colour on the light theme
    icon: str = ""  # its meaning in ui/icons.ICONS ("": the status value)

    def text(self) -> str:
        return QCoreApplication.translate("StatusLook", self.word)

    def hex(self, scheme: str | None = None) -> str:
        """"#rrggbb" in `scheme` ("dark"/"light"), else in the running theme."""
        return self.dark if _scheme(scheme) == "dark" else self.light

    def colour(self, scheme: str | None = None) -> QColor:
        """The colour in `scheme` ("dark"/"light"), else in the running theme."""
        return QColor(self.hex(scheme))


STATUS_LOOKS: dict[EditStatus, StatusLook] = {
    EditStatus.QUEUED: StatusLook(QT_TRANSLATE_NOOP("StatusLook", "Queued"),
                                  "#9a9a9a", "#5f5f5f"),
    EditStatus.RUNNING: StatusLook(QT_TRANSLATE_NOOP("StatusLook", "Running"),
                                   "#6fa8dc", "#1f5fa8"),
    EditStatus.DONE: StatusLook(QT_TRANSLATE_NOOP("StatusLook", "Done"),
                                "#7cc48a", "#2e7d32"),
    EditStatus.FAILED: StatusLook(QT_TRANSLATE_NOOP("StatusLook", "Failed"),
                                  "#e07a7a", "#b3261e"),
    EditStatus.CANCELLED: StatusLook(QT_TRANSLATE_NOOP("StatusLook", "Cancelled"),
                                     "#b0b0b0", "#6b6b6b"),
    EditStatus.SKIPPED: StatusLook(QT_TRANSLATE_NOOP("StatusLook", "Skipped"),
                                   "#7cc48a", "#2e7d32"),
    EditStatus.INTERRUPTED: StatusLook(QT_TRANSLATE_NOOP("StatusLook", "Interrupted"),
                                       "#e0b45a", "#8a5a00"),
}

# SKIPPED for one of these reasons (errors.STATUS_NOTES codes, EditRecord.reason,
# EditProgress.note.code) was not done and waits for the user: attention, not success.
ATTENTION_SKIP_REASONS = BUDGET_REASONS
SKIPPED_NEEDS_YOU = StatusLook(STATUS_LOOKS[EditStatus.SKIPPED].word,
                               STATUS_LOOKS[EditStatus.INTERRUPTED].dark,
                               STATUS_LOOKS[EditStatus.INTERRUPTED].light, icon="over-budget")


def _scheme(scheme: str | None) -> str:
    return scheme if scheme in SCHEMES else theme.current_scheme()


def _known(status: EditStatus | str) -> EditStatus | None:
    try:
        return EditStatus(status)
    except ValueError:  # a value from a newer version of the library: shown plainly
        return None


def needs_you(status: EditStatus | str, reason: str | None) -> bool:
    """Skipped, not done, and waiting for the user (e.g. its batch's budget stopped it)."""
    return status == EditStatus.SKIPPED and bool(reason) and reason in ATTENTION_SKIP_REASONS


def status_look(status: EditStatus | str, reason: str | None = None) -> StatusLook:
    """The look of `status` (an EditStatus or its stored value) for an edit whose reason
    code (why it was skipped, failed…; "" or None: none) is `reason`."""
    if needs_you(status, reason):
        return SKIPPED_NEEDS_YOU
    return STATUS_LOOKS[EditStatus(status)]


def status_icon_name(status: EditStatus | str, reason: str | None = None) -> str | None:
    """The meaning (ui/icons.ICONS) of the status's icon; None for a status this version
    does not know (a newer library's): the word alone."""
    s = _known(status)
    if s is None:
        return None
    return status_look(s, reason).icon or s.value


def status_word(status: EditStatus | str) -> str:
    """The word in the user's language (an unknown stored value as it is)."""
    s = _known(status)
    return STATUS_LOOKS[s].text() if s is not None else str(status)


def status_colour(status: EditStatus | str, scheme: str | None = None,
                  reason: str | None = None) -> str:
    """"#rrggbb" of `status` (with `reason`, see status_look) in `scheme` (else the running
    theme); unknown: subtle text."""
    s = _known(status)
    if s is None:
        return theme.tokens(_scheme(scheme))["subtle"]
    return status_look(s, reason).hex(scheme)


def status_colours(scheme: str) -> dict[EditStatus, str]:
    """Every status's "#rrggbb" in `scheme` (for contrast checks and legends)."""
    return {s: look.hex(scheme) for s, look in STATUS_LOOKS.items()}


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two opaque colours (1.0 to 21.0)."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return (0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF())
                + 0.0722 * channel(c.blueF()))

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable(fg: QColor, bg: QColor, ratio: float = 4.5) -> QColor:
    """`fg`, darkened on a light background or lightened on a dark one until it reaches
    `ratio` against `bg`: status colours tuned for the dark theme stay their hue in light."""
    if contrast_ratio(fg, bg) >= ratio:
        return QColor(fg)
    towards_black = bg.lightnessF() >= 0.5
    h, s, lightness, a = fg.hslHueF(), fg.hslSaturationF(), fg.lightnessF(), fg.alphaF()
    h = max(h, 0.0)  # -1 for greys
    c = QColor(fg)
    for _ in range(40):
        lightness = max(0.0, lightness - 0.025) if towards_black else min(1.0, lightness + 0.025)
        c = QColor.fromHslF(h, s, lightness, a)
        if contrast_ratio(c, bg) >= ratio or lightness in (0.0, 1.0):
            return c
    return c
