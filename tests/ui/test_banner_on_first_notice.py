"""The notice banner is built when the first notice shows (not for the first frame), and
then shows that notice over the canvas like one built up front (issue 18)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel

from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel


def _banner(w) -> QFrame | None:
    # Looked up by name: the window's `banner` property would build it.
    return w.findChild(QFrame, "errorBanner")


def test_banner_is_built_by_the_first_notice_and_shows_it(make_window):
    w = make_window()
    assert _banner(w) is None  # nothing to say at start: no banner widgets either
    assert w.run_edit() is None  # not connected: Run says so in a notice
    banner = _banner(w)
    assert banner is not None and banner.isVisible()
    message = banner.findChild(QLabel, "bannerMessage")
    assert message is not None and "not connected" in message.text().lower()
    # Over the canvas, inside its area, as wide as the canvas less its margins.
    area = w.canvas_area
    assert banner.parentWidget() is area
    assert banner.geometry().width() >= area.width() - 2 * 12 - 1
    assert area.rect().contains(banner.geometry())
    w.notices.clear()
    assert not banner.isVisible()
    # A second notice reuses the same banner.
    w.notices.show(Notice(NoticeKind.TASK_FAILED, NoticeLevel.ERROR, "Something failed", ""))
    assert _banner(w) is banner and banner.isVisible()
    assert "Something failed" in w.banner.message()


def test_banner_asked_for_before_any_notice_is_hidden_and_then_shows_one(make_window):
    w = make_window()
    banner = w.banner  # e.g. a test or the accessibility walk asking for it
    assert not banner.isVisible() and banner.accessibleName()
    w.notices.show(Notice(NoticeKind.TASK_FAILED, NoticeLevel.WARNING, "Careful", "A hint"))
    assert banner.isVisible() and banner.hint() == "A hint"
