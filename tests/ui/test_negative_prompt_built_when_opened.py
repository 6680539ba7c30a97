"""The negative prompt's box is built when first opened or given text (not for the first
frame), and then works as one built up front: its text reaches the request, Tab reaches it
between the prompt and the parameters, the prompt library opens from it, and a saved
negative prompt comes back at the next start (issue 18)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPlainTextEdit, QWidget
from window_helpers import saved_negative


def _negative(w) -> QPlainTextEdit | None:
    # Looked up by name: the panel's `negative_edit` property would build it.
    return w.findChild(QPlainTextEdit, "negativePromptEdit")


def _next_tab_stop(widget: QWidget) -> QWidget:
    """Where Tab goes from `widget`: the next widget in its focus chain that takes Tab."""
    nxt = widget.nextInFocusChain()
    while not (nxt.focusPolicy() & Qt.FocusPolicy.TabFocus and nxt.isVisible()):
        nxt = nxt.nextInFocusChain()
    return nxt


def test_negative_prompt_is_built_when_opened_and_then_works(make_window):
    w = make_window()
    pp = w.prompt_panel
    assert _negative(w) is None and not pp.negative_expanded()
    assert pp.negative_prompt() == ""
    pp.negative_toggle.click()  # the user opens it
    edit = _negative(w)
    assert edit is not None and edit.isVisible() and pp.negative_expanded()
    edit.setFocus()
    QTest.keyClicks(edit, "blurry")
    assert w.editor.negative_prompt == "blurry"  # the window's state follows the box
    assert pp.negative_count.label.text() == "6 / 500"
    # Tab order: prompt -> negative prompt -> the parameters' toggle.
    assert _next_tab_stop(pp.prompt_edit) is edit
    assert _next_tab_stop(edit) is w.params.toggle
    # The prompt library opens from it too (Ctrl+Space while it has focus).
    action = edit.findChild(QAction, "negativeLibraryAction")
    assert action is not None and edit in action.associatedObjects()
    # Closed with text in it: the toggle says so.
    pp.negative_toggle.click()
    assert not edit.isVisible()
    assert "6" in pp.negative_toggle.text()


def test_a_saved_negative_prompt_comes_back_collapsed(make_window, tmp_path):
    w = make_window(settings=saved_negative(tmp_path, "text, watermark"))
    pp = w.prompt_panel
    edit = _negative(w)
    assert edit is not None and not edit.isVisible()  # built for its text, still closed
    assert pp.negative_prompt() == "text, watermark"
    assert w.editor.negative_prompt == "text, watermark"
    assert "15" in pp.negative_toggle.text()


def test_an_empty_saved_negative_prompt_builds_nothing(make_window, tmp_path):
    w = make_window(settings=saved_negative(tmp_path, ""))
    assert _negative(w) is None
    w.save_settings()  # quitting writes it as it was: empty, closed
    assert w.qsettings.value("prompt/negative") == ""
    assert w.qsettings.value("prompt/negativeExpanded") in (False, "false")
    w.prompt_panel.focus_negative()  # Run's "negative prompt too long" puts the cursor there
    edit = _negative(w)
    assert edit is not None and edit.isVisible() and w.prompt_panel.negative_expanded()
