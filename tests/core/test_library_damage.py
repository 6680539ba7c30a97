"""Issue 14, item 11 (and the locked-database part of 12): a damaged library is moved
aside and a fresh one started, never a crash; a busy one is one clear line."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from qwen_studio.__main__ import main
from qwen_studio.core.library import Library
from qwen_studio.core.png_metadata import embed_png_metadata, metadata_for
from qwen_studio.core.request import EditRequest

REQ = EditRequest(inputs=("a.png",), prompt="a red boat", model="qwen-image-edit")


def _png(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (seed, 0, 0)).save(buf, "PNG")
    return buf.getvalue()


def _filled(root: Path, n: int = 300) -> list[str]:
    shas = []
    with Library(root) as lib:
        for i in range(n):
            edit_id = lib.create_edit(REQ.with_changes(prompt=f"prompt {i} " + "x" * 200),
                                      input_hashes=())
            (path,) = lib.complete_edit(edit_id, [_png(i % 250)])
            shas.append(path.stem)
        # A result carrying our metadata (as exported results do) can be rebuilt whole.
        sha, _ = lib.store_bytes(embed_png_metadata(_png(7), metadata_for(REQ)), ".png")
        shas.append(sha)
    return shas


def test_random_bytes_instead_of_a_database(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    (root / "library.sqlite3").write_bytes(b"\x13\x37" * 50_000)
    with Library(root) as lib:
        assert lib.recovered_from is not None and lib.recovered_from.is_file()
        assert lib.recovered_from.read_bytes() == b"\x13\x37" * 50_000  # kept as it was
        lib.create_edit(REQ, input_hashes=())  # the fresh library works
        assert lib.count() == 1
    with Library(root) as again:
        assert again.recovered_from is None


def test_one_bad_page_is_detected_at_open_and_files_are_rebuilt(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    shas = _filled(root)
    db = root / "library.sqlite3"
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    data[5 * page:5 * page + 512] = b"\xa5" * 512  # one damaged page in the middle
    db.write_bytes(bytes(data))
    with Library(root) as lib:
        assert lib.recovered_from is not None
        lib.create_edit(REQ, input_hashes=())
        # Every stored file is known again; the result with embedded metadata is an edit.
        # (Library.path_for_hash is gone from main: the blobs table is asked directly.)
        known = {row[0] for row in lib.conn.execute("SELECT sha256 FROM blobs")}
        assert set(shas) <= known
        assert lib.recovered_edits >= 1
        assert any(r.request.prompt == "a red boat" for r in lib.query("red boat"))


def test_history_and_export_say_what_happened(tmp_path: Path, studio_home: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = studio_home / "data" / "library"
    root.mkdir(parents=True)
    (root / "library.sqlite3").write_bytes(b"garbage" * 10_000)
    assert main(["history"]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "the history was damaged" in err and ".damaged-" in err


def test_a_locked_history_is_one_line(studio_home: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    with Library():
        pass
    db = studio_home / "data" / "library" / "library.sqlite3"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code = main(["history"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert "busy" in err or "locked" in err
