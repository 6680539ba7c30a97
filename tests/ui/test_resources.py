"""The app icon, run-time resources and desktop-integration files (fast)."""

from __future__ import annotations

import configparser
import fnmatch
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from qwen_studio import resources
from qwen_studio.resources import APP_ID, ICON_SIZES, app_icon, icon_png, resource_path

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "resources" / f"{APP_ID}.desktop"
METAINFO = ROOT / "resources" / f"{APP_ID}.metainfo.xml"
ACCENT = (0x6A, 0x3D, 0xF0)


def _tool(name: str, package: str) -> str:
    """The tool's path; a missing tool fails (CI must install it), it never skips."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed, so this file cannot be validated; "
                    f"install the Debian/Ubuntu package {package} (apt-get install {package})")
    return path


def _pixel(image, x: int, y: int) -> tuple[int, int, int, int]:
    c = image.pixelColor(x, y)
    return c.red(), c.green(), c.blue(), c.alpha()


def _close(rgb: tuple[int, ...], ref: tuple[int, int, int], tol: int = 24) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(rgb[:3], ref, strict=True))


# -- resource_path ------------------------------------------------------------------------------
def test_resource_path_finds_the_icon_files_from_the_source_tree():
    svg = resource_path("qwen-studio.svg")
    assert svg.is_file() and svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert resource_path("icons/qwen-studio-32.png") == icon_png(32)
    assert icon_png(32).parent.parent == ROOT / "qwen_studio" / "resources_data"


def test_a_missing_resource_names_what_is_missing_and_where_it_looked():
    with pytest.raises(FileNotFoundError, match=r"'nope\.qss'.*resources_data"):
        resource_path("nope.qss")


@pytest.mark.parametrize("name", ["../pyproject.toml", "/etc/passwd", ""])
def test_resource_names_cannot_escape_the_resource_folder(name):
    with pytest.raises(ValueError):
        resource_path(name)


def test_a_frozen_bundle_looks_under_meipass(tmp_path, monkeypatch):
    data = tmp_path / "qwen_studio" / "resources_data"
    (data / "icons").mkdir(parents=True)
    (data / "icons" / "qwen-studio-16.png").write_bytes(b"png")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert icon_png(16) == data / "icons" / "qwen-studio-16.png"
    with pytest.raises(FileNotFoundError):
        icon_png(32)  # really looked in the bundle, not the source tree


def test_every_runtime_resource_is_declared_as_package_data():
    """A file pip would not install is a blank icon in every wheel and bundle."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["qwen_studio"]
    package = ROOT / "qwen_studio"
    files = [p.relative_to(package).as_posix()
             for p in (package / "resources_data").rglob("*") if p.is_file()]
    assert files
    # setuptools globs do not cross "/" with "*", so fnmatch on the whole path is the
    # stricter check only when combined with the same folder depth.
    undeclared = [f for f in files
                  if not any(fnmatch.fnmatch(f, pat) and f.count("/") == pat.count("/")
                             for pat in patterns)]
    assert undeclared == []


# -- the icon -----------------------------------------------------------------------------------
def test_the_svg_renders_to_a_recognisable_icon(qapp):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(resource_path(resources.ICON_SVG)))
    assert renderer.isValid()
    image = QImage(128, 128, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    # Rounded tile: transparent corners, opaque centre; grey "before" on the left sky,
    # accent "after" on the right sky.
    assert _pixel(image, 1, 1)[3] == 0
    assert _pixel(image, 64, 64)[3] == 255
    left, right = _pixel(image, 20, 24), _pixel(image, 112, 24)
    assert left[3] == 255 and abs(left[0] - left[2]) < 20, left  # a neutral grey
    assert _close(right, ACCENT), right


@pytest.mark.parametrize("size", ICON_SIZES)
def test_every_png_size_exists_with_its_dimensions_and_a_transparent_corner(qapp, size):
    from PySide6.QtGui import QImage

    image = QImage(str(icon_png(size)))
    assert not image.isNull()
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()
    assert _pixel(image, 0, 0)[3] == 0
    assert _pixel(image, size // 2, size // 2)[3] == 255


def test_the_committed_pngs_match_the_svg(qapp):
    """Editing the SVG without re-running packaging/render_icons.py fails here."""
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import render_icons
    finally:
        sys.path.pop(0)
    from PySide6.QtGui import QImage

    for size in (32, 256):
        fresh = render_icons.render(resource_path(resources.ICON_SVG), size)
        committed = QImage(str(icon_png(size))).convertToFormat(fresh.format())
        diffs = [
            max(abs(a - b) for a, b in zip(_pixel(fresh, x, y), _pixel(committed, x, y),
                                           strict=True))
            for x in range(0, size, max(1, size // 32))
            for y in range(0, size, max(1, size // 32))
        ]
        assert max(diffs) <= 8, f"{size} px PNG is stale: run packaging/render_icons.py"


def test_app_icon_offers_every_size(qapp):
    icon = app_icon()
    assert not icon.isNull()
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(ICON_SIZES)
    assert not icon.pixmap(16, 16).isNull()


def test_the_windows_icon_holds_the_small_sizes_windows_asks_for():
    from PIL import Image

    with Image.open(ROOT / "packaging" / "qwen-studio.ico") as ico:
        sizes = {s[0] for s in ico.info["sizes"]}
    assert {16, 32, 48, 256} <= sizes


# -- desktop integration ------------------------------------------------------------------------
def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_desktop_entry_launches_qwen_studio_with_our_icon():
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Qwen Studio"
    assert entry["Exec"].split()[0] == "qwen-studio"
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    assert "Graphics" in entry["Categories"].split(";")
    assert "image/jpeg" in entry["MimeType"].split(";")


def test_the_desktop_entry_passes_desktop_file_validate():
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    proc = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error" not in proc.stdout.lower(), proc.stdout


def test_the_metainfo_uses_the_same_id_and_launches_the_desktop_entry():
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("icon") == APP_ID
    assert root.findtext("provides/binary") == "qwen-studio"
    from qwen_studio import __version__

    assert root.find("releases/release").get("version") == __version__


def test_the_metainfo_passes_appstreamcli_validate():
    tool = _tool("appstreamcli", "appstream")
    proc = subprocess.run([tool, "validate", "--no-net", str(METAINFO)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
