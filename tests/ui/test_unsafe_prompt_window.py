"""The window refuses a prompt with control or text-direction characters, as the CLI does
(EditRequest.problems()), and sends nothing."""

from __future__ import annotations

from pathlib import Path

from window_helpers import make_jpeg, sandbox_endpoint, until


def test_a_prompt_with_an_escape_sequence_is_not_sent(make_window, qloop, sandbox,
                                                      tmp_path: Path) -> None:
    window = make_window(sandbox_endpoint(sandbox))
    photo = make_jpeg(tmp_path / "boat.jpg", (400, 400))

    async def scenario() -> None:
        window.add_inputs([photo])
        await until(lambda: window.inputs, 15, "the input")
        window.prompt_panel.prompt_edit.setPlainText("make it \x1b[2Jred")
        assert window.run_edit() is None

    qloop.run(scenario())
    assert window.banner.isVisible() and window.banner.kind == "warning"
    message = window.banner.message()
    assert "control character" in message and "\\x1b" in message, message
    assert "\x1b" not in message
    assert sandbox.request_count == 0
