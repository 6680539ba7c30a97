"""Issue #17: the window's statuses are the themed icon set beside a word, no Unicode
glyphs (★ ✗ ⟳) standing in for icons, at 1400×900."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton
from window_helpers import sandbox_endpoint

GLYPHS = "★✗⟳✓⚠"


def test_history_filters_and_in_flight_show_icons_beside_words(make_window, sandbox, qtbot):
    w = make_window(sandbox_endpoint(sandbox))
    hp = w.history_panel
    for button, word in ((hp.fav_button, "Starred"), (hp.failed_button, "Failed")):
        assert button.text() == word and not any(g in button.text() for g in GLYPHS)
        assert not button.icon().isNull()
        assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    label = w.inflight_label
    icon_button = label.findChild(QToolButton, "inFlightIcon")
    assert icon_button is not None and not icon_button.icon().isNull()
    assert label.text() == "Idle" and not icon_button.isVisible()
    w.feedback.set_inflight_text(2)
    qtbot.waitUntil(icon_button.isVisible)
    assert label.text() == "2 running" and not any(g in label.text() for g in GLYPHS)
    # The word starts right of the icon: nothing is drawn over the text.
    assert label.indent() >= icon_button.width() or label.indent() >= 16
    w.feedback.set_inflight_text(0)
    assert label.text() == "Idle" and not icon_button.isVisible()


# Glyphs that once stood in for icons (statuses, stars, close, info, pause, kinds).
ANY_GLYPH = "★☆✗✓✔✘⟳⠿⚠ℹ⏸✕◆↺◷⊘↷"


def shown_texts(w) -> list[tuple[str, str]]:
    """Every text the window shows in a label, a button, an action or a list it owns."""
    from PySide6.QtGui import QAction, QStandardItemModel
    from PySide6.QtWidgets import QAbstractButton, QLabel

    texts = [(f"{type(x).__name__}#{x.objectName()}", x.text())
             for x in w.findChildren(QLabel) + w.findChildren(QAbstractButton)]
    texts += [(f"action#{a.objectName()}", a.text()) for a in w.findChildren(QAction)]
    for model in w.findChildren(QStandardItemModel):
        texts += [(f"item of {model.objectName()}", model.item(r).text())
                  for r in range(model.rowCount())]
    return texts


def test_no_glyph_stands_in_for_an_icon_in_the_window(make_window, sandbox, qloop, qtbot,
                                                      tmp_path):
    from PySide6.QtGui import QStandardItemModel
    from window_helpers import make_jpeg, until

    from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel

    w = make_window(sandbox_endpoint(sandbox))
    batch = w.ensure_built()
    w.add_inputs([make_jpeg(tmp_path / "a.jpg")])
    qloop.run(until(lambda: w.inputs, 10, "the input"))
    w.notices.show(Notice(NoticeKind.TASK_FAILED, NoticeLevel.ERROR, "Something failed", ""))
    glyphs = [f"{where}: {text!r}" for where, text in shown_texts(w)
              if any(g in text for g in ANY_GLYPH)]
    assert not glyphs, glyphs
    assert w.params.models.item(0).icon().name() == "starred"  # ★ Recommended, an icon now
    assert isinstance(w.params.models, QStandardItemModel)
    # The close, dismiss and hide buttons carry the icon set's icons instead of ✕ and ▾.
    remove = w.drop_zone.findChild(QToolButton, "removeInput0")
    assert remove is not None and remove.icon().name() == "close" and not remove.text()
    assert w.banner.close_button.icon().name() == "close"
    assert batch.panel.resume_dismiss.icon().name() == "close"
    assert batch.panel.hide_button.icon().name() == "collapse" and not \
        batch.panel.hide_button.text()


def test_tool_bar_overflow_is_the_icon_sets_more_not_a_stock_icon(make_window, qtbot):
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QToolBar

    from qwen_studio.ui import theme
    from qwen_studio.ui.icons import svg_file

    w = make_window()
    qtbot.waitUntil(lambda: w.width() == 1400)
    w.compare_view.build_hidden_parts()  # the mask tools: built after the first frame
    bar = w.findChild(QToolBar, "maskToolBar")
    assert bar is not None
    ext = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert ext is not None
    ext.ensurePolished()
    ours = QIcon(svg_file("more", theme.colour("text").name())).pixmap(16, 16).toImage()
    assert ext.icon().pixmap(16, 16).toImage() == ours  # not the style's » (SP_ToolBar…)


def test_dock_title_buttons_use_the_icon_set(qapp):
    from qwen_studio.ui import theme
    from qwen_studio.ui.icons import svg_file

    for scheme in ("dark", "light"):
        sheet = theme.stylesheet(scheme)
        muted = theme.tokens(scheme)["muted"]
        rule = next(line for line in sheet.splitlines() if line.startswith("QDockWidget {"))
        assert svg_file("close", muted) in rule and svg_file("float", muted) in rule


def test_section_toggles_share_the_chevrons(make_window):
    w = make_window()
    params, prompt = w.params, w.prompt_panel
    assert params.toggle.icon().name() == "collapse"  # open at first
    params.set_expanded(False)
    assert params.toggle.icon().name() == "expand"
    assert prompt.negative_toggle.icon().name() == "expand"  # starts collapsed
