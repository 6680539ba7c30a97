"""The pasted folder stays bounded (core/pasted_files.py): old pasted files go, unless an
input shows them or an edit's request names them; other files are never touched."""

from __future__ import annotations

import os
from pathlib import Path

from qwen_studio.core.library import Library
from qwen_studio.core.pasted_files import (
    KEEP_NEWEST,
    KEEP_SECONDS,
    named_in_history,
    prune_pasted,
)
from qwen_studio.core.request import EditRequest

NOW = 1_800_000_000.0


def pasted(folder: Path, n: int, age_s: float) -> Path:
    p = folder / f"pasted-20270115-1200{n:02d}-abc{n:03d}.png"
    p.write_bytes(b"x")
    os.utime(p, (NOW - age_s, NOW - age_s))
    return p


def test_young_files_stay_and_old_ones_go(tmp_path: Path) -> None:
    young = pasted(tmp_path, 1, 3600)
    old = pasted(tmp_path, 2, KEEP_SECONDS + 60)
    mine = tmp_path / "notes.txt"  # not a pasted file: never touched
    mine.write_text("keep")
    os.utime(mine, (0, 0))
    assert prune_pasted(tmp_path, [], None, now=NOW) == [old]
    assert young.exists() and mine.exists() and not old.exists()


def test_at_most_the_newest_ones_stay_however_young(tmp_path: Path) -> None:
    files = [pasted(tmp_path, i, 60 + i) for i in range(KEEP_NEWEST + 5)]  # 0 is the newest
    deleted = prune_pasted(tmp_path, [], None, now=NOW)
    assert sorted(deleted) == sorted(files[KEEP_NEWEST:])
    assert all(p.exists() for p in files[:KEEP_NEWEST])


def test_an_input_or_an_edit_that_uses_a_file_keeps_it(tmp_path: Path) -> None:
    shown = pasted(tmp_path, 1, KEEP_SECONDS * 10)
    in_history = pasted(tmp_path, 2, KEEP_SECONDS * 10)
    spare = pasted(tmp_path, 3, KEEP_SECONDS * 10)
    with Library(tmp_path / "lib") as lib:
        lib.create_edit(EditRequest(inputs=(str(in_history),), prompt="warmer"),
                        input_hashes=["0" * 64])
        deleted = prune_pasted(tmp_path, [shown], named_in_history(lib), now=NOW)
    assert deleted == [spare]
    assert shown.exists() and in_history.exists()


def test_when_history_cannot_be_asked_nothing_is_deleted(tmp_path: Path) -> None:
    old = pasted(tmp_path, 1, KEEP_SECONDS * 10)

    def broken(files: list[Path]) -> set[Path]:
        raise OSError("database is locked")

    assert prune_pasted(tmp_path, [], broken, now=NOW) == [] and old.exists()
    assert prune_pasted(tmp_path / "missing", [], None, now=NOW) == []
