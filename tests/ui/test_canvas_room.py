"""Room for the image at 1400×900: the canvas' share of the width, the panel toggle, Run
that never scrolls away, the growing prompt, notices over the canvas (issue #17)."""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from window_helpers import drop_files, make_jpeg, sandbox_endpoint, until

from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest
from qwen_studio.ui.notices import Notice, NoticeKind, NoticeLevel


def canvas_share(w) -> float:
    return w.compare_view.canvas.width() / w.width()


def settle(qtbot, w) -> None:
    w.ensure_built()  # the batch queue's splitter re-parents the panels once, after paint
    qtbot.waitUntil(lambda: w.compare_view.canvas.isVisible() and w.editor_panel.isVisible()
                    and w.width() == 1400)
    QApplication.processEvents()


def test_canvas_gets_most_of_the_width_with_default_panels(make_window, sandbox, qtbot):
    w = make_window(sandbox_endpoint(sandbox))
    settle(qtbot, w)
    assert w.editor_panel.isVisible() and w.history_panel.isVisible()
    assert canvas_share(w) >= 0.60, f"canvas {w.compare_view.canvas.width()} of {w.width()}"
    # Side by side: each pane gets half the canvas, more than the 366 px it used to.
    for setter in (w.compare_view.set_before, w.compare_view.set_after):
        image = QImage(600, 400, QImage.Format.Format_RGB32)
        image.fill(0x336699)
        setter(image)
    left, right = (pane for pane, _ in w.compare_view.canvas.panes())
    assert min(left.width(), right.width()) > 400


def test_hide_panels_action_and_tab_on_the_canvas(make_window, sandbox, qtbot):
    w = make_window(sandbox_endpoint(sandbox))
    settle(qtbot, w)
    sizes = w.splitter.sizes()
    action = w.findChild(QAction, "togglePanelsAction")
    assert action is not None
    view_menu = next(a.menu() for a in w.menuBar().actions()
                     if a.menu() is not None and a.menu().objectName() == "viewMenu")
    assert action in view_menu.actions()

    action.trigger()
    qtbot.waitUntil(lambda: canvas_share(w) >= 0.90)
    assert not w.editor_panel.isVisible() and not w.history_panel.isVisible()
    action.trigger()
    qtbot.waitUntil(lambda: w.editor_panel.isVisible() and w.history_panel.isVisible())
    assert w.splitter.sizes() == sizes  # back exactly as the user had them

    # Tab with the canvas focused hides and restores too ...
    w.activateWindow()
    w.compare_view.canvas.setFocus()
    qtbot.waitUntil(lambda: w.compare_view.canvas.hasFocus())
    qtbot.keyClick(w.compare_view.canvas, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: canvas_share(w) >= 0.90)
    assert action.isChecked()
    qtbot.keyClick(w.compare_view.canvas, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: w.editor_panel.isVisible())
    # ... but in a text field Tab still moves focus, the panels stay.
    w.prompt_panel.prompt_edit.setFocus()
    qtbot.waitUntil(lambda: w.prompt_panel.prompt_edit.hasFocus())
    qtbot.keyClick(w.prompt_panel.prompt_edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not w.prompt_panel.prompt_edit.hasFocus())
    assert w.editor_panel.isVisible() and not action.isChecked()


def test_panel_sizes_remembered_also_when_quit_with_panels_hidden(make_window, sandbox,
                                                                  qtbot):
    w1 = make_window(sandbox_endpoint(sandbox))
    settle(qtbot, w1)
    assert w1.window_settings.first_start  # nothing saved yet: the launcher maximises it
    w1.splitter.setSizes([300, 860, 240])
    sizes = w1.splitter.sizes()
    w1.layout_.set_panels_hidden(True)
    w1.save_settings()
    w2 = make_window(sandbox_endpoint(sandbox))
    settle(qtbot, w2)
    assert w2.editor_panel.isVisible() and w2.history_panel.isVisible()
    assert w2.splitter.sizes() == sizes
    assert not w2.window_settings.first_start  # the launcher maximises only a first start


