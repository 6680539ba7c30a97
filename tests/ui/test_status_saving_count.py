"""The status bar's "N running" is never more than the edits the service has at once.

An edit that is writing its result gives its slot back (the next edit is sent meanwhile), yet
the queue still counts it running: with concurrency 2 and slow saves the bar read "6
running". Now the queue counts the edits with the service and the ones saving apart
(QueueStats.running / .saving) and the window shows its figures."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from window_helpers import drop_files, make_jpeg, sandbox_endpoint, until

from qwen_studio.core.editing.sinks import LibrarySink


def count(word: str, text: str) -> int:
    m = re.search(rf"(\d+) {word}", text)
    return int(m.group(1)) if m else 0


def test_saving_edits_are_not_counted_as_running(make_window, sandbox, qloop, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(sandbox_endpoint(sandbox))
    folder = tmp_path / "shots"
    folder.mkdir()
    for i in range(6):
        make_jpeg(folder / f"s{i}.jpg", (320, 320), ((i * 40) % 256, 90, 120))
    saves_may_end: list[asyncio.Event] = []  # made on the window's loop
    original = LibrarySink.save

    async def slow_save(self, edit, outcome):  # a slow disk: every save waits
        await saves_may_end[0].wait()
        return await original(self, edit, outcome)

    monkeypatch.setattr(LibrarySink, "save", slow_save)
    controller, session = window.batch.controller, window.edits
    seen: list[tuple[str, str]] = []
    # At every refresh the queue's figures, the in-flight label and the batch line.
    shown: list[tuple[int, int, str, str]] = []

    def after_refresh(_stats: object) -> None:  # connected after the window's own slot
        s = session.stats()
        shown.append((s.running, s.saving, window.inflight_label.text(),
                      window.statusBar().currentMessage()))

    window.edit_signals.statsChanged.connect(after_refresh)

    async def scenario() -> None:
        saves_may_end.append(asyncio.Event())
        window.prompt_panel.prompt_edit.setPlainText("warmer light")
        drop_files(window.drop_zone, [folder])
        await until(lambda: window.batch.panel.model.rowCount() == 6, 15, "6 queued rows")
        window.batch.panel.concurrency_spin.setValue(2)
        window.run_button.click()
        try:
            # Every edit sent and answered, all six waiting on the disk.
            await until(lambda: session.stats().saving == 6, 30, "six edits saving")
            assert session.stats().running == 0
            await until(lambda: count("saving", window.inflight_label.text()) == 6, 5,
                        "the count to follow")
            seen.append((window.inflight_label.text(), window.statusBar().currentMessage()))
        finally:
            saves_may_end[0].set()  # the window's shutdown waits for its saves
        await until(lambda: controller.jobs() and not controller.active, 30, "the batch")

    qloop.run(scenario(), timeout=90)
    [(inflight, message)] = seen
    assert count("running", inflight) <= 2, inflight
    assert inflight == "6 saving", inflight
    assert count("running", message) <= 2 and count("saving", message) == 6, message
    assert window.inflight_label.text() == "Idle"
    assert shown and max(running for running, *_ in shown) <= 2
    for running, saving, label, line in shown:
        assert (count("running", label), count("saving", label)) == (running, saving), label
        if "Batch" in line:
            assert (count("running", line), count("saving", line)) == (running, saving), line
