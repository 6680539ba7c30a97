"""The history survives: a restart (second window over the same home) and a kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

from PIL import Image
from PySide6.QtCore import Qt
from window_helpers import drop_files, until

from qwen_studio.core import paths
from qwen_studio.core.client import Endpoint
from qwen_studio.core.library import DB_NAME, EditStatus, Library


def rows(window) -> list[tuple[int | None, str, str]]:
    return [(e.edit_id, e.request.prompt, str(e.status))
            for e in window.history_model.entries()]


def test_second_window_shows_the_same_entries_in_the_same_order(make_window, sandbox, qloop,
                                                                  tmp_path):
    endpoint = Endpoint(sandbox.base_url, "bailian", "test-key", "Test sandbox")
    photo = tmp_path / "p.jpg"
    Image.new("RGB", (320, 240), (90, 140, 60)).save(photo, "JPEG")
    w1 = make_window(endpoint)

    async def run_two():
        drop_files(w1.drop_zone, [photo])
        await until(lambda: w1.inputs, what="input")
        for i, prompt in enumerate(["first change", "second change"], 1):
            w1.prompt_panel.prompt_edit.setPlainText(prompt)
            w1.run_edit()
            await until(lambda i=i: sum(s == "done" for *_, s in rows(w1)) == i, 30, prompt)
        w1.history_panel.select_row(0)
        w1.history_panel.star_action.trigger()
        await until(lambda: w1.library.get(w1.history_model.entries()[0].edit_id).favourite,
                    5, "star saved")

    qloop.run(run_two())
    before = rows(w1)
    assert [p for _, p, _ in before] == ["second change", "first change"]
    make_window.close(w1)
    photo.unlink()  # the user's file is gone: the library kept its own copy

    w2 = make_window(endpoint)

    async def reopen():
        await until(lambda: len(rows(w2)) == 2 and not w2.history_model.is_loading(), 10,
                    "restored rows")
        w2.history_panel.select_row(1)
        await until(lambda: w2.after_image() is not None, 10, "the old result shown")
        await until(lambda: w2.compare_view.before_image() is not None, 10, "its input")

    qloop.run(reopen())
    assert rows(w2) == before
    assert w2.history_model.entries()[0].favourite


def test_kill_9_mid_edit_leaves_it_interrupted_and_rerunnable(make_window, sandbox, qloop,
                                                              studio_home, tmp_path):
    photo = tmp_path / "in.png"
    Image.new("RGB", (64, 48), (10, 120, 200)).save(photo, "PNG")
    script = textwrap.dedent(f"""
        import os, signal, sys
        from pathlib import Path
        from qwen_studio.core.library import EditStatus, Library
        from qwen_studio.core.request import EditRequest
        lib = Library()
        sha, _ = lib.store_input(Path({str(photo)!r}))
        eid = lib.create_edit(EditRequest(inputs=({str(photo)!r},), prompt="killed mid-edit"),
                              input_hashes=(sha,))
        lib.set_status(eid, EditStatus.RUNNING)
        print(eid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    env = {**os.environ, "QWEN_STUDIO_HOME": str(studio_home)}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    edit_id = int(proc.stdout.strip())

    with Library() as lib:  # reopening recovers the orphan
        rec = lib.get(edit_id)
        assert rec.status is EditStatus.INTERRUPTED
        assert "stopped" in rec.error
    db = paths.library_dir() / DB_NAME
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    window = make_window(Endpoint(sandbox.base_url, "bailian", "test-key", "Test sandbox"))
    panel = window.history_panel
    photo.unlink()  # re-run must use the library's copy of the input

    async def scenario():
        await until(lambda: window.history_model.rowCount() == 1, 10, "the interrupted row")
        m = window.history_model
        assert "interrupted" in m.data(m.index(0), Qt.ItemDataRole.AccessibleTextRole)
        panel.failed_button.click()  # interrupted edits count as failures
        await until(lambda: m.rowCount() == 1 and not m.is_loading(), 5, "failed filter")
        panel.failed_button.click()
        await until(lambda: m.rowCount() == 1 and not m.is_loading(), 5, "all again")
        panel.select_row(0)
        panel.rerun_action.trigger()
        await until(lambda: [str(e.status) for e in m.entries()] == ["done", "interrupted"],
                    30, "the re-run done")

    qloop.run(scenario())
    new = window.history_model.entries()[0]
    assert new.request.prompt == "killed mid-edit" and new.result_paths[0].is_file()
