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
