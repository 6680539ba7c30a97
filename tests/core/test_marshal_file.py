"""The one file format of the start-up caches (core/marshal_file.py): what is written is read
back; anything else (missing, foreign, damaged, unwritable) is a miss and never an error."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from damaged_marshal import damage_silently, framed, system_error_body

from qwen_studio.core import marshal_file

HEADER = b"test cache 1\n"


@pytest.fixture(autouse=True)
def _writes_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


@pytest.mark.parametrize("size", [10, 400_000])  # read, and mapped (past _MAP_FROM)
def test_what_is_written_is_read_back(tmp_path: Path, size: int):
    path = tmp_path / "pycache" / "c.marshal"
    value = {"k": b"x" * size, ("t", 1): [1.5, None]}
    assert marshal_file.write(path, HEADER, lambda: value) is True
    assert marshal_file.read(path, HEADER) == value
    assert marshal_file.read(path, b"test cache 2\n") is None  # another interpreter's
    assert [p.name for p in path.parent.iterdir()] == ["c.marshal"]  # no tmp left


def test_a_missing_empty_or_damaged_file_is_none(tmp_path: Path):
    path = tmp_path / "c.marshal"
    assert marshal_file.read(path, HEADER) is None
    body = system_error_body()
    for junk in (b"", HEADER, HEADER + b"\x00" * 4 + b"{", framed(HEADER, body), HEADER + body):
        path.write_bytes(junk)
        assert marshal_file.read(path, HEADER) is None
    assert marshal_file.write(path, HEADER, lambda: {"a": (1, 2, 3), "b": "text"})
    damage_silently(path, HEADER)
    assert marshal_file.read(path, HEADER) is None


def test_a_write_that_fails_raises_nothing_and_leaves_no_tmp(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    made: list[int] = []
    # An unwritable folder fails before the body is made (the bundle's costs ~6 ms).
    assert marshal_file.write(blocker / "c.marshal", HEADER, lambda: made.append(1)) is False
    assert made == []

    def unmarshallable() -> object:
        return {"when": object()}

    path = tmp_path / "c.marshal"
    assert marshal_file.write(path, HEADER, unmarshallable) is False
    assert marshal_file.write(path, HEADER, lambda: 1 / 0) is False
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_nothing_is_written_when_python_writes_no_bytecode(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert marshal_file.write(tmp_path / "c.marshal", HEADER, lambda: {}) is False
    assert list(tmp_path.iterdir()) == []
