"""A batch survives a quit and a SIGKILL: reopening offers to resume, and every photo ends
with exactly one done result (a saved result is never sent again). After the kill the
library database passes integrity_check and every file under its final name decodes; a
temp file the kill left is gone once the library is reopened."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image
from window_helpers import until

from qwen_studio.core import paths
from qwen_studio.core.atomic import TEMP_PREFIX
from qwen_studio.core.client import ClientSettings, Endpoint
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.library import Library
from qwen_studio.core.pipeline import file_sha256

FAST = ClientSettings(backoff_base=0.01, backoff_max=0.05, max_attempts=4, read_timeout=20)


def make_folder(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        p = folder / f"item_{i:02d}.jpg"
        Image.new("RGB", (400, 320), ((i * 53) % 256, 120, (i * 29) % 256)).save(p, quality=80)
        out.append(p)
    return out


def assert_one_done_result_each(home: Path, photos: list[Path]) -> list:
    with Library(paths.library_dir()) as lib:
        [batch_id] = lib.batch_ids()
        records = lib.query(batch_id=batch_id, limit=1000)
        assert sorted(r.status for r in records) == [EditStatus.DONE] * len(photos)
        assert Counter(r.input_hashes[0] for r in records) == Counter(
            file_sha256(p) for p in photos)
        assert all(len(r.result_files) == 1 and r.result_files[0].is_file() for r in records)
        return records


def assert_library_sound(home: Path) -> list[Path]:
    """Whatever happened (even a SIGKILL): the database passes integrity_check and every file
    under its final name in the library decodes whole. Returns the temp files found."""
    root = home / "data" / "library"
    conn = sqlite3.connect(root / "library.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
    temps = []
    for p in (root / "files").rglob("*"):
        if p.name.startswith(TEMP_PREFIX):
            temps.append(p)
        elif p.is_file():
            with Image.open(p) as im:
                im.load()
    return temps


@pytest.fixture
def slow_sandbox():
    from qwen_studio.sandbox import SandboxServer

    server = SandboxServer(api_key="test-key", latency=0.3).start()
    try:
        yield server
    finally:
        server.stop()


def test_quit_mid_batch_then_reopen_offers_resume(qloop, qtbot, slow_sandbox, tmp_path,
                                                  studio_home):
    from qwen_studio.app import create_main_window

    photos = make_folder(tmp_path / "photos", 8)
    endpoint = Endpoint(slow_sandbox.base_url, "bailian", "test-key", "Test sandbox")

    def open_window():
        w = create_main_window()
        w.set_endpoint(endpoint)
        w.batch.controller.client_settings = FAST
        w.show()
        return w

    first = open_window()

    async def run_then_quit():
        first.prompt_panel.prompt_edit.setPlainText("clean white backdrop")
        await first.batch.add_folder(tmp_path / "photos")
        first.batch.controller.set_concurrency(2)
        assert first.batch.run()
        c = first.batch.controller
        await until(lambda: sum(j.status is EditStatus.DONE for j in c.jobs()) >= 2, 20, "2 done")
        await first.shutdown()  # what quitting does (closing here would stop the test's loop)

    qloop.run(run_then_quit())
    first.close()
    first.deleteLater()
    sent_before = len(slow_sandbox.received)

    second = open_window()
    panel = second.batch.panel

    async def reopen_and_resume():
        await until(lambda: not panel.resume_banner.isHidden(), 10, "the resume offer")
        text = panel.resume_label.text()
        assert text.startswith("A batch of 8") and "was interrupted" in text
        done_before = int(text.split("interrupted: ")[1].split(" done")[0])
        assert 2 <= done_before < 8
        panel.resume_button.click()
        c = second.batch.controller
        await until(lambda: len(c.jobs()) == 8 and not c.active, 30, "the resumed batch")
        return done_before

    try:
        done_before = qloop.run(reopen_and_resume())
        assert Counter(j.status for j in second.batch.controller.jobs()) == Counter(
            {EditStatus.DONE: 8})
    finally:
        second.close()
        qloop.run(second.shutdown())
        second.deleteLater()
    assert_one_done_result_each(studio_home, photos)
    # Only what was not saved was sent again.
    assert len(slow_sandbox.received) - sent_before == 8 - done_before


SCRIPT = textwrap.dedent('''
    import asyncio, os, sys
    from pathlib import Path
    import qasync
    from PySide6.QtWidgets import QApplication
    from qwen_studio.app import create_main_window
    from qwen_studio.core.client import ClientSettings, Endpoint
    from qwen_studio.core.editing.status import EditStatus

    mode, base_url, folder = sys.argv[1:4]
    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    async def main():
        w = create_main_window()
        w.set_endpoint(Endpoint(base_url, "bailian", "test-key", "Test sandbox"))
        c = w.batch.controller
        c.client_settings = ClientSettings(backoff_base=0.01, backoff_max=0.05)
        c.jobsChanged.connect(lambda _ids: print(
            "DONE", sum(j.status is EditStatus.DONE for j in c.jobs()), flush=True))
        if mode == "start":
            w.prompt_panel.prompt_edit.setPlainText("studio backdrop")
            await w.batch.add_folder(Path(folder))
            c.set_concurrency(3)
            assert w.batch.run()
            await asyncio.sleep(120)  # the test kills us long before
        else:
            panel = w.batch.panel
            while panel.resume_banner.isHidden():
                await asyncio.sleep(0.01)
            print("OFFER", panel.resume_label.text(), flush=True)
            panel.resume_button.click()
            while not c.jobs() or c.active:
                await asyncio.sleep(0.01)
            print("END", dict((str(k), v) for k, v in
                  __import__("collections").Counter(j.status for j in c.jobs()).items()),
                  flush=True)
        await w.shutdown()

    try:
        loop.run_until_complete(asyncio.wait_for(main(), 90))
    finally:
        from qwen_studio.ui import image_loading
        image_loading.executor().shutdown(wait=True)
        loop.close()  # also stops qasync's own executor thread (DNS lookups)
''')


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_batch_then_resume_in_a_new_process(slow_sandbox, tmp_path, studio_home):
    photos = make_folder(tmp_path / "photos", 20)
    script = tmp_path / "batch_app.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QWEN_STUDIO_HOME=str(studio_home),
               PYTHONUNBUFFERED="1")
    args = [sys.executable, str(script)]

    proc = subprocess.Popen([*args, "start", slow_sandbox.base_url, str(tmp_path / "photos")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert proc.stdout is not None
    seen = []
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        seen.append(line)
        if line.startswith("DONE") and int(line.split()[1]) >= 5:
            proc.send_signal(signal.SIGKILL)  # no shutdown, no cleanup: a crash
            break
        assert time.monotonic() < deadline, "".join(seen[-20:])
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL, "".join(seen[-20:])
    sent_before = len(slow_sandbox.received)

    with Library(paths.library_dir()) as lib:  # what the crash left behind
        [batch_id] = lib.batch_ids()
        left = lib.query(batch_id=batch_id, limit=1000)
        done_at_kill = sum(r.status is EditStatus.DONE for r in left)
        # Every result the app had reported done is on disk (and decodes, below).
        assert all(r.result_files and all(f.is_file() for f in r.result_files)
                   for r in left if r.status is EditStatus.DONE)
    assert len(left) == 20 and 5 <= done_at_kill < 20
    assert_library_sound(studio_home)
    # What a kill in the middle of writing a result leaves: half a file under a temp name.
    shard = next(d for d in (studio_home / "data" / "library" / "files").iterdir())
    leftover = shard / f"{TEMP_PREFIX}killed"
    done = next(r for r in left if r.status is EditStatus.DONE)
    leftover.write_bytes(done.result_files[0].read_bytes()[:100])

    out = subprocess.run([*args, "resume", slow_sandbox.base_url, str(tmp_path / "photos")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert f"OFFER A batch of 20 (“studio backdrop”) was interrupted: {done_at_kill} done" \
        in out.stdout
    assert "END {'done': 20}" in out.stdout, out.stdout[-2000:]
    assert_one_done_result_each(studio_home, photos)
    assert assert_library_sound(studio_home) == []  # the killed run's temp file is gone
    # The saved results were not sent again: only the unsaved ones were.
    assert len(slow_sandbox.received) - sent_before == 20 - done_at_kill
