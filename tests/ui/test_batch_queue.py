"""The window's batch queue against a real sandbox: drop a folder, Run, faults, controls."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from window_helpers import drop_files, sandbox_endpoint, until

from qwen_studio.core.client import ClientSettings
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.pipeline import file_sha256
from qwen_studio.ui.batch.model import C_PROMPT, C_STATUS

FAST = ClientSettings(backoff_base=0.01, backoff_max=0.05, max_attempts=4, read_timeout=20)


def make_folder(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        p = folder / f"shot_{i:02d}.jpg"
        Image.new("RGB", (400, 320), ((i * 37) % 256, (i * 71) % 256, 90)).save(p, quality=80)
        out.append(p)
    return out


@pytest.fixture
def slow_sandbox() -> Iterator[object]:
    """Latency keeps a few edits in flight long enough to pause and cancel them."""
    from qwen_studio.sandbox import SandboxServer

    server = SandboxServer(api_key="test-key", latency=0.25).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_window(make_window):
    """The shared window factory (conftest), pointed at a sandbox with fast retries."""

    def factory(sandbox):
        w = make_window(sandbox_endpoint(sandbox))
        w.set_client_settings(FAST)  # single edits and the batch queue alike
        return w

    return factory


def states(window) -> Counter:
    return Counter(j.status for j in window.batch.controller.jobs())


def status_cells(window) -> list[str]:
    m = window.batch.panel.model
    return [m.data(m.index(r, C_STATUS), Qt.ItemDataRole.DisplayRole) for r in range(m.rowCount())]


def test_folder_batch_with_faults_pause_cancel_retry(make_window, slow_sandbox, qloop, tmp_path):
    window = make_window(slow_sandbox)
    photos = make_folder(tmp_path / "shots", 30)
    panel, controller = window.batch.panel, window.batch.controller
    model = panel.model
    titles: list[str] = []
    window.windowTitleChanged.connect(titles.append)

    async def scenario():
        window.prompt_panel.prompt_edit.setPlainText("put it on a white studio backdrop")
        drop_files(window.drop_zone, [tmp_path / "shots"])
        await until(lambda: model.rowCount() == 30, 20, "30 queued rows")
        assert panel.isVisible() and panel.view.objectName() == "batchQueue"
        assert "batch" in window.drop_zone.message().lower()
        assert window.inputs == []  # the folder did not become the inputs of one edit
        assert "Run batch (30)" in window.run_button.text()
        assert set(status_cells(window)) == {"Queued"}

        # Before running: one photo gets its own prompt, one is removed, one cancelled.
        assert model.setData(model.index(3, C_PROMPT), "make it black and white")
        removed = model.job_at(5)
        assert controller.remove(removed.edit_id)
        last = model.job_at(model.rowCount() - 1)
        controller.cancel(last.edit_id)
        await until(lambda: states(window)[EditStatus.CANCELLED] == 1, 5, "one cancelled")
        assert model.rowCount() == 29

        panel.concurrency_spin.setValue(4)
        slow_sandbox.inject("429", 3)
        slow_sandbox.inject("500", 2)
        slow_sandbox.inject("moderation", 2)  # not retryable: two photos fail for good
        window.run_button.click()
        await until(lambda: states(window)[EditStatus.DONE] >= 6, 30, "some done")

        # Pause: nothing new starts, the ones in flight finish.
        panel.pause_button.click()
        assert panel.pause_button.text() == "Resume"
        await until(lambda: states(window)[EditStatus.RUNNING] == 0, 15, "in-flight to finish")
        finished = sum(states(window)[s] for s in (EditStatus.DONE, EditStatus.FAILED))
        await asyncio.sleep(0.6)
        assert sum(states(window)[s] for s in (EditStatus.DONE, EditStatus.FAILED)) == finished
        assert "paused" in panel.progress_label.text()
        panel.pause_button.click()

        # Cancel a job while its request is in flight: it stops, the rest go on.
        await until(lambda: states(window)[EditStatus.RUNNING] > 0, 10, "a running job")
        running = next(j for j in controller.jobs() if j.status is EditStatus.RUNNING)
        controller.cancel(running.edit_id)
        await until(lambda: controller.job(running.edit_id).status is EditStatus.CANCELLED,
                    5, "in-flight cancel")

        await until(lambda: not controller.active, 60, "the batch to finish")
        assert panel.summary.isVisible()
        summary = panel.summary.text()
        assert "2 failed" in summary and "Retry failed" in summary

        # Retry the failures and both cancelled jobs: the batch ends complete.
        panel.retry_failed_button.click()
        for job in controller.jobs():
            if job.status is EditStatus.CANCELLED:
                controller.retry(job.edit_id)
        await until(lambda: states(window) == Counter({EditStatus.DONE: 29}), 60,
                    "every job done")
        await until(lambda: not controller.active, 10, "the batch to end")
        return removed, model.job_at(3)

    removed, custom = qloop.run(scenario(), timeout=150)

    assert any(t.startswith("Qwen Studio — ") and "/29" in t for t in titles)
    assert window.windowTitle() == "Qwen Studio"
    assert "29 done" in panel.progress_label.text()
    assert set(status_cells(window)) == {"Done"}

    # The library holds exactly one done edit per photo, with its result file on disk.
    records = window.library.query(batch_id=controller.batch_id, limit=1000)
    assert len(records) == 29
    assert all(r.status is EditStatus.DONE for r in records)
    by_input = Counter(r.input_hashes[0] for r in records)
    kept = [p for p in photos if p.name != removed.label]
    assert by_input == Counter(file_sha256(p) for p in kept)
    assert all(r.result_files and r.result_files[0].is_file() for r in records)
    assert len({r.result_files[0] for r in records}) == 29
    own = next(r for r in records if r.id == custom.edit_id)
    assert own.request.prompt == "make it black and white"
    others = {r.request.prompt for r in records if r.id != custom.edit_id}
    assert others == {"put it on a white studio backdrop"}
    # Removed before it ran: gone from the batch, kept nowhere in the live history.
    assert window.library.get(removed.edit_id).deleted
    # The history list shows every photo of the batch as the queue left it (told by the
    # queue, not found by a poll): done, with its result.
    rows = {e.edit_id: e for e in window.history_model.entries()
            if e.batch_id == controller.batch_id}
    assert set(rows) == {r.id for r in records}
    assert {e.status for e in rows.values()} == {"done"}
    assert all(rows[r.id].result_paths == list(r.result_files) for r in records)
    assert removed.edit_id not in {e.edit_id for e in window.history_model.entries()}


def test_few_extra_files_offer_a_batch_and_export(make_window, sandbox, qloop, tmp_path):
    window = make_window(sandbox)
    window.params.set_model("qwen-image-edit-plus")
    photos = make_folder(tmp_path / "four", 4)
    controller = window.batch.controller

    async def scenario():
        window.prompt_panel.prompt_edit.setPlainText("warmer light")
        drop_files(window.drop_zone, photos)
        await until(lambda: window.inputs, 10, "inputs")
        assert len(window.inputs) == 3  # still one multi-image edit by default…
        assert window.banner.action_button.text() == "Make a batch of 4"  # …or a batch
        window.banner.action_button.click()
        await until(lambda: len(controller.jobs()) == 4, 10, "a batch of 4")
        assert window.inputs == []
        window.run_edit()  # Ctrl+Enter / Run starts the waiting batch
        await until(lambda: states(window) == Counter({EditStatus.DONE: 4}), 30, "all done")
        await until(lambda: window.batch.panel.export_button.isEnabled(), 5, "export")
        return await window.batch.export_to(tmp_path / "gallery")

    out = qloop.run(scenario())
    assert out is not None and (out / "index.html").is_file()
    assert "warmer light" in (out / "index.html").read_text(encoding="utf-8")
