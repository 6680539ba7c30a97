"""Widgets on their own: what a user sees in counts, parameters, banner, history rows."""

from __future__ import annotations

from PySide6.QtCore import Qt

from qwen_studio.core.request import PROMPT_LIMIT
from qwen_studio.ui.editor.drop_zone import EMPTY_TEXT, DropZone
from qwen_studio.ui.editor.parameters_panel import ParametersPanel
from qwen_studio.ui.editor.prompt_panel import PromptPanel
from qwen_studio.ui.notices.banner import Banner


def test_prompt_count_warns_with_word_not_just_colour(qtbot):
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.set_prompt("x" * 10)
    assert panel.prompt_count.label.text() == f"10 / {PROMPT_LIMIT}"
    assert not panel.prompt_count.over
    panel.set_prompt("x" * (PROMPT_LIMIT + 12))
    assert panel.prompt_count.over
    assert "Too long" in panel.prompt_count.label.text()
    assert "remove 12" in panel.prompt_count.label.text()


def test_ctrl_enter_in_prompt_requests_run(qtbot):
    panel = PromptPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.runRequested, timeout=1000):
        qtbot.keyClick(panel.prompt_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert panel.prompt() == ""  # the key ran, it did not insert a newline


def test_parameters_follow_the_model(qtbot):
    params = ParametersPanel()
    qtbot.addWidget(params)
    params.set_model("qwen-image-edit-plus")
    assert params.count_spin.maximum() == 6
    params.count_spin.setValue(4)
    params.set_model("qwen-image")
    sizes = [params.size_combo.itemText(i) for i in range(params.size_combo.count())]
    # The text-to-image sizes of the catalog, 3:4 included.
    assert sizes == ["Auto", "1664*928", "1472*1104", "1328*1328", "1104*1472", "928*1664"]
    assert params.count_spin.maximum() == 1 and params.count_spin.value() == 1
    assert params.seed() is None and params.seed_spin.text() == "Random"
    params.size_combo.setEditText("1024x768")
    assert params.size() == "1024*768"


def test_parameters_collapse(qtbot):
    params = ParametersPanel()
    qtbot.addWidget(params)
    params.show()
    params.toggle.click()
    assert params.body.isHidden() and not params.is_expanded()


def test_banner_action_and_dismiss(qtbot):
    banner = Banner()
    qtbot.addWidget(banner)
    banner.show_message("error", "The API key was refused", "Check Settings", "Open settings",
                        "settings")
    assert banner.isVisible() and "Error" in banner.message()
    with qtbot.waitSignal(banner.actionTriggered) as sig:
        banner.action_button.click()
    assert sig.args == ["settings"] and not banner.isVisible()
    banner.show_message("info", "note")
    assert banner.action_text() == ""
    banner.close_button.click()
    assert not banner.isVisible()


def test_drop_zone_teaches_when_empty(qtbot):
    zone = DropZone()
    qtbot.addWidget(zone)
    zone.show()
    assert EMPTY_TEXT == "Drop photos, paste (Ctrl+V) or click to browse"
    assert zone.findChild(object, "dropZoneEmpty").text() == EMPTY_TEXT
    with qtbot.waitSignal(zone.browseRequested, timeout=1000):
        qtbot.keyClick(zone, Qt.Key.Key_Return)


def test_prompt_count_counts_what_is_sent(qtbot):
    """The request strips surrounding whitespace; the counter must give the same number as
    the "too long" message, or a user trims to '800 / 800' and is still refused."""
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.prompt_edit.setPlainText("  make it blue \n\n")
    assert panel.prompt_count.label.text() == "12 / 800"
    panel.negative_edit.setPlainText("\tblur ")
    assert panel.negative_count.label.text() == "4 / 500"
