"""The status bar's line for single edits in flight says what the canvas pill says
("Editing… 12 s"), not "Editing… running 12 s" (two words for one state), in either
language."""

from __future__ import annotations

from dataclasses import replace

from qwen_studio.core.editing.progress import EditProgress, Stage
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.progress_text import busy_text


def running(edit_id: int, started: float, stage: Stage = Stage.SENDING) -> EditProgress:
    return EditProgress(edit_id, EditRequest(inputs=("a.jpg",), prompt="p"), "a.jpg",
                        status=EditStatus.RUNNING, stage=stage, started_at=started)


def test_a_running_edit_reads_as_the_canvas_pill(qapp) -> None:
    assert busy_text([running(1, 100.0)], now=112.4) == "Editing… 12 s"
    assert busy_text([running(1, 100.0, Stage.DOWNLOADING)], now=103.0) == (
        "Editing… 3 s · downloading")
    assert busy_text([running(1, 90.0), running(2, 100.0)], now=101.0) == (
        "Editing… 1 s  (+1 more)")


def test_in_chinese_too(chinese) -> None:
    text = busy_text([running(1, 100.0)], now=105.0)
    assert text == "编辑中… 5 秒", text


def test_a_retry_is_said_without_the_error_the_banner_shows(qapp) -> None:
    """The error's whole text ran past the status bar's room ("…: An internal error has
    oc") beside the banner that already says it."""
    from qwen_studio.core.endpoint import RetryInfo
    from qwen_studio.core.errors import ServerError

    edit = replace(running(1, 100.0, Stage.RETRYING),
                   retry=RetryInfo(1, 4, 1.0, ServerError("The service had an internal error")))
    assert busy_text([edit], now=100.0) == "Editing… 0 s — retrying in 1 s (attempt 2 of 4)"
