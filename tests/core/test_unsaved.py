"""core/unsaved.py: the one place a paid-for result goes when its destination refuses it,
for the window's library and the batch's output folder alike."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from qwen_studio.core import paths
from qwen_studio.core.library import Library
from qwen_studio.core.output_folder import OutputFolder
from qwen_studio.core.unsaved import keep_or_name, keep_unsaved, ledger_entries


def _png(c: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (c, 0, 0)).save(buf, "PNG")
    return buf.getvalue()


def test_the_service_fallback_keeps_every_result_and_names_them(studio_home: Path) -> None:
    error = keep_or_name(7, [_png(1), _png(2)], OSError(28, "No space left on device"))
    message = error.user_message
    assert "No space left on device" in message
    kept = sorted((paths.data_dir() / "unsaved").glob("edit-7-*.png"))
    assert [p.read_bytes() for p in kept] == [_png(1), _png(2)]
    assert all(str(p) in message for p in kept)


def test_nowhere_to_keep_is_said_not_hidden(studio_home: Path, monkeypatch) -> None:
    def refuse(path: Path, data: bytes) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("qwen_studio.core.unsaved.write_new", refuse)
    message = keep_or_name(3, [_png(1)], OSError(28, "No space left on device")).user_message
    assert "could not be kept anywhere else" in message


def test_a_folders_kept_result_is_found_by_the_resume(studio_home: Path,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with Library(tmp_path / "lib") as library:
        kept = keep_unsaved([_png(5)], library, folder=out, identity="id-1")
        assert kept and kept[0].read_bytes() == _png(5)  # in the library's store
    assert [e["identity"] for e in ledger_entries(out)] == ["id-1"]
    assert OutputFolder(out).kept_results("id-1") == kept
    assert ledger_entries(tmp_path) == []  # another folder's resume does not take it
