"""A failed edit's banner ends when a later edit succeeds.

The banner of a flagged prompt ("The content was flagged by moderation — Rephrase") stayed up
after the rephrased edit came back done, so the window said an edit had failed while the
canvas showed the one that worked. The failed edit's history row keeps its reason."""

from __future__ import annotations

from pathlib import Path

from window_helpers import drop_files, make_jpeg, sandbox_endpoint, until

from qwen_studio.ui.history.model import DONE, FAILED
from qwen_studio.ui.notices import NoticeKind


def statuses(window) -> list[str]:
    return [e.status for e in window.history_model.entries()]


async def run(window, prompt: str) -> None:
    before = sum(s in (DONE, FAILED) for s in statuses(window))
    window.prompt_panel.prompt_edit.setPlainText(prompt)
    assert window.run_edit() is not None
    await until(lambda: sum(s in (DONE, FAILED) for s in statuses(window)) > before, 30,
                "the edit to finish")


def test_moderation_banner_clears_when_the_rephrased_edit_succeeds(
        sandbox, make_window, qloop, tmp_path: Path) -> None:
    window = make_window(sandbox_endpoint(sandbox))
    photo = make_jpeg(tmp_path / "photo.jpg", (400, 400))

    async def scenario() -> None:
        drop_files(window.drop_zone, [photo])
        await until(lambda: window.inputs, 10, "the input")
        await run(window, "[moderate] make it blue")
        notice = window.notices.current()
        assert notice is not None and notice.kind is NoticeKind.EDIT_FAILED
        assert "flagged by moderation" in window.banner.message()
        assert window.banner.isVisible()

        await run(window, "make it green")
        assert statuses(window) == [DONE, FAILED]
        assert window.notices.current() is None, window.banner.message()
        assert not window.banner.isVisible()

        # A new failure after that is shown again.
        await run(window, "[moderate] make it red")
        assert "flagged by moderation" in window.banner.message()
        assert window.banner.isVisible()

    qloop.run(scenario())
    assert "flagged by moderation" in window.history_model.entries()[0].note
