"""The hardening's output-folder rules live in the FolderSink and the EditService (not in
the CLI), and its prompt rules in EditRequest: a real sandbox over loopback, a real
library, a real output folder; ENOSPC is simulated narrowly on the folder's writes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from qwen_studio.core import output_folder
from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
from qwen_studio.core.editing.batches import new_batch_id
from qwen_studio.core.editing.progress import EditProgress
from qwen_studio.core.editing.recorder import EditRecorder
from qwen_studio.core.editing.service import EditService
from qwen_studio.core.editing.sinks import FolderSink
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.core.library import Library
from qwen_studio.core.output_folder import OutputFolder, OutputUnavailableError
from qwen_studio.core.request import EditRequest
from qwen_studio.sandbox import SandboxServer

KEY = "sk-folder-sink-1234"
FAST = ClientSettings(backoff_base=0.01, backoff_max=0.05, max_attempts=2, read_timeout=20)


@pytest.fixture
def sb() -> Iterator[SandboxServer]:
    server = SandboxServer(api_key=KEY).start()
    try:
        yield server
    finally:
        server.stop()


def photos(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"p{i}.jpg"
        Image.new("RGB", (300, 200), (i * 50, 80, 120)).save(p, quality=80)
        out.append(p)
    return out


async def run_batch(base_url: str, library: Library, out: Path, sources: list[Path]
                    ) -> tuple[list[EditProgress], EditService, str]:
    """One batch through EditService + FolderSink, as `qwen-studio batch` builds it."""
    events: list[EditProgress] = []
    endpoint = Endpoint(base_url, "bailian", KEY)
    with ThreadPoolExecutor(max_workers=2) as pool:
        async with make_http_client(FAST) as http:
            client = ImageClient(http, endpoint, FAST)
            recorder = EditRecorder(library)
            sink = FolderSink(OutputFolder(out), endpoint, pool, library=library)
            service = EditService(lambda: client, recorder, sink, pool, concurrency=1)
            service.subscribe(events.append)
            batch_id = new_batch_id()
            await service.submit([EditRequest(inputs=(str(p),), prompt="dusk")
                                  for p in sources], batch_id=batch_id)
            await service.wait_idle()
            await service.close()
    final = {e.edit_id: e for e in events}  # the last state of each edit
    return list(final.values()), service, batch_id


def test_unsafe_characters_in_prompts_are_request_problems() -> None:
    """EditRequest.problems(): the window and the CLI refuse the same prompts, by code."""
    request = EditRequest(inputs=("a.png",), prompt="make it \x1b[2Jred",
                          negative_prompt="abc\u202etxt")
    codes = {p.code for p in request.problems()}
    assert {"prompt_control_char", "negative_direction_char"} <= codes
    text = "; ".join(request.problems())
    assert "\\x1b" in text and "\x1b" not in text and "\u202e" not in text
    assert not EditRequest(inputs=("a.png",), prompt="two\nlines\tand a tab").problems()


def test_a_full_folder_stops_the_batch_and_the_rerun_saves_the_kept_result(
        sb: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = output_folder.write_new
    writes: list[str] = []

    def full_once(path: Path, data: bytes, *, sync: bool = True,
                  written: Callable[[], None] | None = None) -> Path:
        writes.append(path.name)
        if len(writes) == 1:
            raise OSError(28, "No space left on device")
        return real(path, data, sync=sync, written=written)

    monkeypatch.setattr(output_folder, "write_new", full_once)
    sources = photos(tmp_path / "in", 3)
    out = tmp_path / "out"
    with Library(tmp_path / "lib") as library:
        edits, service, batch_id = asyncio.run(run_batch(sb.base_url, library, out, sources))
        first, *rest = edits
        assert first.status is EditStatus.FAILED
        assert isinstance(first.error, OutputUnavailableError)
        assert "the disk is full" in first.error.user_message
        assert "kept in " in first.error.user_message
        # Nothing more was sent into the full folder; the rest say why they were not.
        assert sb.request_count == 1
        assert [e.status for e in rest] == [EditStatus.CANCELLED] * 2
        assert {e.note.code for e in rest if e.note is not None} == {"output_unavailable"}
        assert service.stopped(batch_id) is not None
        # The paid-for result is in the history: that edit is DONE there, not failed.
        record = library.get(first.edit_id)
        assert record is not None and record.status is EditStatus.DONE
        assert record.result_files and record.result_files[0].is_file()
        assert list(out.glob("*.png")) == []

        edits, _service, _ = asyncio.run(run_batch(sb.base_url, library, out, sources))
    kept, *sent = edits
    assert kept.status is EditStatus.SKIPPED and kept.note is not None
    assert kept.note.code == "kept_saved"
    assert [e.status for e in sent] == [EditStatus.DONE] * 2
    assert sb.request_count == 3  # the kept result was saved, not bought again
    assert len(list(out.glob("*.png"))) == 3


def test_a_claim_is_given_up_only_once_its_results_are_on_disk(
        sb: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The save's own trip to the pool gives the claim up after the image and its sidecar
    are written: a second run that claims the edit then finds them and pays nothing."""
    from qwen_studio.core.output_claims import ClaimBook

    out = tmp_path / "out"
    seen: list[bool] = []  # at each release: the edit's image and sidecar were there
    real = ClaimBook.release

    def release(self: ClaimBook, identity: str) -> None:
        seen.append(any(identity in p.read_text(encoding="utf-8")
                        and p.with_suffix(".png").is_file() for p in out.glob("*.json")))
        real(self, identity)

    monkeypatch.setattr(ClaimBook, "release", release)
    sources = photos(tmp_path / "in", 3)
    with Library(tmp_path / "lib") as library:
        edits, _service, _ = asyncio.run(run_batch(sb.base_url, library, out, sources))
    assert [e.status for e in edits] == [EditStatus.DONE] * 3
    assert seen == [True] * 3
    assert not (out / ".qwen-studio").exists()  # every claim is gone, the folder tidy
