"""The icons a start draws are kept as pixels next to the bytecode: the next start reads
them back (the same pixels) instead of parsing and rendering SVG before its first frame."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from damaged_marshal import damage_silently, framed, system_error_body
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from qwen_studio.ui import icons


@pytest.fixture
def pixels_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "pycache" / "icon-pixels.marshal"
    monkeypatch.setattr(icons, "_pixels_file", lambda: str(path))
    monkeypatch.setattr(icons.sys, "dont_write_bytecode", False)
    _forget()
    yield path
    _forget()


def _forget() -> None:
    """What a new process starts with: nothing rendered, nothing read."""
    icons._PIXMAPS.clear()
    clear = getattr(icons._renderer, "cache_clear", None)  # a test may have replaced it
    if clear is not None:
        clear()
    icons._pixels = None
    icons._pixels_new = 0


def _draw(name: str = "run", role: str = "accent") -> QImage:
    return icons.icon(name, role).pixmap(QSize(20, 20)).toImage()


def _no_svg(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object) -> None:
        raise AssertionError("rendered from SVG")

    monkeypatch.setattr(icons, "_renderer", refuse)


def test_a_start_after_the_first_draws_the_kept_pixels(
        qapp: QApplication, pixels_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _draw()
    assert icons.save_pixels() is True and pixels_file.is_file()
    assert icons.save_pixels() is False  # nothing new since
    _forget()
    _no_svg(monkeypatch)
    again = _draw()
    assert again == first  # the very same pixels
    assert icons.save_pixels() is False


def test_another_colour_or_a_changed_svg_renders_afresh(
        qapp: QApplication, pixels_file: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _draw()
    icons.save_pixels()
    _forget()
    rendered: list[str] = []
    render = icons._renderer

    def counting(name: str, colour: str):
        rendered.append(name)
        return render(name, colour)

    monkeypatch.setattr(icons, "_renderer", counting)
    _draw(role="error_fg")
    assert rendered == ["run"]
    # The same icon, its SVG file changed (another size and time): not the kept pixels.
    folder = tmp_path / "icons"
    folder.mkdir()
    original = Path(icons._icon_folder()) / "play.svg"
    (folder / "play.svg").write_text(original.read_text() + "\n", encoding="utf-8")
    monkeypatch.setattr(icons, "_icon_folder", lambda: str(folder))
    icons._PIXMAPS.clear()
    _draw()
    assert rendered == ["run", "run"]


def test_a_damaged_or_foreign_file_is_a_miss(
        qapp: QApplication, pixels_file: Path) -> None:
    first = _draw()
    pixels_file.parent.mkdir(parents=True)
    for junk in (b"", b"not marshal", b"qwen-studio icons, Qt 0.0\n" + b"\x00" * 40):
        pixels_file.write_bytes(junk)
        _forget()
        assert _draw() == first


def test_an_unwritable_folder_is_no_error(
        qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    monkeypatch.setattr(icons, "_pixels_file", lambda: os.path.join(blocker, "x.marshal"))
    monkeypatch.setattr(icons.sys, "dont_write_bytecode", False)
    _forget()
    _draw()
    assert icons.save_pixels() is False
    _forget()


def test_a_file_marshal_cannot_read_is_a_miss_whatever_it_raises(
        qapp: QApplication, pixels_file: Path) -> None:
    first = _draw()
    pixels_file.parent.mkdir(parents=True)
    header, body = icons._pixels_header(), system_error_body()
    for junk in (framed(header, body), header + body):  # with and without the checksum
        pixels_file.write_bytes(junk)
        _forget()
        assert _draw() == first


def test_a_damaged_byte_marshal_reads_without_complaint_is_a_miss(
        qapp: QApplication, pixels_file: Path) -> None:
    # marshal reads most damaged bytes silently: wrong pixels drawn by every start.
    first = _draw()
    assert icons.save_pixels() is True
    damage_silently(pixels_file, icons._pixels_header())
    _forget()
    assert icons._stored_pixels() == {}
    assert _draw() == first


def test_a_new_svg_with_the_old_time_and_size_renders_afresh(
        qapp: QApplication, pixels_file: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # An upgrade whose installer keeps the files' modification times: a new play.svg of
    # the same size, with the old time, is not the icon whose pixels were kept.
    folder = tmp_path / "icons"
    folder.mkdir()
    svg = folder / "play.svg"
    original = (Path(icons._icon_folder()) / "play.svg").read_text(encoding="utf-8")
    svg.write_text(original, encoding="utf-8")
    monkeypatch.setattr(icons, "_icon_folder", lambda: str(folder))
    monkeypatch.setattr(icons, "_svg_text",
                        lambda name: (folder / f"{name}.svg").read_text(encoding="utf-8"))
    first = _draw()
    assert icons.save_pixels() is True
    before = svg.stat()
    svg.unlink()
    svg.write_text(original.replace('fill="none"', 'fill="#000"', 1), encoding="utf-8")
    os.utime(svg, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (svg.stat().st_size, svg.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    _forget()
    assert _draw() != first  # rendered from the new file, not the kept pixels

