"""Typed notices: one per situation, cleared when the situation ends (issue #12)."""

from __future__ import annotations

from window_helpers import make_jpeg, sandbox_endpoint, until

from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel, Notices
from qwen_studio.ui.notices.banner import Banner


def test_demo_start_clears_the_not_connected_notice(make_window, qloop):
    # Nothing configured: Run says so.
    w = make_window(sandbox_latency=0.0)
    assert w.run_edit() is None
    assert w.banner.isVisible()
    assert "not connected" in w.banner.message().lower()
    # "Try the demo" on the welcome panel: once the sandbox is up, the notice is gone and
    # the status bar and the banner agree.
    w.welcome.demo_button.click()
    qloop.run(until(lambda: w.endpoint is not None, 30, "the demo sandbox"))
    assert w.profile_label.text() == "● Demo sandbox"
    assert not w.banner.isVisible(), w.banner.message()


def test_a_notice_action_is_a_callable_and_clears_the_notice(qtbot):
    notices = Notices()
    banner = Banner(notices)
    qtbot.addWidget(banner)
    banner.show()
    pressed: list[str] = []
    notices.show(Notice(NoticeKind.CONFIG, NoticeLevel.WARNING, "No profile", "Add one",
                        "Open settings", lambda: pressed.append("settings")))
    assert banner.isVisible() and banner.action_text() == "Open settings"
    banner.action_button.click()
    assert pressed == ["settings"]
    assert notices.current() is None and not banner.isVisible()


def test_clearing_a_situation_leaves_another_situations_notice(qtbot):
    notices = Notices()
    banner = Banner(notices)
    qtbot.addWidget(banner)
    banner.show()
    notices.show(Notice(NoticeKind.SAVE_FAILED, NoticeLevel.ERROR, "Disk full"))
    assert not notices.clear(NoticeKind.NOT_CONNECTED)  # another situation ended
    assert banner.isVisible() and "Disk full" in banner.message()
    assert notices.clear(NoticeKind.SAVE_FAILED)
    assert not banner.isVisible() and banner.kind == ""


def test_a_valid_run_ends_the_request_problem(make_window, qloop, sandbox, tmp_path):
    w = make_window(sandbox_endpoint(sandbox))
    w.add_inputs([make_jpeg(tmp_path / "a.jpg")])
    qloop.run(until(lambda: w.inputs, 10, "the input"))
    assert w.run_edit() is None  # no prompt yet
    assert w.notices.current() is not None
    assert w.notices.current().kind is NoticeKind.REQUEST_PROBLEM
    w.prompt_panel.prompt_edit.setPlainText("add a hat")
    assert w.run_edit() is not None
    assert not w.banner.isVisible()
