"""A history damaged at open is moved aside and rebuilt (core); the window says so and
names where the damaged file was kept, instead of showing an empty history silently."""

from __future__ import annotations

from pathlib import Path

from qwen_studio.core.library import Library


def test_a_rebuilt_library_is_told_with_where_the_old_file_is(make_window, tmp_path: Path):
    root = tmp_path / "lib"
    root.mkdir()
    (root / "library.sqlite3").write_bytes(b"\x13\x37" * 50_000)  # not a database
    library = Library(root)
    assert library.recovered_from is not None
    window = make_window(library=library)
    assert window.banner.isVisible()
    assert "damaged and has been rebuilt" in window.banner.message()
    assert str(library.recovered_from) in window.banner.hint()


def test_a_healthy_library_says_nothing(make_window, tmp_path: Path):
    window = make_window(library=Library(tmp_path / "lib"))
    assert "rebuilt" not in window.banner.message()
