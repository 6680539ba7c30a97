"""The prompt library popup on real text fields: filter, insert at the cursor, replace,
undo, the shortcut, and the requests it sends to whoever owns the library."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from qwen_studio.core.library import Library
from qwen_studio.core.prompt_library import PromptLibrary, RecentPrompt
from qwen_studio.ui.dialogs.shortcuts import collect
from qwen_studio.ui.editor.prompt_library_popup import PromptLibraryPopup, prompt_library_action


@pytest.fixture
def fields(qtbot):
    host = QWidget()
    prompt, negative = QPlainTextEdit(), QPlainTextEdit()
    lay = QVBoxLayout(host)
    lay.addWidget(prompt)
    lay.addWidget(negative)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    popup = PromptLibraryPopup(host)
    return host, prompt, negative, popup


@pytest.fixture
def library_entries():
    with Library() as lib:
        pl = PromptLibrary(lib)
        pl.add("Relight the scene to golden hour", "Golden hour", starred=True)
        pl.add("Remove the background and replace it with pure white", "White background")
        pl.add("blurry, watermark", "Clean", kind="negative")
        yield pl


def serve(popup: PromptLibraryPopup, pl: PromptLibrary) -> list[str]:
    """What the window will do: answer `opened(kind)` from the library."""
    asked: list[str] = []

    def on_open(kind: str) -> None:
        asked.append(kind)
        popup.set_entries(pl.snippets(kind), [RecentPrompt("make the sky stormy", 0, 1),
                                              RecentPrompt("Relight the scene to golden hour",
                                                           0, 3)])
    popup.opened.connect(on_open)
    return asked


def put_cursor(edit: QPlainTextEdit, text: str, at: int) -> None:
    edit.setPlainText(text)
    cursor = edit.textCursor()
    cursor.setPosition(at)
    edit.setTextCursor(cursor)


def test_type_to_filter_then_enter_inserts_at_the_cursor(fields, library_entries, qtbot):
    _host, prompt, _neg, popup = fields
    serve(popup, library_entries)
    put_cursor(prompt, "Keep the model. Then soften shadows.", len("Keep the model."))
    popup.open_for(prompt)
    assert popup.isVisible()
    # Starred snippet first, then the other snippet, then recents (a recent prompt that is
    # a snippet already is not listed twice).
    assert popup.visible_texts() == [
        "Relight the scene to golden hour",
        "Remove the background and replace it with pure white",
        "make the sky stormy"]
    QTest.keyClicks(popup.filter_edit, "WHITE back")
    assert popup.visible_texts() == ["Remove the background and replace it with pure white"]
    QTest.keyClick(popup.filter_edit, Qt.Key.Key_Return)
    assert not popup.isVisible()
    assert prompt.toPlainText() == ("Keep the model. Remove the background and replace it "
                                    "with pure white Then soften shadows.")
    prompt.undo()
    assert prompt.toPlainText() == "Keep the model. Then soften shadows."


def test_shift_enter_replaces_and_arrows_choose(fields, library_entries):
    _host, prompt, _neg, popup = fields
    serve(popup, library_entries)
    put_cursor(prompt, "old prompt", 3)
    popup.open_for(prompt)
    QTest.keyClick(popup.filter_edit, Qt.Key.Key_Down)
    QTest.keyClick(popup.filter_edit, Qt.Key.Key_Down)
    QTest.keyClick(popup.filter_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert prompt.toPlainText() == "make the sky stormy"
    prompt.undo()
    assert prompt.toPlainText() == "old prompt"


def test_negative_prompt_field_gets_negative_snippets(fields, library_entries):
    _host, prompt, negative, popup = fields
    asked = serve(popup, library_entries)
    negative.setPlainText("")
    popup.open_for(negative, "negative")
    assert asked == ["negative"]
    assert popup.visible_texts()[0] == "blurry, watermark"
    QTest.keyClick(popup.filter_edit, Qt.Key.Key_Enter)
    assert negative.toPlainText() == "blurry, watermark" and prompt.toPlainText() == ""


def test_ctrl_space_opens_it_and_escape_closes(fields, library_entries, qtbot):
    host, prompt, _neg, popup = fields
    serve(popup, library_entries)
    prompt_library_action(prompt, popup)
    prompt.setFocus()
    qtbot.waitUntil(prompt.hasFocus)
    QTest.keyClick(prompt, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(popup.isVisible)
    QTest.keyClick(popup.filter_edit, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert prompt.toPlainText() == ""
    # Help ▸ Keyboard shortcuts is built from the window's actions: it lists this one.
    assert any(keys.startswith("Ctrl+Space") and "Prompt library" in what
               for keys, what in collect(host))


def test_nothing_matches_says_so(fields, library_entries):
    _host, prompt, _neg, popup = fields
    serve(popup, library_entries)
    popup.open_for(prompt)
    QTest.keyClicks(popup.filter_edit, "zebra unicorn")
    assert popup.visible_texts() == [] and popup.empty_label.isVisibleTo(popup)
    QTest.keyClick(popup.filter_edit, Qt.Key.Key_Return)  # nothing to apply: no change
    assert prompt.toPlainText() == ""


def test_save_star_and_delete_are_requests_for_the_owner(fields, library_entries, qtbot):
    _host, prompt, _neg, popup = fields
    serve(popup, library_entries)
    prompt.setPlainText("put the product from image 2 in the scene of image 1")
    popup.open_for(prompt)
    with qtbot.waitSignal(popup.saveRequested) as saved:
        popup.save_button.click()
    assert saved.args == ["put the product from image 2 in the scene of image 1", "prompt"]
    starred = popup.current_entry_at(0)
    menu = popup.snippet_menu(starred)
    labels = [a.text() for a in menu.actions()]
    assert "Unstar" in labels and "Delete snippet" in labels
    with qtbot.waitSignal(popup.starToggled) as star:
        next(a for a in menu.actions() if a.text() == "Unstar").trigger()
    assert star.args == [starred.snippet_id, False]
    with qtbot.waitSignal(popup.deleteRequested) as deleted:
        next(a for a in menu.actions() if a.text() == "Delete snippet").trigger()
    assert deleted.args == [starred.snippet_id]
    recent = popup.current_entry_at(2)
    assert "Save as snippet" in [a.text() for a in popup.snippet_menu(recent).actions()]


def test_cursor_after_text_gets_a_space_before_the_snippet(fields, library_entries):
    _host, prompt, _neg, popup = fields
    serve(popup, library_entries)
    put_cursor(prompt, "make it", 7)
    popup.open_for(prompt)
    QTest.keyClicks(popup.filter_edit, "golden")
    QTest.keyClick(popup.filter_edit, Qt.Key.Key_Return)
    assert prompt.toPlainText() == "make it Relight the scene to golden hour"
    assert prompt.textCursor().position() == len(prompt.toPlainText())


def test_rows_say_what_they_are_with_icons_not_glyphs(fields, library_entries):
    _host, prompt, _negative, popup = fields
    serve(popup, library_entries)
    popup.open_for(prompt)
    proxy = popup.list.model()
    rows = [(proxy.index(r, 0).data(Qt.ItemDataRole.DisplayRole),
             proxy.index(r, 0).data(Qt.ItemDataRole.DecorationRole).name())
            for r in range(proxy.rowCount())]
    kinds = dict((text.split("  —  ")[0], kind) for text, kind in rows)
    assert kinds["Golden hour"] == "starred" and kinds["White background"] == "snippet"
    assert kinds["make the sky stormy"] == "history"
    assert not any(g in text for text, _ in rows for g in "★◆↺")
    assert popup.list.iconSize().height() == 16  # as tall as the words, not a thumbnail
