"""An output folder's edit (`qwen-studio batch`) looks up its kept links and records its
drawn seed in the same trip to the pool as its claim: one trip fewer on each edit's way to
being sent, and still the seed is in the library before the request goes, and is what the
result says it was made with."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from test_folder_sink_rules import FAST, KEY, photos

from qwen_studio.core.client import Endpoint, ImageClient, make_http_client
from qwen_studio.core.editing.batches import new_batch_id
from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.editing.service import EditService
from qwen_studio.core.editing.sinks import FolderSink
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.library import Library
from qwen_studio.core.output_folder import OutputFolder
from qwen_studio.core.request import EditRequest
from qwen_studio.sandbox import SandboxServer


@pytest.fixture
def sb() -> Iterator[SandboxServer]:
    server = SandboxServer(api_key=KEY).start()
    try:
        yield server
    finally:
        server.stop()


class CountingPool(ThreadPoolExecutor):
    """Names what each trip to the pool ran."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.trips: list[str] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        inner = fn.func if isinstance(fn, partial) else fn
        self.trips.append(getattr(inner, "__name__", repr(inner)))
        return super().submit(fn, *args, **kwargs)


async def _run(base_url: str, library: Library, out: Path, sources: list[Path],
               pool: CountingPool) -> list[EditProgress]:
    events: list[EditProgress] = []
    endpoint = Endpoint(base_url, "bailian", KEY)
    async with make_http_client(FAST) as http:
        client = ImageClient(http, endpoint, FAST)
        sink = FolderSink(OutputFolder(out), endpoint, pool, library=library)
        service = EditService(lambda: client, EditRecorder(library), sink, pool,
                              concurrency=2)
        service.subscribe(events.append)
        await service.submit([EditRequest(inputs=(str(p),), prompt="dusk") for p in sources],
                             batch_id=new_batch_id(folder=True))
        await service.wait_idle()
        await service.close()
    return list({e.edit_id: e for e in events}.values())


def test_the_seed_is_recorded_in_the_claims_trip(sb: SandboxServer, tmp_path: Path) -> None:
    sources = photos(tmp_path / "in", 3)
    out = tmp_path / "out"
    with CountingPool() as pool, Library(tmp_path / "lib") as library:
        edits = asyncio.run(_run(sb.base_url, library, out, sources, pool))
        assert [e.status for e in edits] == [EditStatus.DONE] * 3
        # No trip of its own per edit for the kept links and the seed.
        assert pool.trips.count("_claim_and_check") == 3
        assert "_kept_or_seed" not in pool.trips and "seed_for_sending" not in pool.trips
        for edit in edits:
            record = library.get(edit.edit_id)
            assert record is not None and record.seed_sent is not None
            assert edit.result is not None
            [image] = edit.result.paths
            sidecar = json.loads(image.with_suffix(".json").read_text("utf-8"))
            # The seed recorded is the one sent and the one the result says.
            assert sidecar["request"]["seed"] == record.seed_sent
            assert sidecar["seed_drawn"] is True
    assert sb.request_count == 3
