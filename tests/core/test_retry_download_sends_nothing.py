"""Retry download (EditService.retry_stored, offered on a history row as "nothing is sent or
charged again") must keep that promise when the links it was offered for are gone by the
time it runs: a `qwen-studio batch` rerun of the same request took them (paid_results.take,
by identity), or they were marked expired. It may fail or say there is nothing to download;
it must not send the edit and pay for it again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import FAST, KEY, Harness, photos, request

from qwen_studio.core import paid_results
from qwen_studio.core.library import Library
from qwen_studio.sandbox import SandboxServer


@pytest.fixture
def flaky() -> Iterator[SandboxServer]:
    server = SandboxServer(api_key=KEY, dropped_fetches=FAST.max_attempts).start()
    yield server
    server.stop()


def test_retry_download_whose_links_were_taken_sends_nothing(
        flaky: SandboxServer, tmp_path: Path, run_async) -> None:
    [shot] = photos(tmp_path / "in", 1)
    flaky.inject("dropped")

    async def fail_then_quit() -> int:
        async with Harness(flaky.base_url, tmp_path / "lib", concurrency=1) as service:
            [edit_id] = await service.submit([request(shot)])
            await service.wait_idle()
            return edit_id

    paid = run_async(fail_then_quit())
    assert flaky.request_count == 1
    h = Harness(flaky.base_url, tmp_path / "lib")

    async def retry_after_the_links_went() -> None:
        async with h as service:
            kept = paid_results.kept_for(h.library, paid)
            assert kept is not None
            paid_results.expire(h.library, kept)  # or taken by a rerun: none left for it
            rec = h.library.get(paid)
            assert rec is not None and rec.reason == "paid_not_downloaded"  # still offered
            await service.retry_stored(paid)
            await service.wait_idle()

    run_async(retry_after_the_links_went())
    assert flaky.request_count == 1, "Retry download sent the edit again (charged twice)"
    with Library(tmp_path / "lib") as lib:
        rec = lib.get(paid)
    # The row says so, and stops offering Retry download: a Retry from now on sends again.
    assert rec is not None and rec.reason == "paid_result_lost", rec