def test_run_stays_in_view_with_twenty_photos_queued(make_window, sandbox, qloop, qtbot,
                                                     tmp_path):
    w = make_window(sandbox_endpoint(sandbox))
    folder = tmp_path / "shots"
    folder.mkdir()
    for i in range(20):
        Image.new("RGB", (320, 240), (i * 12, 90, 140)).save(folder / f"p{i:02d}.jpg")

    async def scenario():
        w.prompt_panel.prompt_edit.setPlainText("a white studio backdrop")
        drop_files(w.drop_zone, [folder])
        await until(lambda: w.batch.panel.model.rowCount() == 20, 20, "20 queued")

    qloop.run(scenario())
    assert w.batch.panel.isVisible()
    QApplication.processEvents()
    run = w.run_button
    assert run.isVisible() and "(20)" in run.text()
    # Wholly on screen: not clipped by a scroll area, not below the window's edge.
    visible = run.visibleRegion().boundingRect()
    assert visible.height() == run.height() and visible.width() == run.width()
    bottom = run.mapTo(w, run.rect().bottomLeft()).y()
    assert bottom < w.statusBar().mapTo(w, w.statusBar().rect().topLeft()).y()
    assert not w.editor_panel.scroll_area.isAncestorOf(run)


def test_prompt_grows_with_text_and_negative_prompt_starts_collapsed(make_window, qtbot):
    w = make_window()
    pp = w.prompt_panel
    qtbot.waitUntil(pp.prompt_edit.isVisible)
    empty = pp.prompt_edit.height()
    pp.set_prompt("\n".join(f"line {i} of a long and careful prompt" for i in range(8)))
    qtbot.waitUntil(lambda: pp.prompt_edit.height() > empty * 2)
    assert not pp.negative_edit.isVisible() and not pp.negative_expanded()
    pp.negative_toggle.click()
    assert pp.negative_edit.isVisible()
    w.save_settings()
    w2 = make_window()
    assert w2.prompt_panel.negative_expanded()


def test_notice_lies_over_the_canvas_without_moving_it(make_window, sandbox, qtbot):
    w = make_window(sandbox_endpoint(sandbox))
    settle(qtbot, w)
    before = w.compare_view.canvas.geometry(), w.compare_view.mapTo(w, w.compare_view.pos())
    w.notices.show(Notice(NoticeKind.TASK_FAILED, NoticeLevel.ERROR, "Something failed",
                          "Details are in the log."))
    qtbot.waitUntil(w.banner.isVisible)
    QApplication.processEvents()
    after = w.compare_view.canvas.geometry(), w.compare_view.mapTo(w, w.compare_view.pos())
    assert after == before
    banner = w.banner.geometry()
    area = w.banner.parentWidget()
    assert area is not None and area.rect().contains(banner)
    message = w.banner.findChild(QLabel, "bannerMessage")
    assert message is not None and message.isVisible()
    assert w.banner.rect().contains(message.geometry())  # the text is not cut off


def test_tab_outside_text_fields_toggles_the_panels(make_window, sandbox, qtbot, tmp_path):
    photo = make_jpeg(tmp_path / "in.jpg", (320, 240)).read_bytes()
    with Library() as lib:  # one edit, so the history shows its list
        sha, path = lib.store_bytes(photo, "jpg")
        lib.complete_edit(lib.create_edit(EditRequest(inputs=(str(path),), prompt="warmer"),
                                          input_hashes=(sha,)), [photo])
    w = make_window(sandbox_endpoint(sandbox))
    settle(qtbot, w)
    qtbot.waitUntil(w.history_list.isVisible)
    action = w.findChild(QAction, "togglePanelsAction")
    assert action is not None
    w.activateWindow()
    # A list, a button, the canvas: none of them types, so Tab is Lightroom's toggle.
    button = w.prompt_panel.negative_toggle  # Run is disabled until a photo is added
    for widget in (w.history_list, button, w.compare_view.canvas):
        widget.setFocus()
        qtbot.waitUntil(widget.hasFocus)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda: canvas_share(w) >= 0.90)
        assert action.isChecked(), widget.objectName()
        assert not w.editor_panel.isVisible() and not w.history_panel.isVisible()
        focus = QApplication.focusWidget() or w
        qtbot.keyClick(focus, Qt.Key.Key_Tab)  # again, wherever the focus went: back
        qtbot.waitUntil(lambda: w.editor_panel.isVisible() and w.history_panel.isVisible())
        assert not action.isChecked() and canvas_share(w) < 0.90

    # Shift+Tab still walks the focus chain backwards; the panels stay.
    button.setFocus()
    qtbot.waitUntil(button.hasFocus)
    qtbot.keyClick(button, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not button.hasFocus())
    assert w.editor_panel.isVisible() and not action.isChecked()


