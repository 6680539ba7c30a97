"""Notices: the model behind the banner. Shows one notice at a time, the newest."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from qwen_studio.ui.notices.notice import Notice, NoticeKind


class Notices(QObject):
    """`show(notice)` replaces what is shown; `clear(kind)` ends that situation (and hides
    the banner only if that is what it shows); `changed` tells the banner to redraw.

    One slot, as the banner always had: a stale notice under the current one would pop up
    when the current one is dismissed, long after its situation was handled."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current: Notice | None = None

    def current(self) -> Notice | None:
        return self._current

    def show(self, notice: Notice) -> None:
        self._current = notice
        self.changed.emit()

    def clear(self, *kinds: NoticeKind) -> bool:
        """Clear the shown notice if it is of one of `kinds` (all kinds when none given).
        Returns whether something was cleared."""
        cur = self._current
        if cur is None or (kinds and cur.kind not in kinds):
            return False
        self._current = None
        self.changed.emit()
        return True

    def trigger(self) -> None:
        """The user pressed the shown notice's action: clear it, then act."""
        cur = self._current
        if cur is None:
            return
        self.clear(cur.kind)
        if cur.action is not None:
            cur.action()
