"""The dataclass code cache (core/dataclass_code.py): same classes, fewer compiles."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from qwen_studio.core import dataclass_code


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "pycache"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    dataclass_code.uninstall()
    dataclass_code.install()
    yield dataclass_code
    dataclass_code.uninstall()


def _define():
    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        y: int = 0
        tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)

    return Point


def test_classes_behave_as_without_the_cache(cache):
    Point = _define()
    p = Point(1, 2)
    assert p == Point(1, 2) and p != Point(2, 1)
    assert hash(p) == hash(Point(1, 2))
    assert repr(p).endswith("Point(x=1, y=2, tags=())")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 3  # type: ignore[misc]
    # Compiled without this module's `from __future__ import annotations`: as exec() does.
    assert Point.__init__.__annotations__["return"] is None


def test_a_second_start_compiles_nothing(cache):
    _define()
    assert cache.save() is True
    assert cache.cache_file().is_file()
    cache.uninstall()
    cache.install()  # the next start reads what this one compiled
    _define()
    assert cache._new == 0
    assert cache.save() is False  # nothing new: the file is not rewritten


def test_an_unreadable_cache_is_a_miss(cache):
    path = cache.cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    cache.uninstall()
    for junk in (b"", b"garbage", sys.hexversion.to_bytes(4, "big") + b"\x00broken"):
        path.write_bytes(junk)
        cache.install()
        assert _define()(3).x == 3
        cache.uninstall()


def test_no_file_when_python_writes_no_bytecode(cache, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _define()
    assert cache.save() is False
    assert not cache.cache_file().exists()
