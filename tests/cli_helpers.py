"""What the tests of `qwen-studio batch` share: the command run as a process against a
sandbox (`batch`), and the `env` fixture for running it in-process (import
`cli_env_fixture`). Importable from every test folder, like window_helpers.py."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from qwen_studio.sandbox import SandboxServer

KEY = "test-key"


def batch(sb: SandboxServer, *args: str, key: str = KEY,
          timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`qwen-studio batch ARGS` against `sb` (its endpoint and key from the environment)."""
    env = {**os.environ, "QWEN_STUDIO_ENDPOINT": sb.base_url + "/v1",
           "QWEN_STUDIO_API_KEY": key}
    return subprocess.run([sys.executable, "-m", "qwen_studio", "batch", *args],
                          capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(name="env")
def cli_env_fixture(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> SandboxServer:
    """The conftest `sandbox`, named by the environment the CLI reads (in-process runs)."""
    monkeypatch.setenv("QWEN_STUDIO_ENDPOINT", sandbox.base_url + "/v1")
    monkeypatch.setenv("QWEN_STUDIO_API_KEY", KEY)
    return sandbox


@contextlib.contextmanager
def sandbox_in_env(monkeypatch: pytest.MonkeyPatch, key: str, *,
                   checks_key: bool = True) -> Iterator[SandboxServer]:
    """A sandbox of the test's own (accepting only `key`, or any key without `checks_key`),
    named by the environment the CLI reads; stopped after."""
    server = SandboxServer(api_key=key if checks_key else None).start()
    monkeypatch.setenv("QWEN_STUDIO_ENDPOINT", server.base_url)
    monkeypatch.setenv("QWEN_STUDIO_API_KEY", key)
    try:
        yield server
    finally:
        server.stop()

