"""Ctrl+B (show the batch queue) and Ctrl+Shift+O (File ▸ Batch…) work from the first
frame: pressed before the post-paint build, they build the queue and do what they say
(they did nothing in that instant: their actions came with the queue)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog
from window_helpers import make_jpeg, until

from qwen_studio.app.window import release_held_work

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = CTRL | Qt.KeyboardModifier.ShiftModifier


def _staged(make_window, qtbot):
    w = make_window(staged=True)  # as app.main paints it: post-paint build not run yet
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=3000)
    assert w.built_batch is None
    return w


def test_ctrl_b_shows_the_batch_queue_before_the_post_paint_build(make_window, qloop, qtbot):
    w = _staged(make_window, qtbot)
    QTest.keyClick(w.run_button, Qt.Key.Key_B, CTRL)
    assert w.built_batch is not None, "Ctrl+B did nothing before the post-paint build"
    panel = w.batch.panel
    assert panel.isVisible() and panel.height() > 100
    QTest.keyClick(w.run_button, Qt.Key.Key_B, CTRL)  # and hides it again
    assert not panel.isVisible()
    release_held_work(w)
    qloop.run(until(lambda: not w.tasks.pending(), 5, "the post-paint build"))
    assert w.built_batch is w.batch  # built once
    QTest.keyClick(w.run_button, Qt.Key.Key_B, CTRL)
    assert panel.isVisible()


def test_ctrl_shift_o_asks_for_a_folder_before_the_post_paint_build(
        make_window, qloop, qtbot, tmp_path: Path, monkeypatch):
    folder = tmp_path / "shoot"
    folder.mkdir()
    for i in range(3):
        make_jpeg(folder / f"p{i}.jpg")
    asked: list[str] = []

    def choose(*args, **kwargs) -> str:
        asked.append(str(args[1]))
        return str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(choose))
    w = _staged(make_window, qtbot)
    QTest.keyClick(w.run_button, Qt.Key.Key_O, CTRL_SHIFT)
    assert asked, "Ctrl+Shift+O did nothing before the post-paint build"
    release_held_work(w)  # the folder is read in the pool, on the loop
    qloop.run(until(lambda: w.batch.controller.queued_count() == 3, 10, "3 photos queued"))
    assert w.batch.panel.isVisible()
