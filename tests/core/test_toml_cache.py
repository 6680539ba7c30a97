"""The parsed-TOML cache (core/toml_cache.py): the same bytes give tomllib's own answer
without importing tomllib again; any other bytes, or a damaged cache file, are parsed."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest
from damaged_marshal import damage_silently, framed, system_error_body

from qwen_studio.core import toml_cache
from qwen_studio.core.catalog import CatalogError
from qwen_studio.core.catalog_loader import read_catalog
from qwen_studio.resources import resource_path


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "pycache"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return tmp_path


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Texts tomllib is asked to parse from now on."""
    seen: list[str] = []
    real = tomllib.loads

    def loads(text: str, **kw: object) -> dict:
        seen.append(text)
        return real(text, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(tomllib, "loads", loads)
    return seen


def test_the_same_bytes_are_parsed_once(cache_dir: Path, monkeypatch: pytest.MonkeyPatch):
    raw = resource_path("models.toml").read_bytes()
    seen = _parses(monkeypatch)
    first = toml_cache.loads_cached(raw)
    assert len(seen) == 1 and toml_cache._path().is_file()
    again = toml_cache.loads_cached(raw)
    assert len(seen) == 1  # served from the file
    assert again == first == tomllib.loads(raw.decode())


def test_edited_bytes_and_a_damaged_file_are_parsed(cache_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch):
    seen = _parses(monkeypatch)
    assert toml_cache.loads_cached(b"a = 1\n") == {"a": 1}
    assert toml_cache.loads_cached(b"a = 2\n") == {"a": 2}  # an edited file: a miss
    assert toml_cache.loads_cached(b"a = 1\n") == {"a": 1}  # both kept
    assert len(seen) == 2
    toml_cache._path().write_bytes(b"\x00garbage")
    assert toml_cache.loads_cached(b"a = 1\n") == {"a": 1}
    assert len(seen) == 3


def test_no_file_when_python_writes_no_bytecode(cache_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert toml_cache.loads_cached(b"a = 1\n") == {"a": 1}
    assert not toml_cache._path().exists()


def test_dates_are_parsed_each_time(cache_dir: Path):
    text = b"when = 2026-12-05\n"
    assert toml_cache.loads_cached(text) == tomllib.loads(text.decode())
    assert toml_cache.loads_cached(text) == tomllib.loads(text.decode())


def test_a_bad_catalog_still_names_the_file(cache_dir: Path, tmp_path: Path):
    bad = tmp_path / "models.toml"
    bad.write_bytes(b"schema = [\n")
    with pytest.raises(CatalogError, match=r"models\.toml is not valid TOML"):
        read_catalog(bad)
    bad.write_bytes(b"\xff\xfe schema = 1\n")
    with pytest.raises(CatalogError, match=r"models\.toml is not valid TOML"):
        read_catalog(bad)


def test_a_file_marshal_cannot_read_is_parsed_whatever_it_raises(cache_dir: Path):
    toml_cache._path().parent.mkdir(parents=True, exist_ok=True)
    header, body = sys.hexversion.to_bytes(4, "big"), system_error_body()
    for junk in (framed(header, body), header + body):  # with and without the checksum
        toml_cache._path().write_bytes(junk)
        assert toml_cache.loads_cached(b"a = 1\n") == {"a": 1}


def test_a_damaged_byte_marshal_reads_without_complaint_is_parsed(
        cache_dir: Path, monkeypatch: pytest.MonkeyPatch):
    # marshal reads most damaged bytes silently: a changed value would be a catalog no
    # models.toml says, served to every start until the file changes.
    raw = b'a = 1\nname = "qwen-image-edit"\n'
    assert toml_cache.loads_cached(raw) == {"a": 1, "name": "qwen-image-edit"}
    damage_silently(toml_cache._path(), sys.hexversion.to_bytes(4, "big"))
    seen = _parses(monkeypatch)
    assert toml_cache.loads_cached(raw) == {"a": 1, "name": "qwen-image-edit"}
    assert len(seen) == 1  # parsed, not served
