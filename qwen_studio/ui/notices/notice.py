"""Typed notices: one per situation, with the next step as a callable.

The banner used to be a string-keyed command bus ("settings", "retry:{job}", "batch:offer")
filtered by every listener. A Notice carries its action itself, and its `kind` names the
situation, so whoever sees the situation end clears exactly that notice (the demo sandbox
coming up clears NOT_CONNECTED; a successful reload clears CONFIG).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class NoticeLevel(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class NoticeKind(StrEnum):
    """The situations the window reports. A new situation gets a new member."""

    NOT_CONNECTED = "not_connected"  # no endpoint and no demo: Run cannot send
    CONFIG = "config"  # the saved profile could not be resolved
    REQUEST_PROBLEM = "request_problem"  # Run pressed with an invalid request
    REQUEST_NOTES = "request_notes"  # sent all the same: what the catalog/style says of it
    LIBRARY_RECOVERED = "library_recovered"  # the history was damaged, moved aside, rebuilt
    SAVE_FAILED = "save_failed"
    TASK_FAILED = "task_failed"  # a bug: an unexpected exception in a background task
    # For the edit service handlers (service branch), the batch queue and the history panel:
    EDIT_RETRYING = "edit_retrying"  # a rate-limited or failed attempt is being retried
    EDIT_FAILED = "edit_failed"
    BATCH = "batch"  # the batch queue's offers and reports
    HISTORY = "history"  # the history panel's reports (export, delete, undo)
    MESSAGE = "message"  # Banner.show_message callers not yet converted to notices


@dataclass(frozen=True)
class Notice:
    """A message for the notice banner: its kind, level, text, hint and action."""

    kind: NoticeKind
    level: NoticeLevel
    message: str
    hint: str = ""
    action_text: str = ""
    # Called when the user presses the action button (the notice is cleared first).
    action: Callable[[], object] | None = None
