"""The batch header says how far the batch is once: its bar reads "0 / 5", and the line
beside it no longer repeats it ("0 / 5" beside "0 of 5 done", "共 5 张，0 张完成")."""

from __future__ import annotations

from pathlib import Path

from window_helpers import drop_files, make_jpeg, sandbox_endpoint, until

from qwen_studio.core.editing.status import EditStatus


def test_the_batch_header_says_its_total_once(make_window, sandbox, qloop, tmp_path: Path):
    w = make_window(sandbox_endpoint(sandbox))
    w.params.set_model("qwen-image-edit-plus")
    controller, panel = w.batch.controller, w.batch.panel
    shots = [make_jpeg(tmp_path / f"s{i}.jpg", (320, 240), (i * 40, 80, 120)) for i in range(5)]

    async def staged() -> None:
        w.prompt_panel.prompt_edit.setPlainText("warmer light")
        drop_files(w.drop_zone, shots)
        await until(lambda: w.inputs, 10, "inputs")
        w.banner.action_button.click()  # "Make a batch of 5"
        await until(lambda: len(controller.jobs()) == 5, 10, "a batch of 5")
        await until(lambda: panel.progress.text() == "0 / 5", 5, "the bar")

    qloop.run(staged())
    line = panel.progress_label.text()
    assert line == "press Run to start", line  # not "0 of 5 done · press Run to start"

    async def ran() -> None:
        w.run_edit()
        await until(lambda: all(j.status is EditStatus.DONE for j in controller.jobs()), 30,
                    "all done")
        await until(lambda: panel.progress.text() == "5 / 5", 5, "the bar full")

    qloop.run(ran())
    line = panel.progress_label.text()
    assert line.startswith("5 done") and "of 5" not in line, line
