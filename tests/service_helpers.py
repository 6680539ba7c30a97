"""What the edit service's core tests share: a sandbox (the `sb` fixture), a service over it
and a real library built as the window builds it (`Harness`), and photos to edit.

Importable from every test folder, like window_helpers.py. Use the fixture by importing
`sandbox_fixture` (it registers as `sb`)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.editing.service import EditService
from qwen_studio.core.editing.sinks import LibrarySink
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.library import Library
from qwen_studio.core.request import EditRequest
from qwen_studio.sandbox import SandboxServer

KEY = "test-key"
FAST = ClientSettings(backoff_base=0.01, backoff_max=0.05, max_attempts=3, read_timeout=20)


def photos(folder: Path, n: int, *, size: tuple[int, int] = (400, 300),
           prefix: str = "p", digits: int = 2) -> list[Path]:
    """`n` small JPEGs, each of its own colour (so of its own content): p00.jpg, …"""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"{prefix}{i:0{digits}d}.jpg"
        Image.new("RGB", size, (i * 37 % 256, 90 + i // 256, 160)).save(p, quality=80)
        out.append(p)
    return out


def request(path: Path) -> EditRequest:
    return EditRequest(inputs=(str(path),), prompt="studio backdrop")


@pytest.fixture(name="sb")
def sandbox_fixture() -> Iterator[SandboxServer]:
    """A sandbox that wants KEY, with a little latency (so edits overlap)."""
    server = SandboxServer(api_key=KEY, latency=0.2).start()
    try:
        yield server
    finally:
        server.stop()


class Harness:
    """A service over the sandbox and a real library, as the window builds it.
    `async with Harness(...) as service`; `events` holds every progress it published."""

    def __init__(self, base_url: str, root: Path, concurrency: int = 2, *,
                 settings: ClientSettings = FAST) -> None:
        self.base_url = base_url
        self.root = root
        self.library = Library(root)
        self.pool = ThreadPoolExecutor(max_workers=3)
        self.concurrency = concurrency
        self.settings = settings
        self.events: list[EditProgress] = []

    async def __aenter__(self) -> EditService:
        self._http = make_http_client(self.settings)
        http = await self._http.__aenter__()
        client = ImageClient(http, Endpoint(self.base_url, "bailian", KEY), self.settings)
        recorder = EditRecorder(self.library)
        self.service = EditService(lambda: client, recorder, LibrarySink(recorder, self.pool),
                                   self.pool, self.concurrency)
        self.service.subscribe(self.events.append)
        return self.service

    async def __aexit__(self, *exc: object) -> None:
        await self.service.close()
        await self._http.__aexit__(None, None, None)
        self.pool.shutdown(wait=True)
        self.library.close()

    def library_statuses(self, ids: list[int]) -> dict[int, EditStatus]:
        """Each edit's status as a second opening of the library reads it."""
        with Library(self.root) as lib:
            return {i: rec.status for i in ids if (rec := lib.get(i)) is not None}
