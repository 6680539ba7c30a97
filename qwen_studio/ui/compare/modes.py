"""The compare view's modes, their names and help (translated where used, self.tr in
CompareView; QT_TRANSLATE_NOOP marks them for lupdate)."""

from __future__ import annotations

from qwen_studio.ui.marks import QT_TRANSLATE_NOOP

MODES = ("side", "wipe", "flip", "changes")
MODE_TEXT = {"side": QT_TRANSLATE_NOOP("CompareView", "Side by side"),
             "wipe": QT_TRANSLATE_NOOP("CompareView", "Wipe"),
             "flip": QT_TRANSLATE_NOOP("CompareView", "Flip"),
             "changes": QT_TRANSLATE_NOOP("CompareView", "Changes")}
MODE_HELP = {
    "side": QT_TRANSLATE_NOOP(
        "CompareView", "Before and after next to each other, zoom and pan kept in sync (key 1)"),
    "wipe": QT_TRANSLATE_NOOP(
        "CompareView", "One image with a divider you drag: before left, after right (key 2)"),
    "flip": QT_TRANSLATE_NOOP(
        "CompareView", "After; hold Space or the mouse button to see before (key 3)"),
    "changes": QT_TRANSLATE_NOOP(
        "CompareView", "Every changed pixel in red over the grey original: a region edit "
        "leaves everything outside the region untouched (key 4)"),
}
MODE_KEYS = {str(i): mode for i, mode in enumerate(MODES, start=1)}
