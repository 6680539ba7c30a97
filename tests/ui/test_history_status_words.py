"""A history row's status words are made once per state and language (a fling paints
thousands of rows a second, each asking), and never outlive what they say."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.history import status_words
from qwen_studio.ui.history.entries import HistoryEntry


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the rows looked up in the translations."""
    calls: list[str] = []
    real = status_words.translate

    def counting(context: str, text: str, *args: object) -> str:
        calls.append(text)
        return real(context, text, *args)

    monkeypatch.setattr(status_words, "translate", counting)
    return calls


def done_entry() -> HistoryEntry:
    return HistoryEntry(edit_id=1, request=EditRequest(inputs=(), prompt="add snow"),
                        status=EditStatus.DONE, created=1000.0, started=1000.0,
                        finished=1012.0, result_paths=[Path("a.png")])


def test_a_rows_status_words_are_made_once_and_follow_each_change(qapp, made):
    e = done_entry()
    for _ in range(5):  # five paints
        assert e.status_text() == "done in 12 s"
    assert len(made) == 1, made
    e.finished = 1020.0  # the library's final time arrived
    assert e.status_text() == "done in 20 s"
    e.result_paths = [Path("a.png"), Path("b.png"), Path("c.png")]
    assert e.status_texts() == ("done in 20 s · 3 images", "done in 20 s", "done")
    e.status, e.reason = EditStatus.SKIPPED, "over_budget"
    assert e.status_text() == "skipped (over budget)"
    e.reason = ""
    assert e.status_text() == "skipped"
    e.status, e.reason = EditStatus.FAILED, "paid_not_downloaded"
    assert e.status_text() == "failed · paid, not downloaded"
    e.status, e.started = EditStatus.DONE, 1010.0
    assert e.status_text() == "done in 10 s · 3 images"


    # A running edit's seconds move with the clock, and so does a finished one's whose end
    # is not known yet: never kept.
    e.status, e.finished, e.stage = EditStatus.RUNNING, None, "downloading"
    e.started = 0.0
    first = e.status_text()
    assert first.startswith("running ") and first.endswith(" · downloading"), first
    e.stage = "saving"
    assert e.status_text().endswith(" · saving")
    e.status = EditStatus.DONE
    assert e.status_text().startswith("done in ")
    e.finished = 12.0
    assert e.status_text() == "done in 12 s · 3 images"
    # Another language: the words are made again.
    from qwen_studio import i18n

    assert i18n.install(qapp, language="zh_CN") == "zh_CN"
    try:
        chinese = e.status_text()
        assert chinese != "done in 12 s · 3 images" and "12" in chinese, chinese
    finally:
        i18n.uninstall(qapp)
    assert e.status_text() == "done in 12 s · 3 images"
