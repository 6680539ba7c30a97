"""Faults in the WINDOW: one edit (and one batch) against the sandbox over loopback.

The rows are test_faults.FAULTS (the client and CLI table), run here through the real
window: drop a photo, type a prompt, Run. A row that heals ends in a done edit after the
same number of requests; a row that fails ends in the error banner with the message a user
understands and the right next step, a failed history row carrying the reason, and a window
that still works (the banner's Retry, or the next edit, succeeds). After every row the
library's files folder holds only whole, decodable files. docs/reliability.md lists these
rows under "The window".
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from test_faults import (
    ATTEMPTS,
    FAULTS,
    KEY,
    READ_TIMEOUT,
    REFUSED,
    RESULT_CAP,
    Fault,
    closed_port,
    fault_id,
    faults_sandbox,  # noqa: F401  (the sb fixture)
)
from window_helpers import drop_files, make_jpeg, until

from qwen_studio.core.atomic import TEMP_PREFIX
from qwen_studio.core.client import ClientSettings, Endpoint
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.errors import ModerationError, RateLimitError
from qwen_studio.sandbox import SandboxServer
from qwen_studio.ui.batch.model import C_STATUS
from qwen_studio.ui.history.model import DONE, FAILED

SETTINGS = ClientSettings(read_timeout=READ_TIMEOUT, max_attempts=ATTEMPTS, backoff_base=0.01,
                          backoff_max=0.05, max_result_bytes=RESULT_CAP)


@pytest.fixture
def window_for(make_window) -> Callable[[str], object]:
    """A real window pointed at `base_url`, with the fault tests' client settings."""

    def factory(base_url: str):
        w = make_window(Endpoint(base_url, "bailian", KEY, "Test sandbox"))
        w.set_client_settings(SETTINGS)
        w.resize(1200, 800)
        shown: list[tuple[str, str]] = []

        def record() -> None:
            notice = w.notices.current()
            if notice is not None:
                shown.append((notice.level.value, notice.message))

        w.notices.changed.connect(record)  # every notice the row raised, in order
        w.banners_shown = shown
        return w

    return factory


def statuses(window) -> list[str]:
    return [e.status for e in window.history_model.entries()]


def finished(window) -> int:
    return sum(s in (DONE, FAILED) for s in statuses(window))


async def run_one(window, prompt: str = "make it blue") -> None:
    """Type and Run; wait until one more history row has finished (done or failed)."""
    before = finished(window)
    window.prompt_panel.prompt_edit.setPlainText(prompt)
    assert window.run_edit() is not None
    await until(lambda: finished(window) > before, 30, "the edit to finish")


async def drop_and_run(window, photo: Path) -> None:
    """Drop `photo` on the window, wait for it as an input, and run one edit of it."""
    drop_files(window.drop_zone, [photo])
    await until(lambda: window.inputs, 10, "the input")
    await run_one(window)


def assert_library_files_whole(home: Path) -> int:
    """Only complete files under their final names; no temp file anywhere in the library."""
    library = home / "data" / "library"
    temps = [p for p in library.rglob(TEMP_PREFIX + "*")]
    assert not temps, temps
    n = 0
    for p in (library / "files").rglob("*"):
        if p.is_file():
            with Image.open(p) as im:
                im.load()
            n += 1
    return n


def expected_action(fault: Fault) -> str:
    return "Rephrase" if fault.error is ModerationError else "Retry"


@pytest.mark.parametrize("fault", FAULTS, ids=fault_id)
def test_window_fault(fault: Fault, sb: SandboxServer, window_for, qloop, tmp_path: Path,
                      studio_home: Path) -> None:
    window = window_for(sb.base_url)
    photo = make_jpeg(tmp_path / "photo.jpg", (400, 400))
    sb.inject(fault.kind, fault.times)

    async def scenario() -> None:
        await drop_and_run(window, photo)
        assert sb.request_count == fault.requests
        sb.faults.clear()  # what a persistent fault did not use up
        entry = window.history_model.entries()[0]
        if fault.error is None:
            # Healed by retrying: the user saw a calm note while it retried, then the result.
            assert entry.status == DONE, entry.note
            kinds = [k for k, _m in window.banners_shown]
            assert kinds and set(kinds) == {"info"}, window.banners_shown
            assert "retrying in" in window.banners_shown[0][1]
            assert not window.banner.isVisible()
            await until(lambda: window.after_image() is not None, 10, "the result")
            return
        banner = window.banner
        assert banner.isVisible() and banner.objectName() == "errorBanner"
        assert banner.kind == "error"
        assert fault.message in banner.message()
        assert banner.hint()  # what to do next
        assert banner.action_text() == expected_action(fault)
        if fault.error is RateLimitError:
            assert banner.hint().startswith("Retried automatically and still rate limited.")
        assert KEY not in banner.message() + banner.hint()
        assert entry.status == FAILED and fault.message in entry.note
        # The library write lands from the pool just after the row updates: wait for it.
        await until(lambda: window.library.get(entry.edit_id).status is EditStatus.FAILED, 10,
                    "the library record")
        assert fault.message in window.library.get(entry.edit_id).error
        assert not entry.result_paths and window.after_image() is None

        # The window stays usable: the banner's own action first.
        if banner.action_text() == "Retry":
            banner.action_button.click()  # re-runs the same edit, now without the fault
            await until(lambda: statuses(window).count(DONE) == 1, 30, "the retried edit")
        else:
            banner.action_button.click()
            assert window.prompt_panel.prompt_edit.textCursor().hasSelection()
            await run_one(window, "make it green")
        assert sb.request_count == fault.requests + 1

    qloop.run(scenario(), timeout=60)
    assert statuses(window).count(DONE) == 1
    # The failed edit stored its input, the good one its input and result: all whole files.
    assert assert_library_files_whole(studio_home) >= 2


