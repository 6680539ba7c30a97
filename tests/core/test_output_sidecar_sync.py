"""A result's sidecar is synced only when its image cannot rebuild it, and a sidecar a power
cut emptied is written again in its place (core/output_folder.py)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from PIL import Image

from qwen_studio.core import atomic
from qwen_studio.core.output_folder import OutputFolder
from qwen_studio.core.request import EditRequest

REQUEST = EditRequest(inputs=("a.jpg",), prompt="studio backdrop")


def _image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 10, 10)).save(buf, fmt)
    return buf.getvalue()


def _sidecar(identity: str) -> dict[str, object]:
    return {"identity": identity, "result_index": 1, "result_count": 1}


def test_a_power_cut_emptied_sidecar_is_rebuilt_in_place(tmp_path: Path) -> None:
    saved = OutputFolder(tmp_path).save("a", 1, _image("PNG"), REQUEST, _sidecar("id-a"))
    saved.sidecar.write_bytes(b"")  # what an unsynced sidecar can be after a power cut

    again = OutputFolder(tmp_path)
    assert again.done_identities() == {"id-a"}  # found done: not sent (paid for) again
    meta = json.loads(saved.sidecar.read_text("utf-8"))
    assert meta["identity"] == "id-a" and meta["image"] == "a-1.png"
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["a-1.json"]  # no "(2)" copy


def test_a_users_own_json_beside_a_result_is_left_alone(tmp_path: Path) -> None:
    saved = OutputFolder(tmp_path).save("a", 1, _image("PNG"), REQUEST, _sidecar("id-a"))
    saved.sidecar.write_text('{"mine": true}', "utf-8")  # not empty: someone's file

    assert OutputFolder(tmp_path).done_identities() == {"id-a"}
    assert json.loads(saved.sidecar.read_text("utf-8")) == {"mine": True}


@pytest.mark.parametrize(("fmt", "synced"), [("PNG", 1), ("JPEG", 2)])
def test_the_sidecar_is_synced_only_when_the_image_cannot_rebuild_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, synced: int) -> None:
    calls: list[int] = []
    real = os.fsync
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (calls.append(fd), real(fd))[1])
    OutputFolder(tmp_path).save("a", 1, _image(fmt), REQUEST, _sidecar("id-a"))
    # The image always; a JPEG carries no identity, so its sidecar is the only record.
    assert len(calls) == synced
