"""Joins of words the window shows, in its language's punctuation: English "head: tail",
Chinese "head：tail" (the full-width colon, no space). Context "Punctuation" in the .ts."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def colon(head: str, tail: str) -> str:
    """`head` and `tail` joined by the window language's colon."""
    return QCoreApplication.translate("Punctuation", "{head}: {tail}").format(head=head,
                                                                             tail=tail)


def headline_rest(head: str, rest: str) -> str:
    """A translated headline and the rest of core's English message after it, whose ": "
    (after an optional " (HTTP 500)") becomes the window language's colon."""
    import re

    m = re.match(r"( \(HTTP \d+\))?: ", rest)
    return colon(head + (m.group(1) or ""), rest[m.end():]) if m else head + rest
