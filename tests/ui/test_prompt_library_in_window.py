"""The prompt library in the real window: Ctrl+Space on the prompt box lists the starter
snippets and the prompts run before, and Enter puts the chosen one into the box."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from window_helpers import until

from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest


def test_ctrl_space_offers_snippets_and_recent_prompts_and_inserts(make_window, qloop,
                                                                   tmp_path: Path):
    library = Library(tmp_path / "lib")
    library.create_edit(EditRequest(inputs=(), prompt="make the sky stormy, keep the lighthouse",
                                    model="qwen-image-2.0-pro"), input_hashes=())
    window = make_window(library=library)
    edit = window.prompt_panel.prompt_edit
    popup = window.prompt_library.popup

    async def scenario() -> None:
        edit.setFocus()
        await until(lambda: edit.hasFocus(), 5, "the prompt box focused")
        QTest.keyClick(edit, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
        await until(lambda: popup.isVisible(), 5, "the popup")
        await until(lambda: any("lighthouse" in t for t in popup.visible_texts())
                    and len(popup.visible_texts()) > 3, 10, "snippets and the recent prompt")
        QTest.keyClicks(popup.filter_edit, "lighthouse")
        await until(lambda: len(popup.visible_texts()) == 1, 5, "the filter")
        QTest.keyClick(popup.filter_edit, Qt.Key.Key_Return)
        await until(lambda: not popup.isVisible(), 5, "the popup to close")

    qloop.run(scenario())
    assert edit.toPlainText() == "make the sky stormy, keep the lighthouse"
