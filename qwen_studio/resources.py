"""Find the files the app loads at run time: `resource_path(name)` and `app_icon()`.

Layout (one copy of each file, no symlinks, nothing generated at install time):

- `qwen_studio/resources_data/` holds everything loaded at run time: the icon SVG
  (`qwen-studio.svg`) and its PNG renders (`icons/qwen-studio-<size>.png`). It lives inside
  the package so `pip install` ships it as package data (pyproject.toml
  `[tool.setuptools.package-data]`) and PyInstaller collects it with the package.
- `resources/` at the repository root holds only desktop-integration metadata that the app
  never reads: the freedesktop `.desktop` entry and the AppStream metainfo. Installers and
  distro packagers copy those, plus the PNGs above, into /usr/share.

`resource_path` resolves against the package directory, which is right for a source
checkout, an editable or regular install, and a PyInstaller one-folder build (there the
package's data sits under `sys._MEIPASS/qwen_studio/`). Qt is imported lazily so the CLI
can use this module without loading Qt.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

# The reverse-DNS id used for AppStream, the .desktop file name, the installed icon name and
# the Wayland app id (QGuiApplication.setDesktopFileName(APP_ID)).
APP_ID = "io.github.qwenstudio.QwenStudio"
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICON_SVG = "qwen-studio.svg"


def resource_dir() -> Path:
    """The directory holding the run-time resources."""
    meipass = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and meipass:
        return Path(meipass) / "qwen_studio" / "resources_data"
    return _source_dir()


@cache
def _source_dir() -> Path:
    # Resolved once: the window's icons ask for 8+ resources before its first frame, and
    # each resolve() walks the path with a syscall per part.
    return Path(__file__).resolve().parent / "resources_data"


def resource_path(name: str) -> Path:
    """The path of a run-time resource, e.g. `resource_path("icons/qwen-studio-32.png")`.

    `name` is relative with forward slashes. Raises FileNotFoundError naming where it looked,
    so a broken install or bundle says what is missing instead of showing a blank icon.
    """
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise ValueError(f"resource name must be a relative path inside the resources: {name!r}")
    path = resource_dir().joinpath(*rel.parts)
    if not path.is_file():
        raise FileNotFoundError(f"Qwen Studio resource {name!r} is missing (looked for {path})")
    return path


def icon_png(size: int) -> Path:
    """The PNG render of the app icon at `size` px (one of ICON_SIZES)."""
    if size not in ICON_SIZES:
        raise ValueError(f"no {size} px icon; sizes are {ICON_SIZES}")
    return resource_path(f"icons/qwen-studio-{size}.png")


def app_icon() -> QIcon:
    """The application icon with every PNG size, so Qt never scales a 512 px bitmap down to
    16 px for a title bar; needs a QGuiApplication."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(icon_png(size)), QSize(size, size))
    return icon
