"""kill -9 of `qwen-studio batch` mid-run, then the same command again: the rerun sends
only what was not saved, and the library the window opens afterwards agrees: it does not
offer the killed run's batch as 'interrupted' work to send (and pay for) a second time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.editing.service import EditService
from qwen_studio.core.editing.sinks import LibrarySink
from qwen_studio.core.library import Library
from qwen_studio.sandbox import SandboxServer

KEY = "kill-key"
N = 10


@pytest.fixture
def sb() -> Iterator[SandboxServer]:
    server = SandboxServer(api_key=KEY, latency=0.4).start()
    try:
        yield server
    finally:
        server.stop()


def batch_cmd(sb: SandboxServer, inputs: Path, out: Path) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "QWEN_STUDIO_ENDPOINT": sb.base_url + "/v1",
           "QWEN_STUDIO_API_KEY": KEY}
    return ([sys.executable, "-m", "qwen_studio", "batch", str(inputs), "--prompt",
             "studio backdrop", "--out", str(out), "--concurrency", "2"], env)


@pytest.mark.slow
def test_killed_batch_rerun_leaves_nothing_to_send_twice(sb, tmp_path: Path,
                                                         run_async) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(N):
        Image.new("RGB", (240, 180), (i * 20, 90, 160)).save(inputs / f"k{i:02d}.jpg")
    out = tmp_path / "out"
    cmd, env = batch_cmd(sb, inputs, out)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(list(out.glob("*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.stderr is not None
    proc.stderr.close()

    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert "Traceback" not in rerun.stderr and KEY not in rerun.stderr
    assert len(list(out.glob("*.png"))) == N  # exactly one result per input
    sent = sb.request_count

    async def offered() -> list[str]:
        library = Library()
        pool = ThreadPoolExecutor(max_workers=2)
        settings = ClientSettings(max_attempts=1)
        try:
            async with make_http_client(settings) as http:
                client = ImageClient(http, Endpoint(sb.base_url, "bailian", KEY), settings)
                recorder = EditRecorder(library)
                service = EditService(lambda: client, recorder, LibrarySink(recorder, pool),
                                      pool, 2)
                try:
                    found = await service.interrupted_batches()
                    for summary in found:  # what the window's "Resume" would do
                        await service.resume_batch(summary.batch_id)
                    await service.wait_idle()
                    return [s.batch_id for s in found]
                finally:
                    await service.close()
        finally:
            pool.shutdown(wait=True)
            library.close()

    run_async(offered(), timeout=60)
    assert sb.request_count == sent, "the window re-sent edits the rerun had already made"
