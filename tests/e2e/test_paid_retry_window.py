"""A single window edit whose paid result failed to download, after a restart: its history
row says it was paid for and not downloaded, and Retry download on that row downloads it
(no second paid request to the service) and lands the result in the window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from window_helpers import Windows, drop_files, make_jpeg, until

from qwen_studio.core.client import ClientSettings, Endpoint
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.sandbox import SandboxServer

KEY = "test-key"
FAST = ClientSettings(backoff_base=0.01, backoff_max=0.05, max_attempts=2, read_timeout=20)


@pytest.fixture
def flaky() -> Iterator[SandboxServer]:
    """The result host drops as many downloads of a `dropped` result as the client tries."""
    server = SandboxServer(api_key=KEY, dropped_fetches=FAST.max_attempts).start()
    yield server
    server.stop()


@pytest.fixture
def open_window(qloop, qtbot) -> Iterator[Windows]:
    """Real windows over the test's home; `open_window.close(w)` quits one (a restart)."""
    windows = Windows(qloop, FAST)
    yield windows
    windows.close_all()


def test_retry_download_after_a_restart_lands_the_paid_result_without_paying_again(
        flaky: SandboxServer, open_window, qloop, tmp_path: Path) -> None:
    endpoint = Endpoint(flaky.base_url, "bailian", KEY, "Test sandbox")
    photo = make_jpeg(tmp_path / "photo.jpg", (320, 240))
    first = open_window(endpoint)
    flaky.inject("dropped")

    async def fail_once() -> int:
        drop_files(first.drop_zone, [photo])
        await until(lambda: first.inputs, what="the input")
        first.prompt_panel.prompt_edit.setPlainText("make it blue")
        assert first.run_edit() is not None
        m = first.history_model
        await until(lambda: m.entries() and m.entries()[0].reason == "paid_not_downloaded",
                    30, "the failed, paid edit with its reason")
        return m.entries()[0].edit_id

    edit_id = qloop.run(fail_once())
    assert flaky.request_count == 1
    open_window.close(first)

    second = open_window(endpoint)
    panel, m = second.history_panel, second.history_model

    async def retry_after_restart() -> None:
        await until(lambda: m.rowCount() == 1 and not m.is_loading(), 10, "the stored row")
        [entry] = m.entries()
        assert entry.edit_id == edit_id and entry.status is EditStatus.FAILED
        shown = m.data(m.index(0), Qt.ItemDataRole.AccessibleTextRole)
        assert "paid, not downloaded" in shown
        assert "Retry downloads it again without a new charge" in entry.note
        panel.select_row(0)
        act = panel.retry_download.action
        await until(act.isEnabled, 5, "Retry download offered on the row")
        act.trigger()
        await until(lambda: m.entries()[0].status is EditStatus.DONE, 30, "the download")
        await until(lambda: second.after_image() is not None, 10, "the result shown")

    qloop.run(retry_after_restart())
    assert flaky.request_count == 1  # downloaded; the edit was not sent (or paid) again
    rec = second.library.get(edit_id)
    assert rec is not None and rec.status is EditStatus.DONE and not rec.reason
    assert len(rec.result_files) == 1 and rec.result_files[0].is_file()
    assert not panel.retry_download.action.isEnabled()  # nothing left to download
