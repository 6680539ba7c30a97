"""The prompt box's height: three lines when empty (sized without asking its document, so
the first frame does not build PySide's text-document types), growing with its text."""

from __future__ import annotations

from qwen_studio.ui.editor.prompt_panel import (
    EMPTY_DOCUMENT_MARGIN,
    MIN_PROMPT_LINES,
    PromptPanel,
)


def _lines_tall(edit, lines: int) -> int:
    m = edit.contentsMargins()
    return (lines * edit.fontMetrics().lineSpacing()
            + int(2 * edit.document().documentMargin()) + m.top() + m.bottom() + 2)


def test_an_empty_prompt_box_is_as_tall_as_its_document_says(qtbot):
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 400)
    panel.show()
    edit = panel.prompt_edit
    # The margin the empty box assumes is the one Qt gives the document.
    assert edit.document().documentMargin() == EMPTY_DOCUMENT_MARGIN
    empty = _lines_tall(edit, MIN_PROMPT_LINES)
    assert edit.height() == empty
    edit.setPlainText("\n".join(f"line {i}" for i in range(6)))
    qtbot.waitUntil(lambda: edit.height() == _lines_tall(edit, 6))
    edit.setPlainText("")
    qtbot.waitUntil(lambda: edit.height() == empty)
