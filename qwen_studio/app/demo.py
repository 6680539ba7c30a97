"""The demo: a local sandbox service with a fresh key, so a first run needs no account."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qwen_studio.sandbox import SandboxServer

DEMO_LATENCY_S = 1.5  # long enough to see the progress, short enough not to bore


def start_demo_sandbox(latency: float = DEMO_LATENCY_S) -> SandboxServer:
    """A running SandboxServer. Imports Pillow and http.server (~100 ms): called in the
    pool, never before the first paint. The key is random per run."""
    import secrets

    from qwen_studio.sandbox import SandboxServer

    return SandboxServer(latency=latency, api_key="demo-" + secrets.token_urlsafe(12)).start()
