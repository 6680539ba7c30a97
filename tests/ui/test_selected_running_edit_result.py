"""An edit selected in the history while it runs shows its result on the canvas when it
finishes (the canvas stayed on "Before": the result never appeared)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from window_helpers import drop_files, make_jpeg, sandbox_endpoint, until

from qwen_studio.core.editing.status import EditStatus
from qwen_studio.sandbox import SandboxServer


@pytest.fixture
def slow_sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(api_key="test-key", latency=0.8).start()
    try:
        yield server
    finally:
        server.stop()


def test_a_running_edit_selected_shows_its_result_when_done(make_window, slow_sandbox, qloop,
                                                            tmp_path: Path):
    window = make_window(sandbox_endpoint(slow_sandbox))
    photo = make_jpeg(tmp_path / "photo.jpg", (400, 300))
    model, view = window.history_model, window.compare_view

    async def scenario() -> None:
        drop_files(window.drop_zone, [photo])
        await until(lambda: window.inputs, 10, "the input")
        window.prompt_panel.prompt_edit.setPlainText("make it blue")
        assert window.run_edit() is not None
        await until(lambda: model.rowCount() == 1
                    and model.entry_at(0).status is EditStatus.RUNNING, 10, "a running row")
        lv = window.history_panel.list_view
        lv.setCurrentIndex(model.index(0))  # the designer clicks the running edit
        await until(lambda: view.before_image() is not None, 10, "its before")
        assert view.result_count() == 0
        await until(lambda: model.entry_at(0).status is EditStatus.DONE, 20, "done")
        await until(lambda: view.result_count() == 1, 10, "its result on the canvas")

    qloop.run(scenario())
    assert view.after_image() is not None
    assert not view.showing_before()


def photos(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [make_jpeg(folder / f"shot_{i}.jpg", (320, 240), (i * 60, 80, 120))
            for i in range(count)]


@pytest.mark.parametrize("where", ["history", "queue"])
def test_a_running_batch_edit_selected_shows_its_result_when_done(
        make_window, slow_sandbox, qloop, qtbot, tmp_path: Path, where: str):
    from PySide6.QtCore import Qt

    w = make_window(sandbox_endpoint(slow_sandbox))
    w.params.set_model("qwen-image-edit-plus")
    controller, view = w.batch.controller, w.compare_view
    shots = photos(tmp_path / "four", 4)

    async def scenario() -> None:
        w.prompt_panel.prompt_edit.setPlainText("warmer light")
        drop_files(w.drop_zone, shots)
        await until(lambda: w.inputs, 10, "inputs")
        w.banner.action_button.click()  # "Make a batch of 4"
        await until(lambda: len(controller.jobs()) == 4, 10, "a batch of 4")
        w.run_edit()
        await until(lambda: any(j.status is EditStatus.RUNNING for j in controller.jobs()),
                    10, "a running photo")
        job = next(j for j in controller.jobs() if j.status is EditStatus.RUNNING)
        if where == "queue":
            panel = w.batch.panel
            await until(panel.isVisible, 5, "the queue shown")

            def row_of_job() -> int:
                return next((r for r in range(panel.model.rowCount())
                             if (j := panel.model.job_at(r)) is not None
                             and j.edit_id == job.edit_id), -1)

            await until(lambda: row_of_job() >= 0, 10, "its queue row")
            row = row_of_job()
            rect = panel.view.visualRect(panel.model.index(row, 0))
            qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton,
                             pos=rect.center())
        else:
            hm = w.history_model
            await until(lambda: hm.group(job.batch_id) is not None, 10, "the batch row")
            group = hm.group(job.batch_id)
            hm.set_expanded(group, True)
            await until(lambda: hm.row_of_edit(job.edit_id) >= 0, 10, "its row")
            w.history_panel.list_view.setCurrentIndex(hm.index(hm.row_of_edit(job.edit_id)))
        await until(lambda: w.results.shown_edit == job.edit_id, 5, "it selected")
        await until(lambda: view.before_image() is not None, 10, "its before")
        await until(lambda: all(j.status is EditStatus.DONE for j in controller.jobs()), 30,
                    "all done")
        done = next(j for j in controller.jobs() if j.edit_id == job.edit_id)
        assert done.result is not None
        await until(lambda: view.result_path() == done.result.paths[0], 10,
                    "its result on the canvas")

    qloop.run(scenario())
    assert view.after_image() is not None
