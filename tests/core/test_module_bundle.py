"""The module bundle (core/module_bundle.py): the same modules, from one file.

A throwaway package stands in for qwen_studio: it is imported once the ordinary way, the
bundle is saved, and the next "start" (the package dropped from sys.modules, the bundle read
again) imports it from the bundle, unless its files changed or moved.
"""

from __future__ import annotations

import importlib
import inspect
import os
import shutil
import sys
import traceback
from pathlib import Path

import pytest
from damaged_marshal import framed, system_error_body

from qwen_studio.core import module_bundle

PKG = "bundle_probe_pkg"


def _write_package(root: Path, answer: int = 42) -> Path:
    pkg = root / PKG
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text("FROM_INIT = 'init'\n")
    (pkg / "sub").mkdir(exist_ok=True)
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "leaf.py").write_text(
        "def answer():\n"
        f"    return {answer}\n"
        "\n"
        "def fail():\n"
        "    raise ValueError('from leaf')\n")
    return pkg


def _forget() -> None:
    for name in [n for n in sys.modules if n == PKG or n.startswith(PKG + ".")]:
        del sys.modules[name]
    importlib.invalidate_caches()


def _start(root: Path):
    """A new start: the bundle read again, the package imported from `root`."""
    module_bundle.uninstall()
    _forget()
    module_bundle.install()
    sys.path.insert(0, str(root))
    try:
        importlib.import_module(PKG)  # the top package: imported before install() in the app
        return importlib.import_module(PKG + ".sub.leaf")
    finally:
        sys.path.remove(str(root))


def _served(module) -> bool:
    return type(module.__spec__.loader) is module_bundle._Loader


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "pycache"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(module_bundle, "PACKAGE", PKG)
    module_bundle.uninstall()
    yield module_bundle
    module_bundle.uninstall()
    _forget()


def test_a_second_start_imports_the_same_modules_from_the_bundle(bundle, tmp_path):
    pkg = _write_package(tmp_path / "tree")
    first = _start(tmp_path / "tree")
    assert not _served(first) and first.answer() == 42
    assert bundle.save() is True
    assert bundle.cache_file().is_file()

    leaf = _start(tmp_path / "tree")
    assert _served(leaf) and _served(sys.modules[PKG + ".sub"])
    # The same module as the ordinary import makes: file, package, source, behaviour.
    assert leaf.__file__ == str(pkg / "sub" / "leaf.py") == first.__file__
    assert leaf.__package__ == PKG + ".sub"
    assert sys.modules[PKG + ".sub"].__path__ == [str(pkg / "sub")]
    assert leaf.__cached__ == first.__cached__
    assert leaf.answer() == 42
    assert "return 42" in inspect.getsource(leaf.answer)
    with pytest.raises(ValueError) as caught:
        leaf.fail()
    frame = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert (frame.filename, frame.lineno, frame.line) == (
        str(pkg / "sub" / "leaf.py"), 5, "raise ValueError('from leaf')")
    assert bundle.save() is False  # nothing new: the file is not rewritten


@pytest.mark.parametrize("same_size", [False, True])
def test_an_edited_module_is_imported_from_its_file(bundle, tmp_path, same_size):
    pkg = _write_package(tmp_path / "tree")
    _start(tmp_path / "tree")
    assert bundle.save() is True
    leaf_py = pkg / "sub" / "leaf.py"
    before = leaf_py.stat()
    leaf_py.write_text(leaf_py.read_text().replace("42", "43" if same_size else "4300"))
    if same_size:  # an edit of the same length: its time tells (2 s on, as Python's .pyc
        # check needs whole seconds)
        assert leaf_py.stat().st_size == before.st_size
        os.utime(leaf_py, ns=(before.st_atime_ns, before.st_mtime_ns + 2 * 10**9))

    leaf = _start(tmp_path / "tree")
    assert not _served(leaf)
    assert leaf.answer() == (43 if same_size else 4300)
    assert _served(sys.modules[PKG + ".sub"])  # the unchanged package still is
    assert bundle.save() is True  # the stale entry is replaced ...
    leaf = _start(tmp_path / "tree")
    assert _served(leaf) and leaf.answer() == (43 if same_size else 4300)  # ... by the new


def test_a_copy_of_the_tree_elsewhere_imports_its_own_files(bundle, tmp_path):
    """The bundle names the files it was made from: another tree with the same names, sizes
    and times (a copy) is imported from its own files."""
    _write_package(tmp_path / "tree")
    _start(tmp_path / "tree")
    assert bundle.save() is True
    shutil.copytree(tmp_path / "tree", tmp_path / "copy", copy_function=shutil.copy2)
    (tmp_path / "copy" / PKG / "sub" / "leaf.py").write_text("def answer():\n    return 7\n")

    leaf = _start(tmp_path / "copy")
    assert not _served(leaf)
    assert leaf.answer() == 7
    assert leaf.__file__ == str(tmp_path / "copy" / PKG / "sub" / "leaf.py")


