"""The prompt library's action on a prompt box: Ctrl+Space / Ctrl+Down opens the popup.

Apart from the popup (prompt_library_popup.py) so the window can offer the action from its
first frame and build the popup, and import its module, when it is first opened.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPlainTextEdit

SHORTCUTS = ("Ctrl+Space", "Ctrl+Down")


def prompt_library_action(edit: QPlainTextEdit, open_for: Callable[[QPlainTextEdit, str], None],
                          kind: str = "prompt") -> QAction:
    """The action that calls `open_for(edit, kind)`: Ctrl+Space / Ctrl+Down while `edit` has
    focus. A QAction (not a bare shortcut) so Help ▸ Keyboard shortcuts lists it, and a
    QToolButton beside the field can show it (setDefaultAction)."""
    action = QAction(QCoreApplication.translate("PromptLibraryPopup", "Prompt library…"), edit)
    action.setObjectName(f"{kind}LibraryAction")
    action.setToolTip(QCoreApplication.translate(
        "PromptLibraryPopup", "Snippets and recent prompts (Ctrl+Space)"))
    action.setShortcuts([QKeySequence(k) for k in SHORTCUTS])
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.triggered.connect(lambda: open_for(edit, kind))
    edit.addAction(action)
    return action
