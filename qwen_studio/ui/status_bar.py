"""The window's status bar: a message too long for the room left of the permanent widgets
(edits in flight, the connection, the spend meter) ends in "…" and is whole in the tooltip;
Qt cut it mid-letter under them ("Batch: 2 of 5 done · 2 runni⟳ 3 running")."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QSizeGrip, QStatusBar, QWidget

LEFT = 6  # where Qt draws the message, and the gap it keeps before a permanent widget
GAP = 8


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self._full = ""  # the message as given
        self._shown = ""  # what Qt was given to draw: `_full`, elided to the room
        self._until = 0.0  # when the message's timeout ends (time.monotonic; 0: never)
        self._watching = False

    def showMessage(self, text: str, timeout: int | None = 0) -> None:
        timeout = timeout or 0
        if not self._watching:  # from the first message on, not for the first frame's events
            self._watching = True
            self.installEventFilter(self)
            self.messageChanged.connect(self._message_changed)
        self._full = text
        self._until = time.monotonic() + timeout / 1000 if timeout > 0 else 0.0
        self._show(timeout, again=True)  # Qt's timer restarts (or stops) as asked

    def _message_changed(self, text: str) -> None:
        if not text:  # a timeout or clearMessage(): the long message's tooltip goes too
            self._full = self._shown = ""
            self.setToolTip("")

    def currentMessage(self) -> str:
        """The message as given, not as elided (another one, e.g. a menu's status tip,
        as Qt has it)."""
        shown = super().currentMessage()
        return self._full if shown and shown == self._shown else shown

    def eventFilter(self, watched: QObject, e: QEvent) -> bool:
        # The room changed (a resize, a permanent widget's new words): fit the message again.
        if watched is self and e.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest) \
                and self._full and super().currentMessage() == self._shown:
            left = int((self._until - time.monotonic()) * 1000) if self._until else 0
            if not self._until or left > 0:
                self._show(left)
        return False

    def _show(self, timeout: int, again: bool = False) -> None:
        room = self._room()
        text = self._full
        fitted = (self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, room)
                  if room > 0 else text)
        self.setToolTip(text if fitted != text else "")
        if again or fitted != self._shown or super().currentMessage() != fitted:
            self._shown = fitted
            super().showMessage(fitted, timeout)

    def _room(self) -> int:
        """Pixels from where Qt draws the message to the first permanent widget."""
        right = self.width() - 12
        for w in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if w.isVisible() and not isinstance(w, QSizeGrip) and w.x() > LEFT:
                right = min(right, w.x() - GAP)
        return right - LEFT
