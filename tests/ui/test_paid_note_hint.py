"""A paid result's banner: what happened in the message, the next step in the hint. The
whole note ("… — Retry sends the edit again, at a new charge") stood over core's hint
("Retry sends the edit again; that is charged again."), the step said twice, and the hint in
English in a Chinese window."""

from __future__ import annotations

import pytest

from qwen_studio.core.editing.paid import KEPT_HINT, LOST_HINT
from qwen_studio.core.errors import NoteError, Reason
from qwen_studio.ui.error_text import banner_message, error_message
from qwen_studio.ui.progress_text import final_hint

NOTES = [("paid_result_lost", LOST_HINT), ("paid_not_downloaded", KEPT_HINT)]


@pytest.mark.parametrize(("code", "hint"), NOTES)
def test_the_next_step_is_said_once(qapp, code, hint) -> None:
    exc = NoteError(Reason(code, why="the link has expired"), hint=hint)
    message, shown_hint = banner_message(exc), final_hint(exc, 1)
    assert message.startswith("Paid result") and "the link has expired" in message
    assert "Retry" not in message and shown_hint == hint
    assert "Retry" in error_message(exc)  # the history row's note keeps its next step


@pytest.mark.parametrize(("code", "hint"), NOTES)
def test_no_english_on_a_chinese_banner(chinese, code, hint) -> None:
    exc = NoteError(Reason(code, why="x"), hint=hint)
    message, shown_hint = banner_message(exc), final_hint(exc, 1)
    assert message.startswith("已付费的结果") and "重试" not in message, message
    assert "重试" in shown_hint and shown_hint.isascii() is False, shown_hint
    assert not any(word in shown_hint for word in ("Retry", "charged")), shown_hint
