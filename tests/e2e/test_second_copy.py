"""Issue 14, items 2 and 4: a second copy of the app on the same output folder, and a
kill -9. Real `qwen-studio batch` processes against a loopback sandbox."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from qwen_studio.sandbox import SandboxServer

KEY = "sk-second-copy-1234"
N = 12


@pytest.fixture
def sb() -> Iterator[SandboxServer]:
    server = SandboxServer(api_key=KEY, latency=0.3).start()
    try:
        yield server
    finally:
        server.stop()


def make_inputs(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(N):
        p = folder / f"img{i:02d}.jpg"
        Image.new("RGB", (300, 300), (i * 20, 255 - i * 20, 90)).save(p, quality=60)
        paths.append(p)
    return paths


def batch_cmd(folder: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "qwen_studio", "batch", str(folder), "--prompt", "p",
            "--out", str(out), "--concurrency", "2"]


def env_for(sb: SandboxServer, home: Path) -> dict[str, str]:
    return {**os.environ, "QWEN_STUDIO_HOME": str(home), "QWEN_STUDIO_ENDPOINT": sb.base_url,
            "QWEN_STUDIO_API_KEY": KEY}


@pytest.mark.slow
def test_two_batches_on_one_folder_send_each_input_once(sb: SandboxServer, tmp_path: Path,
                                                        studio_home: Path) -> None:
    make_inputs(tmp_path / "in")
    out = tmp_path / "out"
    env = env_for(sb, studio_home)
    procs = [subprocess.Popen(batch_cmd(tmp_path / "in", out), env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    errs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    assert sb.request_count == N, errs  # not 2 * N
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert len(pngs) == N and not [n for n in pngs if " (" in n], pngs
    assert not (out / ".qwen-studio").exists()  # claims tidied away
    assert all("Traceback" not in e for e in errs)


@pytest.mark.slow
def test_resume_after_kill_records_saved_results_as_done(sb: SandboxServer, tmp_path: Path,
                                                         studio_home: Path) -> None:
    make_inputs(tmp_path / "in")
    out = tmp_path / "out"
    env = env_for(sb, studio_home)
    victim = subprocess.Popen(batch_cmd(tmp_path / "in", out), env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and victim.poll() is None:
        if len(list(out.glob("*.json"))) >= 3:
            break
        time.sleep(0.02)
    assert victim.poll() is None, "the batch finished before it could be killed"
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)

    rerun = subprocess.run(batch_cmd(tmp_path / "in", out), env=env, capture_output=True,
                           text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    identities = {json.loads(p.read_text())["identity"] for p in out.glob("*.json")}
    assert len(identities) == N
    conn = sqlite3.connect(studio_home / "data" / "library" / "library.sqlite3")
    try:
        done = conn.execute("SELECT count(*) FROM edits WHERE status = 'done'").fetchone()[0]
        running = conn.execute(
            "SELECT count(*) FROM edits WHERE status = 'running'").fetchone()[0]
    finally:
        conn.close()
    # Every result on disk is a DONE edit in the history: none is left "interrupted"
    # or "running" although the user has the picture.
    assert done == N and running == 0
