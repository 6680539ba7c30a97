"""Typed translation marks.

PySide6's stubs type QT_TRANSLATE_NOOP as returning `object`, so every table of marked
texts lost its type (a third of pyright's errors). lupdate finds the marks by name, so this
same-named function keeps extraction working and gives the texts their type back.
"""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Marks `source` for translation in `context`; translated where it is shown."""
    return source