def test_window_connection_refused(window_for, qloop, tmp_path: Path, studio_home: Path) -> None:
    window = window_for(f"http://127.0.0.1:{closed_port()}")
    photo = make_jpeg(tmp_path / "photo.jpg", (400, 400))

    qloop.run(drop_and_run(window, photo))
    entry = window.history_model.entries()[0]
    assert entry.status == FAILED and "Could not reach 127.0.0.1" in entry.note
    # Why, in plain words: not the transport's text ("All connection attempts failed").
    assert window.banner.message().endswith(f" Could not reach 127.0.0.1: {REFUSED}")
    assert window.banner.action_text() == "Retry"
    # Retries were announced as they happened (ATTEMPTS - 1 waits), then the error.
    infos = [m for k, m in window.banners_shown if k == "info"]
    assert len(infos) == ATTEMPTS - 1
    assert_library_files_whole(studio_home)

    # Once the service is back (the user fixed the URL), the next edit works.
    with SandboxServer(api_key=KEY) as server:
        window.set_endpoint(Endpoint(server.base_url, "bailian", KEY, "Test sandbox"))
        qloop.run(run_one(window, "make it green"))
        assert server.request_count == 1
    assert statuses(window) == [DONE, FAILED]


def test_window_batch_with_mixed_faults_carries_on(sb: SandboxServer, window_for, qloop,
                                                   tmp_path: Path, studio_home: Path) -> None:
    """A folder of 8 with faults landing on some jobs: only the unhealable ones fail."""
    folder = tmp_path / "shots"
    folder.mkdir()
    for i in range(8):
        make_jpeg(folder / f"s{i}.jpg", (384, 384), ((i * 30) % 256, 90, 200 - i * 20))
    window = window_for(sb.base_url)
    controller, model = window.batch.controller, window.batch.panel.model

    async def scenario() -> None:
        window.prompt_panel.prompt_edit.setPlainText("warmer light")
        drop_files(window.drop_zone, [folder])
        await until(lambda: model.rowCount() == 8, 15, "8 queued rows")
        controller.set_concurrency(2)
        # One more attempt than retryable faults: however the two jobs in flight share
        # them out, none can fail from retryable faults alone.
        controller.client_settings = dataclasses.replace(SETTINGS, max_attempts=4)
        for kind in ("500", "expired", "reset", "moderation", "truncated", "not_image"):
            sb.inject(kind)
        window.run_button.click()
        await until(lambda: controller.jobs() and not controller.active, 60, "the batch")

    qloop.run(scenario(), timeout=90)
    states = Counter(j.status for j in controller.jobs())
    # 500, reset and truncated heal on retry; the expired link, moderation and the
    # non-image result each fail their one job; the other five are done.
    assert states == Counter({EditStatus.DONE: 5, EditStatus.FAILED: 3}), states
    cells = [model.data(model.index(r, C_STATUS)) for r in range(model.rowCount())]
    assert cells.count("Done") == 5
    reasons = " | ".join(str(j.error) for j in controller.jobs() if j.status is EditStatus.FAILED)
    for message in ("has expired or was not found (HTTP 403)", "flagged by moderation",
                    "downloaded result is not an image"):
        assert message in reasons, reasons
    summary = window.batch.panel.summary.text()
    assert "3 failed" in summary
    records = window.library.query(batch_id=controller.batch_id, limit=100)
    assert Counter(r.status for r in records) == Counter({EditStatus.DONE: 5,
                                                          EditStatus.FAILED: 3})
    assert all(r.result_files[0].is_file() for r in records if r.status is EditStatus.DONE)
    assert assert_library_files_whole(studio_home) == 8 + 5  # 8 inputs, 5 results


def test_reliability_doc_has_the_window_rows() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "reliability.md").read_text("utf-8")
    window = doc.split("## The window", 1)[1]
    for name in ("test_window_faults.py", "test_window_inputs.py", "test_window_secrets.py",
                 "integrity_check", "**Retry**", "**Rephrase**", "Could not reach 127.0.0.1"):
        assert name in window, name
