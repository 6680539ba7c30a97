"""The drop zone's note in Chinese: "未添加：broken.jpg：…" with full-width colons, not an
ASCII ": " after the word (the file's name already got the full-width one)."""

from __future__ import annotations

from qwen_studio.ui.editor.drop_zone import DropZone


def test_the_note_word_takes_a_full_width_colon(chinese, qtbot):
    zone = DropZone()
    qtbot.addWidget(zone)
    zone.set_message("broken.jpg：这不是图片", "error")
    assert zone.message() == "未添加：broken.jpg：这不是图片"
    assert zone.message_label.accessibleName() == zone.message()
    zone.set_message("文件夹里没有照片", "warning")
    assert zone.message() == "提示：文件夹里没有照片"


def test_english_keeps_its_colon_and_space(qtbot):
    zone = DropZone()
    qtbot.addWidget(zone)
    zone.set_message("notes.txt: not an image", "error")
    assert zone.message() == "Not added: notes.txt: not an image"
