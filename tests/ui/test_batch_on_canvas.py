"""A batch on the canvas (issue #17): clicking a queue row shows that photo's before/after,
and a batch row of the history fills the results grid with every result of the batch."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from window_helpers import drop_files, sandbox_endpoint, until

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui.history.entries import BatchGroup


def photos(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        p = folder / f"shot_{i}.jpg"
        Image.new("RGB", (320, 240), (i * 60, 80, 120)).save(p, quality=85)
        out.append(p)
    return out


def test_queue_row_and_history_batch_row_show_on_the_canvas(make_window, sandbox, qloop,
                                                            qtbot, tmp_path):
    w = make_window(sandbox_endpoint(sandbox))
    w.params.set_model("qwen-image-edit-plus")
    controller = w.batch.controller
    shots = photos(tmp_path / "four", 4)

    async def run_batch():
        w.prompt_panel.prompt_edit.setPlainText("warmer light")
        drop_files(w.drop_zone, shots)
        await until(lambda: w.inputs, 10, "inputs")
        w.banner.action_button.click()  # "Make a batch of 4"
        await until(lambda: len(controller.jobs()) == 4, 10, "a batch of 4")
        w.run_edit()
        await until(lambda: all(j.status is EditStatus.DONE for j in controller.jobs()), 30,
                    "all done")

        panel, view = w.batch.panel, w.batch.panel.view
        await until(panel.isVisible, 5, "the queue shown")
        for row in (0, 2):  # a click on a queue row: that photo's result on the canvas
            job = panel.model.job_at(row)
            assert job is not None and job.result is not None
            rect = view.visualRect(panel.model.index(row, 0))
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            await until(lambda job=job: w.compare_view.result_path() == job.result.paths[0],
                        10, f"row {row} on the canvas")
            assert w.results.shown_edit == job.edit_id

    qloop.run(run_batch())

    # The batch's row in the history: Enter puts all four results into the grid.
    hm, lv = w.history_model, w.history_panel.list_view
    qtbot.waitUntil(lambda: any(isinstance(hm.item(r), BatchGroup)
                                for r in range(hm.rowCount())))
    group_row = next(r for r in range(hm.rowCount()) if isinstance(hm.item(r), BatchGroup))
    w.history_panel.select_row(group_row)
    lv.setFocus()
    qtbot.waitUntil(lv.hasFocus)
    qtbot.keyClick(lv, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert w.grid_mode.grid_shown()
    model = w.results_panel.model
    assert {i.path for i in model.items()} == {j.result.paths[0] for j in controller.jobs()}
    assert {i.key[0] for i in model.items()} == {j.edit_id for j in controller.jobs()}
    qtbot.waitUntil(w.results_panel.grid.hasFocus)
    qtbot.keyClick(w.results_panel.grid, Qt.Key.Key_P)  # cull them like one edit's results
    assert "1 picked" in w.results_panel.counts.text()
    assert w.results_panel.export_button.isEnabled()
