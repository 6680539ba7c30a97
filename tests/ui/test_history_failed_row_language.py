"""A failed edit's row in the history says why in the window's language: a live failure
read the client's English (`user_message`) into the row while the banner above it was
Chinese (error_message translates the headline and the transport reason by its code)."""

from __future__ import annotations

import httpx

from qwen_studio.core.client_errors import transport_error
from qwen_studio.core.editing.progress import EditProgress, EditStatus, Stage
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.error_text import error_message
from qwen_studio.ui.history.entries import HistoryEntry


def failed_progress() -> EditProgress:
    cut = transport_error(httpx.ReadError(""), "http://127.0.0.1:8080/v1", download=False,
                          api_key="sk-x", read_timeout=120)
    return EditProgress(edit_id=7, request=EditRequest(inputs=(), prompt="night sky"),
                        label="lake.jpg", status=EditStatus.FAILED, stage=Stage.FINISHED,
                        error=cut)


def test_a_failed_rows_reason_is_chinese_in_a_chinese_window(chinese):
    entry = HistoryEntry.from_progress(failed_progress())
    assert entry.note == "与 127.0.0.1 的连接中断了：回应还没收完就断开了"


def test_and_the_same_words_as_the_banner_in_english(qapp):
    p = failed_progress()
    assert p.error is not None
    entry = HistoryEntry.from_progress(p)
    assert entry.note == error_message(p.error) == (
        "The connection to 127.0.0.1 was interrupted: the answer stopped before it was "
        "complete")