def test_a_deleted_module_is_not_imported_from_the_bundle(bundle, tmp_path):
    pkg = _write_package(tmp_path / "tree")
    _start(tmp_path / "tree")
    assert bundle.save() is True
    (pkg / "sub" / "leaf.py").unlink()
    with pytest.raises(ModuleNotFoundError):
        _start(tmp_path / "tree")


def test_an_unreadable_bundle_is_a_miss(bundle, tmp_path):
    _write_package(tmp_path / "tree")
    path = bundle.cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    header = bundle._HEADER
    for junk in (b"", b"garbage", header + b"\x00broken", header[:-1] + b"\x07" + b"{}"):
        path.write_bytes(junk)
        leaf = _start(tmp_path / "tree")
        assert not _served(leaf) and leaf.answer() == 42


def test_no_file_when_python_writes_no_bytecode(bundle, tmp_path, monkeypatch):
    _write_package(tmp_path / "tree")
    _start(tmp_path / "tree")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert bundle.save() is False
    assert not bundle.cache_file().exists()


def test_an_unwritable_bundle_folder_is_no_error(bundle, tmp_path, monkeypatch):
    """A package folder the user cannot write (a system install): the bundle is not saved,
    start-up goes on, and no temporary file is left behind."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    monkeypatch.setattr(sys, "pycache_prefix", str(blocker))
    _write_package(tmp_path / "tree")
    _start(tmp_path / "tree")
    assert bundle.save() is False
    assert blocker.is_file() and list(tmp_path.glob("**/*.tmp")) == []


def test_only_the_package_s_modules_are_kept(bundle, tmp_path):
    _write_package(tmp_path / "tree")
    _start(tmp_path / "tree")
    assert bundle.save() is True
    assert sorted(bundle._entries) == [PKG + ".sub", PKG + ".sub.leaf"]


def test_a_bundle_marshal_cannot_read_is_a_miss_whatever_it_raises(bundle, tmp_path):
    # One damaged byte can make marshal raise SystemError: the start must not stop on it
    # (every later start would too: the bundle is only rewritten after a first frame).
    _write_package(tmp_path / "tree")
    path = bundle.cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(framed(bundle._HEADER, system_error_body()))
    leaf = _start(tmp_path / "tree")
    assert not _served(leaf) and leaf.answer() == 42


def test_a_damaged_byte_marshal_reads_without_complaint_is_a_miss(bundle, tmp_path):
    # marshal reads most damaged bytes silently: a changed name or constant would be code
    # no source says, served to every start until the sources change.
    _write_package(tmp_path / "tree")
    _start(tmp_path / "tree")
    assert bundle.save() is True
    path = bundle.cache_file()
    data = path.read_bytes()
    assert data.count(b"answer") >= 1
    path.write_bytes(data.replace(b"answer", b"bnswer", 1))
    leaf = _start(tmp_path / "tree")
    assert not _served(leaf) and leaf.answer() == 42


def test_modules_imported_before_the_bundle_do_not_rewrite_it_each_start(bundle, tmp_path):
    # The entry point imports a few of the package's modules (core, dataclass_code,
    # module_bundle) before install(): they come from their own files on every start,
    # and must not make every start rewrite the whole bundle (1.2 MB, ~6 ms).
    _write_package(tmp_path / "tree")
    _start(tmp_path / "tree")
    assert bundle.save() is True
    bundle.uninstall()
    _forget()
    sys.path.insert(0, str(tmp_path / "tree"))
    try:
        importlib.import_module(PKG + ".sub")  # before the bundle is read, as in the app
        bundle.install()
        leaf = importlib.import_module(PKG + ".sub.leaf")
    finally:
        sys.path.remove(str(tmp_path / "tree"))
    assert _served(leaf) and not _served(sys.modules[PKG + ".sub"])
    written = bundle.cache_file().stat().st_mtime_ns
    assert bundle.save() is False
    assert bundle.cache_file().stat().st_mtime_ns == written


def test_a_new_file_with_the_old_time_and_size_is_imported_from_itself(bundle, tmp_path):
    # An upgrade whose installer keeps the wheel's times (reproducible wheels all share
    # one), and a change of the same length: the same mtime and size, other code. The
    # installer writes new .pyc files too (a stale one would fool Python itself).
    pkg = _write_package(tmp_path / "tree")
    _start(tmp_path / "tree")
    assert bundle.save() is True
    leaf_py = pkg / "sub" / "leaf.py"
    before = leaf_py.stat()
    leaf_py.write_text(leaf_py.read_text().replace("42", "43"))
    os.utime(leaf_py, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (leaf_py.stat().st_mtime_ns, leaf_py.stat().st_size) == (
        before.st_mtime_ns, before.st_size)
    Path(importlib.util.cache_from_source(str(leaf_py))).unlink()

    leaf = _start(tmp_path / "tree")
    assert not _served(leaf) and leaf.answer() == 43
