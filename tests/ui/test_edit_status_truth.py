"""What the window says about edits is true (issue #12's symptoms), against a real sandbox.

- After the last attempt of an edit failed, nothing visible says it is retrying or editing:
  not the banner's hint, not the status bar, not the canvas, not the in-flight count.
- While a batch runs, the status bar says so (it said "Idle" through a whole batch).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from window_helpers import drop_files, make_jpeg, sandbox_endpoint, until

from qwen_studio.core.client import ClientSettings
from qwen_studio.sandbox import SandboxServer
from qwen_studio.ui.batch.model import C_STATUS

ATTEMPTS = 3
FAST = ClientSettings(backoff_base=0.01, backoff_max=0.05, max_attempts=ATTEMPTS,
                      read_timeout=20)


@pytest.fixture
def slow_sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(api_key="test-key", latency=0.3).start()
    try:
        yield server
    finally:
        server.stop()


def status_cells(window) -> list[str]:
    m = window.batch.panel.model
    return [m.data(m.index(r, C_STATUS)) for r in range(m.rowCount())]


def visible_progress(window) -> str:
    """Everything the window shows about edits in progress, in one string."""
    cv = window.compare_view
    busy = cv.busy_text() if hasattr(cv, "busy_text") else ""
    return " | ".join((window.banner.message(), window.banner.hint(),
                       window.statusBar().currentMessage(), window.inflight_label.text(),
                       busy or ""))


@pytest.mark.parametrize("fault", ["500", "429"])
def test_after_the_final_attempt_fails_nothing_says_retrying(make_window, sandbox, qloop,
                                                            tmp_path: Path, fault: str):
    window = make_window(sandbox_endpoint(sandbox))
    window.set_client_settings(FAST)
    photo = make_jpeg(tmp_path / "photo.jpg", (400, 400))
    sandbox.inject(fault, ATTEMPTS)  # every attempt fails
    seen: list[str] = []
    window.statusBar().messageChanged.connect(seen.append)

    async def scenario() -> None:
        drop_files(window.drop_zone, [photo])
        await until(lambda: window.inputs, 10, "the input")
        window.prompt_panel.prompt_edit.setPlainText("make it blue")
        assert window.run_edit() is not None
        await until(lambda: window.banner.kind == "error", 30, "the error banner")
        await until(lambda: window.inflight_label.text() == "Idle", 5, "nothing in flight")

    qloop.run(scenario())
    assert sandbox.request_count == ATTEMPTS
    # It did say it was retrying while it was (so the check below can fail).
    assert any("retrying" in m.lower() for m in seen), seen
    shown = visible_progress(window)
    assert "retrying" not in shown.lower(), shown
    assert "editing" not in shown.lower(), shown
    assert window.banner.action_text() == "Retry"


def test_the_status_bar_follows_a_running_batch(make_window, slow_sandbox, qloop,
                                               tmp_path: Path):
    window = make_window(sandbox_endpoint(slow_sandbox))
    window.set_client_settings(FAST)
    folder = tmp_path / "shots"
    folder.mkdir()
    for i in range(10):
        make_jpeg(folder / f"s{i}.jpg", (384, 384), ((i * 25) % 256, 90, 120))
    controller = window.batch.controller
    during: list[tuple[str, str]] = []

    async def scenario() -> None:
        window.prompt_panel.prompt_edit.setPlainText("warmer light")
        drop_files(window.drop_zone, [folder])
        await until(lambda: window.batch.panel.model.rowCount() == 10, 15, "10 queued rows")
        window.batch.panel.concurrency_spin.setValue(2)
        window.run_button.click()
        await until(lambda: "Done" in status_cells(window), 30, "a first result")
        during.append((window.inflight_label.text(), window.statusBar().currentMessage()))
        await until(lambda: not controller.active, 60, "the batch to finish")

    qloop.run(scenario(), timeout=90)
    [(inflight, message)] = during
    assert inflight != "Idle" and "running" in inflight, inflight
    assert "batch" in message.lower() and "of 10" in message, message
    # Finished: the truth again.
    assert window.inflight_label.text() == "Idle"
    assert "running" not in window.statusBar().currentMessage()
