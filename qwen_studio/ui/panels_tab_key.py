"""Lightroom's Tab: outside text fields, Tab hides and restores both side panels.

A window-wide QShortcut on Tab, enabled only while the focus is not somewhere Tab belongs
to typing (a text field moves focus with Tab, as everywhere). The enabled state follows
QApplication.focusChanged, one Python call per focus change; nothing watches the app's
event stream, so other events never cross into Python. Shift+Tab (Key_Backtab) is not
this shortcut and walks the focus chain backwards as usual.

Installed after the first frame (MainWindow.ensure_built): the window paints without it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


def is_text_field(widget: QWidget | None) -> bool:
    """Where Tab belongs to typing and moves focus (the prompt, the search, a number)."""
    if widget is None:
        return False
    return isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox) or (
        isinstance(widget, QComboBox) and widget.isEditable())


class PanelsTabKey(QObject):
    """Tab runs `toggle` in `window`, except while a text field has the focus."""

    def __init__(self, window: QMainWindow, toggle: Callable[[], None]) -> None:
        super().__init__(window)
        self.shortcut = QShortcut(QKeySequence(Qt.Key.Key_Tab), window)
        self.shortcut.setObjectName("togglePanelsTabShortcut")
        self.shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.shortcut.setAutoRepeat(False)  # a held Tab must not flicker the panels
        self.shortcut.activated.connect(toggle)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)
        self._focus_changed(None, QApplication.focusWidget())

    def _focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        self.shortcut.setEnabled(not is_text_field(now))
