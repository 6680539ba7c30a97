"""The results grid on the canvas (issue #17): an edit with n > 1 results fills it, G
switches to it, P/X mark, "export picked" copies the picked, Enter opens one in the
compare view; a batch's results come in as (edit id, result index, path)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from window_helpers import drop_files, make_jpeg, sandbox_endpoint, until

from qwen_studio.ui.results.grid import Mark


def test_three_results_culled_exported_and_opened(make_window, sandbox, qloop, qtbot,
                                                  tmp_path):
    w = make_window(sandbox_endpoint(sandbox))
    photo = make_jpeg(tmp_path / "a.jpg")
    panel, model = w.results_panel, w.results_panel.model

    async def run_three():
        drop_files(w.drop_zone, [photo])
        await until(lambda: w.inputs, what="the input")
        w.prompt_panel.prompt_edit.setPlainText("three takes on a white backdrop")
        w.params.count_spin.setValue(3)
        w.run_edit()
        await until(lambda: w.compare_view.result_count() == 3, 20, "three results shown")
        await until(lambda: model.rowCount() == 3, 5, "three in the grid")

    qloop.run(run_three())
    assert not w.grid_mode.grid_shown()
    w.compare_view.canvas.setFocus()
    qtbot.waitUntil(w.compare_view.canvas.hasFocus)
    qtbot.keyClick(w.compare_view.canvas, Qt.Key.Key_G)
    assert w.grid_mode.grid_shown() and w.canvas_stack.currentWidget() is panel
    grid = panel.grid
    qtbot.waitUntil(grid.hasFocus)
    qtbot.keyClick(grid, Qt.Key.Key_P)  # result 1 picked
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    qtbot.keyClick(grid, Qt.Key.Key_X)  # result 2 rejected
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    qtbot.keyClick(grid, Qt.Key.Key_P)  # result 3 picked
    assert [i.mark for i in model.items()] == [Mark.PICKED, Mark.REJECTED, Mark.PICKED]
    assert "2 picked" in panel.counts.text() and panel.export_button.isEnabled()
    # The counts read apart from the Compare button beside them (they touched).
    gap = panel.counts.geometry().left() - panel.back_button.geometry().right()
    assert gap >= 8, gap

    out = tmp_path / "picked"
    out.mkdir()
    picked = [i.path for i in model.picked()]
    w.grid_mode.controller.export_picked(picked, folder=out)

    async def exported():
        await until(lambda: len(list(out.iterdir())) == 2, 10, "two files exported")

    qloop.run(exported())
    assert sorted(p.read_bytes() for p in out.iterdir()) == sorted(p.read_bytes()
                                                                   for p in picked)
    # Thumbnails were decoded for the tiles on screen.
    qtbot.waitUntil(lambda: model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
                    is not None)

    qtbot.keyClick(grid, Qt.Key.Key_Return)  # the current (third) result, on the canvas
    assert not w.grid_mode.grid_shown()
    assert w.compare_view.current_result_index() == 2


def test_batch_results_fill_the_grid(make_window, sandbox, qtbot, tmp_path):
    w = make_window(sandbox_endpoint(sandbox))
    paths = [make_jpeg(tmp_path / f"r{i}.jpg", color=(i * 40, 90, 90)) for i in range(5)]
    w.grid_mode.fill([(10 + i, 0, p) for i, p in enumerate(paths)])
    QApplication.processEvents()
    assert w.grid_mode.grid_shown()
    model = w.results_panel.model
    assert [i.key for i in model.items()] == [(10 + i, 0) for i in range(5)]
    assert all(isinstance(i.path, Path) for i in model.items())
    assert "5 results" in w.results_panel.counts.text()
    assert not w.results_panel.export_button.isEnabled()  # nothing picked yet
