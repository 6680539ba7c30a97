"""What a large batch relies on to go as fast as the network allows (issue 18).

- The sandbox answers like a real gateway: TCP_NODELAY on its connections (an answer is not
  held back ~40 ms waiting for the client's delayed ACK) and a listen backlog that takes a
  batch's 16 connections at once.
- The output folder's "done elsewhere?" check, asked once per edit, does not re-read the
  sidecars it knows: not those of earlier checks, nor the ones this run saved itself. A
  sidecar another run writes meanwhile is still found.
"""

from __future__ import annotations

import http.client
import json
import socket
from pathlib import Path

import pytest

from qwen_studio.core import output_folder as output_folder_module
from qwen_studio.core.output_folder import SIDECAR_FORMAT, OutputFolder
from qwen_studio.core.request import EditRequest
from qwen_studio.sandbox import SandboxServer


def test_the_sandbox_answers_with_nagle_off_and_a_gateway_sized_backlog(
        sandbox: SandboxServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=10)
    try:
        conn.request("GET", "/health")
        assert conn.getresponse().read() == b"ok"
        [server_side] = list(sandbox._conns)  # the kept-alive connection, server side
        assert server_side.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        conn.close()
    assert sandbox._httpd is not None
    assert sandbox._httpd.request_queue_size >= 64


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buf = BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


def _save(folder: OutputFolder, stem: str, identity: str) -> None:
    request = EditRequest(prompt="p", inputs=(f"{stem}.jpg",))
    base = folder.reserve_base(stem, 1)
    folder.save(base, 1, _png(), request, {"identity": identity, "result_count": 1})


def test_is_done_reads_only_sidecars_it_has_not_seen(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    folder = OutputFolder(tmp_path)
    reads: list[str] = []
    real_read = output_folder_module._read_sidecar

    def counting_read(path: Path) -> dict[str, object] | None:
        reads.append(path.name)
        return real_read(path)

    monkeypatch.setattr(output_folder_module, "_read_sidecar", counting_read)
    for i in range(20):  # this run's own results
        _save(folder, f"photo_{i:02d}", f"id-{i:02d}")
        assert not folder.is_done(f"id-next-{i:02d}")
    # Asked 20 times over a growing folder: none of our own sidecars was read back.
    assert reads == []
    assert folder.is_done("id-07")  # ours count as done (results_for reads them then)

    # Another run writes a result meanwhile: found, and its sidecar read once.
    (tmp_path / "theirs-1.png").write_bytes(_png())
    (tmp_path / "theirs-1.json").write_text(json.dumps({
        "format": SIDECAR_FORMAT, "image": "theirs-1.png", "identity": "id-theirs",
        "result_index": 1, "result_count": 1}))
    reads.clear()
    assert not folder.is_done("id-other")
    assert not folder.is_done("id-other-2")
    assert reads == ["theirs-1.json"]
    assert folder.is_done("id-theirs")


def test_an_edit_is_sent_while_the_library_thread_is_busy(sandbox: SandboxServer,
                                                          tmp_path: Path, run_async) -> None:
    """A batch records its edits (inputs copied, 25 per trip) on the service's database
    thread while the first edits run; drawing and recording an edit's seed must not wait
    behind that queue, or every send waits for it."""
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from PIL import Image

    from qwen_studio.core.client import ClientSettings, Endpoint, ImageClient, make_http_client
    from qwen_studio.core.editing.recorder import EditRecorder
    from qwen_studio.core.editing.service import EditService
    from qwen_studio.core.editing.sinks import LibrarySink
    from qwen_studio.core.editing.status import EditStatus
    from qwen_studio.core.library import Library

    photo = tmp_path / "p.jpg"
    Image.new("RGB", (400, 300), (20, 90, 160)).save(photo, quality=80)
    settings = ClientSettings(backoff_base=0.01, backoff_max=0.05, max_attempts=2,
                              read_timeout=20)
    library = Library(tmp_path / "lib")
    pool = ThreadPoolExecutor(max_workers=3)
    busy = threading.Event()
    release = threading.Event()

    def library_thread_busy() -> None:
        busy.set()
        release.wait(30)

    async def main() -> tuple[EditStatus, int | None]:
        async with make_http_client(settings) as http:
            client = ImageClient(http, Endpoint(sandbox.base_url, "bailian", "test-key"),
                                 settings)
            recorder = EditRecorder(library)
            service = EditService(lambda: client, recorder, LibrarySink(recorder, pool), pool)
            try:
                [edit_id] = await service.submit(
                    [EditRequest(inputs=(str(photo),), prompt="studio backdrop")],
                    batch_id="b1", paused=True)
                loop = asyncio.get_running_loop()
                loop.run_in_executor(service._db, library_thread_busy)
                await loop.run_in_executor(None, busy.wait, 10)
                service.resume("b1")
                end = loop.time() + 15
                while (snap := service.snapshot(edit_id)) is None or not snap.finished:
                    assert loop.time() < end, "the edit waited for the library's thread"
                    await asyncio.sleep(0.01)
                status = snap.status
            finally:
                release.set()
                await service.close()
            record = library.get(edit_id)
            return status, record.seed_sent if record is not None else None

    try:
        status, seed = run_async(main())
    finally:
        release.set()
        pool.shutdown(wait=True)
        library.close()
    assert status is EditStatus.DONE
    assert seed is not None  # recorded before it was sent, as before
