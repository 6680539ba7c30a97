"""Where and how to reach the image service: plain data, no HTTP stack.

Kept apart from core.client (which needs httpx, ~50-90 ms to import) so the window, the
config store and the job queue can name these types at start-up for free. core.client
re-exports all three, so `from qwen_studio.core.client import Endpoint` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qwen_studio.core.errors import ApiError


@dataclass(frozen=True)
class Endpoint:
    """Where edits are sent: the service's URL, its request style, the key, the profile."""

    base_url: str
    style: str = "bailian"
    api_key: str = field(default="", repr=False)
    profile_name: str = ""


@dataclass(frozen=True)
class ClientSettings:
    """The client's timeouts, retries and limits."""

    connect_timeout: float = 10
    read_timeout: float = 120
    max_attempts: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    max_result_bytes: int = 64 * 2**20


@dataclass(frozen=True)
class RetryInfo:
    """Told to on_retry before each wait. `attempt` is the attempt that just failed (1-based);
    the next one is attempt + 1 of max_attempts, after `delay` seconds."""

    attempt: int
    max_attempts: int
    delay: float
    error: ApiError
