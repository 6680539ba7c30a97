"""The dataclass code cache (core/dataclass_code.py): same classes, fewer compiles."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from damaged_marshal import damage_silently, framed, kept, system_error_body

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


def test_an_unwritable_cache_folder_is_no_error(tmp_path, monkeypatch):
    """A package folder the user cannot write (a system install): the cache is not saved,
    start-up goes on, and no temporary file is left behind."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    monkeypatch.setattr(sys, "pycache_prefix", str(blocker))  # no folder can be made in it
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    dataclass_code.uninstall()
    dataclass_code.install()
    try:
        _define()
        assert dataclass_code.save() is False
        assert dataclass_code._new > 0  # still to be written by a start that can
    finally:
        dataclass_code.uninstall()
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]


def test_a_cache_of_the_wrong_shape_is_a_miss(cache):
    """A readable marshal file that is not {source: code} (another tool's, or damaged into
    another valid value) compiles as usual and is replaced at the next save."""
    import marshal

    path = cache.cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    header = sys.hexversion.to_bytes(4, "big")
    for value in ([1, 2], {"x = 1": "not code", 3: compile("1", "<s>", "eval")}, None):
        cache.uninstall()
        path.write_bytes(framed(header, marshal.dumps(value)))
        cache.install()
        assert _define()(4).x == 4
        assert cache._new > 0
    assert cache.save() is True
    assert isinstance(kept(path, header), dict)


def test_the_same_fields_in_two_modules_keep_their_own_globals(cache, monkeypatch):
    """One cached code serves two classes whose methods have the same text: each function
    still runs in its own module's globals with its own qualified name."""
    import types

    made = []
    for name in ("review_mod_a", "review_mod_b"):
        module = types.ModuleType(name)
        monkeypatch.setitem(sys.modules, name, module)
        module.dataclasses = dataclasses  # type: ignore[attr-defined]
        exec(compile("@dataclasses.dataclass\nclass C:\n    v: int = 1\n", name, "exec",
                     dont_inherit=True), module.__dict__)
        made.append(module.C)  # type: ignore[attr-defined]
    a, b = made
    assert a.__init__.__code__ is b.__init__.__code__  # the cache's one code
    assert a.__init__.__globals__ is sys.modules["review_mod_a"].__dict__
    assert b.__init__.__globals__ is sys.modules["review_mod_b"].__dict__
    assert a.__init__.__qualname__ == "C.__init__" and a(2).v == 2 and b().v == 1
    assert a(1) == a(1) and a(1) != b(1)


def test_codes_of_classes_no_longer_defined_leave_a_full_file(cache, monkeypatch):
    """Upgrades change or drop dataclasses: past MAX_CODES the file keeps what the last start
    ran, not every text it ever saw (it is read whole at every start)."""
    monkeypatch.setattr(cache, "MAX_CODES", 2)
    _define()
    assert cache.save() is True
    old = set(_kept(cache))
    cache.uninstall()
    cache.install()

    @dataclasses.dataclass
    class Renamed:  # this start's classes: another one
        z: str = ""

    assert cache.save() is True
    now = set(_kept(cache))
    assert now and not now & old


def test_below_the_cap_codes_of_other_starts_stay(cache):
    """A --demo start and a profile start define some different classes: neither drops the
    other's codes (each would compile them again at every other start)."""
    _define()
    assert cache.save() is True
    old = set(_kept(cache))
    cache.uninstall()
    cache.install()

    @dataclasses.dataclass
    class Other:
        z: str = ""

    assert cache.save() is True
    assert old < set(_kept(cache))


def test_a_cache_marshal_cannot_read_is_a_miss_whatever_it_raises(cache):
    path = cache.cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    cache.uninstall()
    header, body = sys.hexversion.to_bytes(4, "big"), system_error_body()
    for junk in (framed(header, body), header + body):  # with and without the checksum
        cache.uninstall()
        path.write_bytes(junk)
        cache.install()  # SystemError from marshal: no start may stop on it
        assert _define()(3).x == 3


def _kept(cache) -> dict:
    value = kept(cache.cache_file(), sys.hexversion.to_bytes(4, "big"))
    assert isinstance(value, dict)
    return value


def test_a_damaged_byte_marshal_reads_without_complaint_is_a_miss(cache):
    """marshal reads most damaged bytes silently: a changed constant or opcode would be an
    __init__ no dataclass says, run by every start until the file is rewritten."""
    _define()
    assert cache.save() is True
    damage_silently(cache.cache_file(), sys.hexversion.to_bytes(4, "big"))
    cache.uninstall()
    cache.install()
    assert cache._codes == {}  # nothing served from it
    assert _define()(3).x == 3
