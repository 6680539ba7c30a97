"""Run and Cancel of the window: check the next edit, say what is missing (and put the
cursor there), else submit it; cancel the single edits in flight.

The words are made here; the checks are EditorState's (ui/editor/state.py), by problem
code, so they hold in any language. The window's `run_edit` and `cancel_edits` call this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from qwen_studio.ui.editor.state import (
    INPUT_PROBLEMS,
    NEGATIVE_PROBLEMS,
    PROMPT_PROBLEMS,
    problem_codes,
    problem_hint,
)
from qwen_studio.ui.error_text import request_note, request_problems
from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel

if TYPE_CHECKING:
    import asyncio  # loaded after the window's first paint (app.main)

    from qwen_studio.ui.main_window import MainWindow


translate = QCoreApplication.translate  # context "MainWindow": its strings moved here


class RunControl:
    """Run (validate, then start an edit: a batch of one) and Cancel for `window`."""

    def __init__(self, window: MainWindow, status: Callable[[str], None]) -> None:
        self.window, self._status = window, status

    def run(self) -> asyncio.Future[int] | None:
        """Returns the task recording and queueing the edit (its result is the edit id), or
        None when nothing was sent."""
        w = self.window
        if not w.edit_session.has_client:  # reads a saved profile's key if still pending
            self.not_connected()
            return None
        if w.batch.wants_run():
            w.batch.run()  # Run starts the waiting batch
            return None
        request, problems = w.editor.build_request()
        if request is None or problems:
            w.notices.show(Notice(
                NoticeKind.REQUEST_PROBLEM, NoticeLevel.WARNING,
                translate("MainWindow", "Can't run yet: {problems}.").format(
                    problems=request_problems(problems)),
                problem_hint(problems)))
            codes = problem_codes(problems)  # by code: the texts may be in any language
            if codes & PROMPT_PROBLEMS:
                w.prompt_panel.prompt_edit.setFocus()
            elif codes & NEGATIVE_PROBLEMS:
                w.prompt_panel.focus_negative()
            elif codes & INPUT_PROBLEMS:
                w.drop_zone.setFocus()
            return None
        # The situations Run just resolved are over.
        w.notices.clear(NoticeKind.REQUEST_PROBLEM, NoticeKind.NOT_CONNECTED,
                        NoticeKind.REQUEST_NOTES)
        notes = request.notes()  # sent all the same; said before it goes
        if notes:
            w.notices.show(Notice(NoticeKind.REQUEST_NOTES, NoticeLevel.INFO,
                                  "; ".join(request_note(n) for n in notes)))
        w.save_settings_soon()
        # A region drawn on the input makes it a region edit (EditorState.submit).
        return w.tasks.spawn(w.editor.submit(request, w.edit_session, w.tasks))

    def cancel(self) -> None:
        """Esc / Cancel: every single edit in flight (the batch has its own Cancel all)."""
        n = self.window.edit_session.cancel_singles()
        if n:
            self._status(translate("MainWindow", "Cancelling {n} edits…").format(n=n)
                         if n > 1 else translate("MainWindow", "Cancelling the edit…"))

    def not_connected(self) -> None:
        w = self.window
        w.notices.show(Notice(
            NoticeKind.NOT_CONNECTED, NoticeLevel.WARNING,
            translate("MainWindow", "Qwen Studio is not connected to a service yet."),
            translate("MainWindow", "Set up your API key in Settings, or try the demo."),
            translate("MainWindow", "Open settings"), w.open_settings))

    def rephrase(self) -> None:
        edit = self.window.prompt_panel.prompt_edit
        edit.setFocus()
        edit.selectAll()