def test_tab_in_text_fields_moves_focus_and_keeps_the_panels(make_window, sandbox, qtbot):
    w = make_window(sandbox_endpoint(sandbox))
    settle(qtbot, w)
    action = w.findChild(QAction, "togglePanelsAction")
    assert action is not None
    w.activateWindow()
    prompt, search = w.prompt_panel.prompt_edit, w.history_panel.search
    prompt.setPlainText("warmer")
    # The prompt, the search, a number, an editable list (the size): Tab moves on there.
    for field in (prompt, search, w.params.seed_spin, w.params.size_combo):
        field.setFocus()
        qtbot.waitUntil(field.hasFocus)
        qtbot.keyClick(field, Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda f=field: not f.hasFocus())  # Tab moved on, as in any form
        assert w.editor_panel.isVisible() and w.history_panel.isVisible()
        assert not action.isChecked()
    assert prompt.toPlainText() == "warmer"  # no tab character typed into the prompt


def test_compare_toolbar_at_1400_keeps_every_action_and_whole_sizes(make_window, sandbox,
                                                                    qtbot):
    """In the window at 1400×900 with the default panels: no action vanishes (it is on the
    bar, wholly, or in the ⋯ menu), sizes are whole forms, and the zoom says whose."""
    w = make_window(sandbox_endpoint(sandbox))
    settle(qtbot, w)
    view = w.compare_view
    before, after = QImage(600, 400, QImage.Format.Format_RGB32), \
        QImage(1248, 832, QImage.Format.Format_RGB32)
    before.fill(0x993322)
    after.fill(0x336699)
    view.set_before(before)
    view.set_after(after)
    QApplication.processEvents()
    bar = view.findChild(QWidget, "compareToolbar")
    assert bar is not None
    for button in (view.save_button, view.copy_button, view.use_button, view.reveal_button,
                   view.drag_button):
        if button.isVisible():
            # Wholly on the bar, not cut at its edge.
            assert bar.rect().contains(QRect(button.mapTo(bar, QPoint(0, 0)), button.size()))
        else:
            assert button.defaultAction() in view.overflow_actions(), button.objectName()
            assert view.more_button.isVisible()
    text = view.sizes_label.text()
    assert text in ("600×400 → 1248×832", "1248×832", "") and "…" not in text
    assert view.sizes_label.fontMetrics().horizontalAdvance(text) <= view.sizes_label.width()
    assert view.zoom_label.text().endswith("of after")


def test_side_panels_collapse_by_dragging_their_handle_the_canvas_never(make_window, sandbox,
                                                                         qtbot):
    from PySide6.QtTest import QTest

    w = make_window(sandbox_endpoint(sandbox))
    settle(qtbot, w)

    def drag(handle_index: int, to_x: int) -> None:
        handle = w.splitter.handle(handle_index)
        start = handle.rect().center()
        QTest.mousePress(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         start)
        end = handle.mapFromGlobal(w.splitter.mapToGlobal(QPoint(to_x, start.y())))
        QTest.mouseMove(handle, end)
        QTest.mouseRelease(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                           end)
        QApplication.processEvents()

    drag(1, 0)  # the editor's handle to the window's left edge: the editor folds away
    qtbot.waitUntil(lambda: w.splitter.sizes()[0] == 0)
    assert canvas_share(w) > 0.75
    drag(2, w.splitter.width())  # the history's to the right edge: it folds away too
    qtbot.waitUntil(lambda: w.splitter.sizes()[2] == 0)
    assert canvas_share(w) >= 0.95
    drag(2, 0)  # and the canvas, dragged over, never folds
    assert w.splitter.sizes()[1] > 0 and w.compare_view.canvas.width() > 0
