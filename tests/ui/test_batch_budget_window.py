"""The window's batch budget against the sandbox: at 8 edits at once a budget for N images
sends exactly N requests (each reserves its cost before it goes), the rest read "Skipped:
budget", and a larger budget with Run skipped finishes them; the amount is remembered."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from window_helpers import drop_files, sandbox_endpoint, until

from qwen_studio.core.client import ClientSettings
from qwen_studio.core.config import ConfigStore
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.ui.batch.budget_field import SETTINGS_KEY
from qwen_studio.ui.batch.model import C_STATUS, C_TRIES
from qwen_studio.ui.notices import NoticeKind

MODEL = "qwen-image-edit-plus"
FAST = ClientSettings(backoff_base=0.01, backoff_max=0.05, max_attempts=2, read_timeout=20)


@pytest.fixture
def slow_sandbox() -> Iterator[object]:
    from qwen_studio.sandbox import SandboxServer

    # Every answer takes a while, so eight requests really are in flight together.
    server = SandboxServer(api_key="test-key", latency=0.5).start()
    try:
        yield server
    finally:
        server.stop()


def folder(path: Path, n: int) -> Path:
    path.mkdir(parents=True)
    for i in range(n):
        Image.new("RGB", (320, 240), (i * 11 % 256, 90, 140)).save(path / f"p{i:02d}.jpg")
    return path


def status_cells(window) -> Counter:
    m = window.batch.panel.model
    return Counter(m.data(m.index(r, C_STATUS), Qt.ItemDataRole.DisplayRole)
                   for r in range(m.rowCount()))


def test_budget_at_concurrency_8_never_overshoots_and_run_skipped_finishes(
        make_window, slow_sandbox, qloop, tmp_path):
    ConfigStore().set_price_override(MODEL, 0.1, "USD")
    window = make_window(sandbox_endpoint(slow_sandbox))
    window.set_client_settings(FAST)
    window.params.set_model(MODEL)
    batch = window.batch
    panel, controller, field = batch.panel, batch.controller, batch.panel.budget_field
    titles: list[str] = []
    window.windowTitleChanged.connect(titles.append)

    async def first_run() -> None:
        await until(lambda: window.spend.prices.loaded, 10, "the prices")
        assert field.currency_label.text() == "USD"  # the chosen model's price's currency
        window.prompt_panel.prompt_edit.setPlainText("studio backdrop")
        drop_files(window.drop_zone, [folder(tmp_path / "shots", 20)])
        await until(lambda: panel.model.rowCount() == 20, 20, "20 queued rows")
        panel.concurrency_spin.setValue(8)
        field.set_budget(0.5)  # five images at $0.10
        window.run_button.click()
        await until(lambda: controller.active, 5, "the batch to start")
        await until(lambda: not controller.active, 60, "the batch to end")

    qloop.run(first_run(), timeout=90)
    assert slow_sandbox.request_count == 5  # never a sixth, with eight at once
    # The title counts what is done, never what the budget skipped. (Five answers can land in
    # one pass of the loop, after which the batch is over: "5/20" itself may never be shown.)
    counts = [int(t.split("— ")[1].split("/")[0]) for t in titles if "— " in t]
    assert counts and max(counts) <= 5, titles
    assert status_cells(window) == Counter({"Done": 5, "Skipped (over budget)": 15})
    skipped = [j for j in controller.jobs() if j.status is EditStatus.SKIPPED]
    row = panel.model.row_of(skipped[0].edit_id)
    tip = panel.model.data(panel.model.index(row, C_STATUS), Qt.ItemDataRole.ToolTipRole)
    assert "over the budget" in tip
    tries = panel.model.data(panel.model.index(row, C_TRIES), Qt.ItemDataRole.DisplayRole)
    assert tries == "–"  # never sent
    assert panel.progress_label.text().startswith("5 done · 15 skipped (over budget)")
    assert panel.progress.text() == "20 / 20"  # the total once, in the bar
    assert "5 of 20 done, 15 skipped (over budget)." in panel.summary.text()
    button = field.run_skipped_button
    assert button.isVisible() and button.isEnabled() and button.text() == "Run skipped (15)"
    assert window.qsettings.value(SETTINGS_KEY) == "0.5"

    async def meter() -> None:  # the status bar counts the batch against its budget
        await until(lambda: "Batch $0.50 of $0.50 — budget reached"
                    in window.spend.meter.label.text(), 10, "the meter")

    qloop.run(meter())

    async def run_skipped() -> None:
        field.set_budget(2)  # room for all twenty: $0.50 spent + 15 x $0.10
        button.click()
        await until(lambda: controller.active, 10, "the skipped photos to start")
        await until(lambda: not controller.active, 60, "the batch to end again")

    qloop.run(run_skipped(), timeout=90)
    assert slow_sandbox.request_count == 20
    assert status_cells(window) == Counter({"Done": 20})
    assert not button.isVisible()
    records = window.library.query(batch_id=controller.batch_id, limit=100)
    assert sorted(r.status for r in records) == [EditStatus.DONE] * 20


def test_a_budget_that_is_not_an_amount_stops_run_with_a_notice(make_window, sandbox, qloop,
                                                                  tmp_path):
    window = make_window(sandbox_endpoint(sandbox))
    window.params.set_model(MODEL)
    batch = window.batch

    async def scenario() -> None:
        await until(lambda: window.spend.prices.loaded, 10, "the prices")
        window.prompt_panel.prompt_edit.setPlainText("studio backdrop")
        drop_files(window.drop_zone, [folder(tmp_path / "shots", 8)])
        await until(lambda: batch.panel.model.rowCount() == 8, 20, "8 queued rows")
        batch.panel.budget_field.edit.setText("a lot")
        window.run_button.click()

    qloop.run(scenario())
    assert not batch.controller.active and sandbox.request_count == 0
    notice = window.notices.current()
    assert notice is not None and notice.kind is NoticeKind.BATCH
    assert "not an amount" in notice.message


def test_an_interrupted_batch_resumes_under_the_budget_typed(make_window, sandbox, qloop,
                                                             tmp_path):
    import io

    from qwen_studio.core.editing.batches import new_batch_id
    from qwen_studio.core.library import Library
    from qwen_studio.core.request import EditRequest

    ConfigStore().set_price_override(MODEL, 0.1, "USD")
    batch_id = new_batch_id()
    with Library() as lib:  # six photos queued when the app last closed
        for i in range(6):
            buf = io.BytesIO()
            Image.new("RGB", (320, 240), (i * 30, 90, 140)).save(buf, "PNG")
            sha, path = lib.store_bytes(buf.getvalue(), "png")
            lib.create_edit(EditRequest(inputs=(str(path),), prompt="backdrop", model=MODEL),
                            input_hashes=(sha,), batch_id=batch_id)
    window = make_window(sandbox_endpoint(sandbox))
    window.set_client_settings(FAST)
    window.params.set_model(MODEL)
    panel = window.batch.panel
    controller = window.batch.controller

    async def scenario() -> None:
        await until(lambda: window.spend.prices.loaded, 10, "the prices")
        await until(lambda: panel.resume_banner.isVisible(), 10, "the resume offer")
        panel.budget_field.set_budget(0.3)
        panel.resume_button.click()
        await until(lambda: controller.active, 10, "the batch to resume")
        await until(lambda: not controller.active, 60, "the batch to end")

    qloop.run(scenario(), timeout=90)
    assert sandbox.request_count == 3  # $0.30 at $0.10 an image
    assert status_cells(window) == Counter({"Done": 3, "Skipped (over budget)": 3})
