"""A paid result's note already says what Retry does ("… — Retry sends the edit again, at a
new charge"): the banner showed core's hint under it as well, saying it twice, and in
English in a Chinese window."""

from __future__ import annotations

import pytest

from qwen_studio.core.editing.paid import KEPT_HINT, LOST_HINT
from qwen_studio.core.errors import NoteError, Reason
from qwen_studio.ui.error_text import error_message
from qwen_studio.ui.progress_text import final_hint

NOTES = [("paid_result_lost", LOST_HINT), ("paid_not_downloaded", KEPT_HINT)]


@pytest.mark.parametrize(("code", "hint"), NOTES)
def test_the_next_step_is_said_once(qapp, code, hint) -> None:
    exc = NoteError(Reason(code, why="the link has expired"), hint=hint)
    assert "Retry" in error_message(exc)
    assert final_hint(exc, 1) == ""


@pytest.mark.parametrize(("code", "hint"), NOTES)
def test_no_english_under_a_chinese_note(chinese, code, hint) -> None:
    exc = NoteError(Reason(code, why="x"), hint=hint)
    assert "重试" in error_message(exc)
    assert final_hint(exc, 1) == ""
