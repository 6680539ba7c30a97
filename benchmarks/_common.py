"""Shared helpers for benchmark scripts: a sandbox in its own process, test photos, naming
what ran on the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw


def make_photos(folder: Path, count: int, size: tuple[int, int] = (640, 480)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        im = Image.new("RGB", size, ((i * 37) % 256, (i * 91) % 256, (i * 53) % 256))
        ImageDraw.Draw(im).ellipse((40, 40, size[0] - 40, size[1] - 40), fill=(240, 240, 240))
        path = folder / f"photo_{i:04d}.jpg"
        im.save(path, quality=85)
        out.append(path)
    return out


@contextlib.contextmanager
def sandbox_process(*args: str) -> Iterator[str]:
    """Run `qwen-studio sandbox` in a separate process (its own GIL) and yield its base URL."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "qwen_studio", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            m = re.search(r"(http://127\.0\.0\.1:\d+)", line)
            if m:
                # Keep draining its request log, or the pipe fills and the server blocks.
                threading.Thread(target=proc.stdout.read, daemon=True).start()
                yield m.group(1)
                break
        else:
            raise RuntimeError("sandbox did not start")
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        if proc.poll() is None:
            proc.kill()


def describe_handle(handle: Any) -> str:
    """What an asyncio handle runs: "task Class.method @ line N" or "callback name"."""
    cb = getattr(handle, "_callback", None)
    task = getattr(cb, "__self__", None)
    if isinstance(task, asyncio.Task):
        coro = task.get_coro()
        frame = getattr(coro, "cr_frame", None)
        where = f" @ line {frame.f_lineno}" if frame is not None else ""
        return f"task {getattr(coro, '__qualname__', coro)}{where}"
    return f"callback {getattr(cb, '__qualname__', cb)}"
