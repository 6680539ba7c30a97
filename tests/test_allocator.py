"""core.allocator: glibc only, never an error elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from qwen_studio.core import allocator


def test_other_c_libraries_are_left_alone(monkeypatch):
    monkeypatch.setattr(allocator, "_done", False)
    monkeypatch.setattr(os, "confstr", lambda name: "musl 1.2")
    assert allocator.use_mmap_for_large_blocks() is False
    assert allocator.applied() is False

    def no_confstr(name: str) -> str:
        raise ValueError("unrecognized configuration name")

    monkeypatch.setattr(os, "confstr", no_confstr)
    assert allocator.use_mmap_for_large_blocks() is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_batch_command_runs_with_the_fixed_threshold(tmp_path):
    # A fresh process: the setting is process-wide. `batch` applies it before any image work.
    code = (
        "import sys\n"
        "from qwen_studio.cli import batch\n"
        "from qwen_studio.core import allocator\n"
        "class A: inputs = ['/nonexistent']\n"
        "batch.run(A())\n"
        "print(allocator.applied())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, QWEN_STUDIO_HOME=str(tmp_path)))
    expected = os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
    assert out.stdout.strip().splitlines()[-1] == str(expected), out.stderr[-2000:]
