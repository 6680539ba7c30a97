"""The history's background work runs on the window's TaskRunner: when it fails the user is
told (a notice), instead of the failure vanishing in a task nobody looks at."""

from __future__ import annotations

from history_helpers import seed
from window_helpers import until

from qwen_studio.core.library import Library


def test_a_delete_the_library_refuses_is_reported_not_swallowed(make_window, qloop,
                                                                  monkeypatch):
    with Library() as lib:
        seed(lib, ["make the sky pink", "add a red hat"])
    window = make_window()
    panel = window.history_panel
    assert panel.tasks is window.tasks  # one runner for the window's background work

    def refuse(ids: list[int]) -> None:
        raise RuntimeError("the library is locked")

    async def scenario() -> None:
        await until(lambda: window.history_model.rowCount() == 2
                    and not window.history_model.is_loading(), 10, "two rows")
        monkeypatch.setattr(window.history_model.library, "delete", refuse)
        panel.select_row(0)
        panel.delete_selected()
        await until(lambda: window.notices.current() is not None, 10, "a notice")

    qloop.run(scenario())
    notice = window.notices.current()
    assert notice is not None and "RuntimeError" in notice.message
