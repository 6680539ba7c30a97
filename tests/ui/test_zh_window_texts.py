"""Words the zh_CN window showed in English only after something happened (not at start-up,
which test_i18n walks): the history's delete/undo bar, restore and copy messages; the batch
queue's Pause/Resume, its resume offer, a photo's default prompt; the drop of a folder
without photos; the version tree and the result strip. And the finished batch's summary
sets its sentences side by side the Chinese way: no ASCII space after "。" or "："."""

from __future__ import annotations

import re

from _window_walk import CJK
from history_helpers import seed
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest
from window_helpers import until

from qwen_studio.core.editing.batches import BatchSummary
from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import QwenStudioError
from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest


def test_history_delete_undo_and_copy_speak_chinese(chinese, make_window, qloop) -> None:
    with Library() as lib:
        seed(lib, ["a", "b", "c"])
    window = make_window()
    panel, lv = window.history_panel, window.history_list
    said: list[str] = []
    panel.statusMessage.connect(lambda text, _ms: said.append(text))

    async def scenario() -> None:
        await until(lambda: window.history_model.rowCount() == 3
                    and not window.history_model.is_loading(), 10, "three rows")
        panel.select_rows([0, 1])
        panel.copy_prompt_action.trigger()
        QTest.keyClick(lv, Qt.Key.Key_Delete)
        assert panel.undo_label.text() == "已删除 2 个编辑"
        assert CJK.search(panel.undo_bar.accessibleDescription())
        QTest.keyClick(lv, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        await until(lambda: window.history_model.rowCount() == 3, 5, "restored")

    qloop.run(scenario())
    assert said[:1] == ["已复制 2 条提示词"] and "已恢复 2 个编辑" in said
    assert panel.export_scope("batch")[1] == "此批量"


def test_the_batch_queue_speaks_chinese_after_start_up(chinese, make_window, qloop,
                                                       tmp_path) -> None:
    window = make_window()
    batch = window.batch
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a photo")
    qloop.run(batch.add_folder(empty))
    assert "在 空文件夹 中没有找到照片" in window.drop_zone.message()
    panel = batch.panel
    panel.offer_resume(BatchSummary("b1", total=20, done=5, failed=0, pending=15,
                                    prompt="studio backdrop", created_at=0.0))
    offer = panel.resume_label.text()
    assert offer == "有一个 20 张照片的批量（“studio backdrop”）被中断：5 张已完成，还剩 15 张。"
    panel._on_paused(True)
    assert panel.pause_button.text() == panel.pause_button.accessibleName() == "继续"
    panel._on_paused(False)
    assert panel.pause_button.text() == "暂停"
    assert CJK.search(QCoreApplication.translate("BatchModel", "(the batch prompt)"))
    assert CJK.search(QCoreApplication.translate(
        "BatchModel", "Double-click to give this photo its own prompt"))


def test_the_finished_batch_summary_sets_chinese_sentences_without_spaces(chinese) -> None:
    from qwen_studio.ui.batch.texts import report_html
    from qwen_studio.ui.batch_controller import BatchReport

    failed = [EditProgress(9 + i, EditRequest(inputs=(f"{n}.jpg",), prompt=""), f"{n}.jpg",
                           status=EditStatus.FAILED, error=QwenStudioError(why))
              for i, (n, why) in enumerate([("d", "boom"), ("e", "boom"), ("f", "bang")])]
    report = BatchReport("b1", total=8, done=4, failed=3, cancelled=0,
                         failures=[(p.label, p) for p in failed], over_budget=1)
    text = report_html(report)
    assert text.startswith("<b>批量完成：</b>共 8 张，4 张完成，1 张因超出预算跳过，3 张失败。"
                           "提高预算后"), text
    assert "2 × boom（d.jpg，e.jpg）；1 × bang（f.jpg）。按“重试失败项”" in text, text
    # Full-width punctuation, nothing ASCII between the sentences.
    words = text.replace("<b>", "").replace("</b>", "").replace("<br>", "")
    assert not re.search(r"[。：；，）] ", words), words
    assert not re.search(r"[(),;]", words.replace(".jpg", "")), words
