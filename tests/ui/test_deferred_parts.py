"""Parts of the window that are never in its first frame are built after it (issue 18): the
Versions dock, the prompt library popup and the results grid. app.main paints the window,
then runs the post-paint build once the loop runs (release_held_work); these windows are
made the same way (`staged`), and their shortcuts are used before that build has run."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QFrame
from window_helpers import until

from qwen_studio.app.window import release_held_work
from qwen_studio.core.endpoint import Endpoint

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _staged(make_window, qtbot, endpoint: Endpoint | None = None):
    w = make_window(endpoint, staged=True)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=3000)
    return w


def test_versions_shortcut_works_before_the_dock_is_built(make_window, qloop, qtbot):
    w = _staged(make_window, qtbot)
    assert w.findChild(QDockWidget, "versionsDock") is None  # not built with the window
    QTest.keyClick(w.run_button, Qt.Key.Key_V, CTRL_SHIFT)
    dock = w.findChild(QDockWidget, "versionsDock")
    assert dock is not None and dock.isVisible()
    assert w.versions_action.isChecked()  # View ▸ Versions says it is shown
    QTest.keyClick(w.run_button, Qt.Key.Key_V, CTRL_SHIFT)
    assert not dock.isVisible() and not w.versions_action.isChecked()
    dock.show()  # the dock's own controls keep the menu's tick right
    assert w.versions_action.isChecked()
    release_held_work(w)


def test_post_paint_build_makes_the_versions_dock_once(make_window, qloop, qtbot):
    w = _staged(make_window, qtbot)
    w.history_panel.editActivated.emit(7)  # an edit shown before the dock exists
    release_held_work(w)

    async def built() -> None:
        await until(lambda: w.findChild(QDockWidget, "versionsDock") is not None, 5,
                    "the post-paint build")

    qloop.run(built())
    assert w.versions is w.findChild(QDockWidget, "versionsDock")
    assert len(w.findChildren(QDockWidget, "versionsDock")) == 1
    assert w.versions._edit_id == 7  # it follows the edit shown before it was built
    assert not w.versions.isVisible()  # hidden, as before


def test_prompt_library_opens_before_the_popup_is_built(make_window, qloop, qtbot):
    w = _staged(make_window, qtbot)
    assert w.findChild(QFrame, "promptLibraryPopup") is None
    edit = w.prompt_panel.prompt_edit
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=3000)
    QTest.keyClick(edit, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    popup = w.findChild(QFrame, "promptLibraryPopup")
    assert popup is not None and popup is w.prompt_library.popup
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    qtbot.waitUntil(lambda: len(popup.visible_texts()) > 3, timeout=10000)  # starter snippets
    QTest.keyClick(popup.filter_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not popup.isVisible(), timeout=3000)
    release_held_work(w)


def test_grid_key_opens_the_results_grid_before_it_is_built(make_window, qloop, qtbot):
    w = _staged(make_window, qtbot, Endpoint("http://127.0.0.1:9", "bailian", "k", "Nowhere"))
    assert w.canvas_stack.currentWidget() is w.compare_view
    # The canvas only: no grid page yet (nor a welcome panel: a configured start never
    # shows it, so it is never built).
    assert w.canvas_stack.count() == 1
    canvas = w.compare_view.canvas
    canvas.setFocus()
    qtbot.waitUntil(canvas.hasFocus, timeout=3000)
    QTest.keyClick(canvas, Qt.Key.Key_G)
    assert w.grid_mode.grid_shown()
    assert w.canvas_stack.currentWidget() is w.results_panel
    assert w.grid_mode.action.isChecked()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and w.results_panel.isAncestorOf(QApplication.focusWidget()), timeout=3000)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_G)  # G again: back to the canvas
    assert w.canvas_stack.currentWidget() is w.compare_view
    assert w.canvas_stack.count() == 2  # built once
    release_held_work(w)


def test_the_post_paint_build_keeps_the_keyboard_where_the_user_put_it(make_window, qloop,
                                                                       qtbot):
    # The batch queue's build moves the window's splitter into a new one: a prompt box
    # focused before it lost its focus, and the moved panes stayed hidden until a queued
    # show, so the first keys after the first frame went nowhere.
    w = _staged(make_window, qtbot)
    edit = w.prompt_panel.prompt_edit
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=3000)
    w.build_deferred()
    assert w.history_panel.isVisible() and edit.isVisible()
    assert edit.hasFocus()
    QTest.keyClicks(edit, "sky")
    assert edit.toPlainText() == "sky"
    release_held_work(w)
