"""One call that gives a dialog's widget its object name (the theme's and the tests' handle)
and what a screen reader says of it."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(w: W, obj: str, name: str, description: str) -> W:
    w.setObjectName(obj)
    w.setAccessibleName(name)
    w.setAccessibleDescription(description)
    return w
