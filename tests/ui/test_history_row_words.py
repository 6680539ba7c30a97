"""A history row's status, as a designer reads it: in the window's language at every stage
("运行中 1 秒 · retrying" was shown), and a running batch's counts whole at the history's
first-start width ("1/5 张完成 · 1 …" said nothing of the one)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem
from window_helpers import OneRowModel, RecordingPainter, until

from qwen_studio import i18n
from qwen_studio.core.editing.progress import Stage
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.history.delegate import HistoryDelegate
from qwen_studio.ui.history.entries import BatchGroup, HistoryEntry

LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture
def chinese(qapp) -> Iterator[None]:
    assert i18n.install(qapp, language="zh_CN") == "zh_CN"
    try:
        yield
    finally:
        i18n.uninstall(qapp)


def entry(edit_id: int, status: EditStatus, stage: str = "") -> HistoryEntry:
    return HistoryEntry(edit_id=edit_id, request=EditRequest(inputs=(), prompt="加一条船"),
                        status=status, stage=stage, created=1000.0, started=1000.0,
                        finished=None if status is EditStatus.RUNNING else 1004.0)


def running_batch() -> BatchGroup:
    """1 of 5 done, 1 running, 3 queued: the walk's batch."""
    return BatchGroup("b1", [entry(5, EditStatus.QUEUED), entry(4, EditStatus.QUEUED),
                             entry(3, EditStatus.QUEUED),
                             entry(2, EditStatus.RUNNING, Stage.DOWNLOADING.value),
                             entry(1, EditStatus.DONE)])


@pytest.mark.parametrize("stage", [s for s in Stage if s is not Stage.FINISHED])
def test_a_running_rows_stage_is_in_chinese(chinese, stage: Stage):
    e = entry(1, EditStatus.RUNNING, stage.value)
    e.created = e.started = time.time() - 1  # "运行中 1 秒 · …"
    for text in e.status_texts():
        assert text.startswith("运行中 ") and not LATIN.search(text), text


def test_queued_and_batch_rows_say_nothing_in_english(chinese):
    assert not LATIN.search(entry(1, EditStatus.QUEUED).status_text())
    group = running_batch()
    for text in group.status_texts():
        assert not LATIN.search(text), text


def test_a_batch_rows_words_follow_its_counts_and_language(qapp):
    group = running_batch()
    assert group.status_texts() == ("1/5 done · 1 running · 3 queued", "1/5 done · 1 running",
                                    "1/5 done")
    first = group.members[0]
    first.status = EditStatus.FAILED
    group.note(first)
    assert group.status_text() == "1/5 done · 1 failed · 1 running · 2 queued"
    assert i18n.install(qapp, language="zh_CN") == "zh_CN"
    try:
        assert group.status_text().startswith("1/5 张完成 · 1 张失败")
    finally:
        i18n.uninstall(qapp)
    assert group.status_texts()[-1] == "1/5 done · 1 failed"  # a failure is never dropped


def painted(window: object, row: object) -> list[str]:
    """The texts the history's delegate draws for `row` at the window's list width."""
    view = window.history_list  # type: ignore[attr-defined]
    width = view.viewport().width()
    model = OneRowModel(row)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, width, HistoryDelegate.ROW)
    option.font = view.font()
    option.palette = QApplication.palette()
    option.state = QStyle.StateFlag.State_Enabled
    image = QImage(width, HistoryDelegate.ROW, QImage.Format.Format_RGB32)
    painter = RecordingPainter(image)
    HistoryDelegate().paint(painter, option, model.index(0, 0))
    painter.end()
    return painter.texts


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_running_batch_row_is_whole_at_the_first_start_width(qapp, qloop, make_window,
                                                               lang):
    if lang != "en":
        assert i18n.install(qapp, language=lang) == lang
    try:
        window = make_window()
        window.history_empty.hide()  # the list as it is with edits in it
        window.history_list.show()
        window.history_panel.layout().activate()

        async def settled() -> None:
            sizes = window.splitter.sizes()
            await until(lambda: window.history_list.viewport().width() > 100
                        and sum(sizes) > 0, 5, "the history laid out")

        qloop.run(settled())
        group = running_batch()
        group.spend = "≈ ¥0.20"
        texts = painted(window, group)
        status = [t for t in texts if t.startswith("1/5")]
        assert status, texts
        assert "…" not in status[0] and status[0] in group.status_texts(), (status, texts)
        assert "≈ ¥0.20" in texts
    finally:
        if lang != "en":
            i18n.uninstall(qapp)


def test_a_staged_batch_row_shows_the_prompt_it_runs_with(qapp):
    """A batch staged, then its prompt changed before Run: the queue said the new prompt
    and the history row still the old one until the edit had finished."""
    from dataclasses import replace

    from qwen_studio.core.editing.progress import EditProgress

    staged = EditProgress(7, EditRequest(inputs=("a.jpg",), prompt="warm light"), "a.jpg",
                          batch_id="b1")
    e = HistoryEntry.from_progress(staged)
    group = BatchGroup("b1", [e])
    changed = replace(staged, request=replace(staged.request, prompt="a dramatic sunset"))
    e.take_progress(changed)  # the queue's update_request
    e.take_progress(replace(changed, status=EditStatus.RUNNING, stage=Stage.SENDING))
    assert group.request.prompt == e.request.prompt == "a dramatic sunset"
