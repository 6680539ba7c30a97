"""EditorState builds the request without any widget; the editor panel keeps it current."""

from __future__ import annotations

from pathlib import Path

from qwen_studio.ui.editor.panel import EditorPanel
from qwen_studio.ui.editor.state import EditorState, InputItem, Parameters


def test_build_request_from_state_alone(qapp):
    state = EditorState()
    state.set_inputs([InputItem(Path("/photos/a.jpg")),
                      InputItem(Path("/photos/b.jpg"), parent_edit_id=7)])
    state.set_prompt("  make it warmer  ")
    state.set_negative_prompt(" blur ")
    state.set_parameters(Parameters(model="qwen-image-edit-plus", size="1024*1024", n=2,
                                    seed=42, watermark=True, prompt_extend=False))
    state.set_style("dashscope")
    request, problems = state.build_request()
    assert problems == []
    assert request is not None
    assert request.inputs == ("/photos/a.jpg", "/photos/b.jpg")
    assert request.prompt == "make it warmer"  # what is sent is stripped
    assert request.negative_prompt == "blur"
    assert (request.model, request.size, request.n, request.seed) == (
        "qwen-image-edit-plus", "1024*1024", 2, 42)
    assert request.watermark is True and request.prompt_extend is False
    assert request.style == "dashscope"
    assert state.parent_edit_id() == 7


def test_problems_come_back_as_codes(qapp):
    state = EditorState()
    _request, problems = state.build_request()  # no input, no prompt
    codes = {getattr(p, "code", "") for p in problems}
    assert {"prompt_empty", "no_input"} <= codes
    state.set_parameters(Parameters(size_problem="not a size"))
    request, problems = state.build_request()
    assert request is None and problems == ["not a size"]


def test_model_changed_fires_only_on_a_real_change(qapp):
    state = EditorState()
    seen: list[str] = []
    state.modelChanged.connect(seen.append)
    state.set_model(state.parameters.model)
    state.set_model("qwen-image-edit")
    state.set_model("qwen-image-edit")
    assert seen == ["qwen-image-edit"]


def test_the_panel_writes_what_the_user_sets_into_the_state(qtbot):
    state = EditorState()
    panel = EditorPanel(state)
    qtbot.addWidget(panel)
    panel.prompt_panel.prompt_edit.setPlainText("replace the sky")
    panel.prompt_panel.negative_edit.setPlainText("people")
    panel.params.count_spin.setValue(3)
    panel.params.seed_spin.setValue(1234)
    panel.params.size_combo.setEditText("800x600")
    assert state.prompt == "replace the sky"
    assert state.negative_prompt == "people"
    p = state.parameters
    assert (p.n, p.seed, p.size) == (3, 1234, "800*600")
    panel.params.size_combo.setEditText("large please")
    request, problems = state.build_request()
    assert request is None and problems  # the typed size is no size: named, not sent
    state.set_inputs([InputItem(Path("/photos/a.jpg"))])
    assert panel.drop_zone.input_names() == ["a.jpg"]  # the strip shows the state
