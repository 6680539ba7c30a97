"""One icon set for the whole window: Lucide line icons (ISC licence), bundled as SVG.

Every icon is drawn at the size it is asked for (crisp at any scale and device pixel
ratio) in the colour of the current theme at paint time, so a live light/dark switch
reaches every button without rebuilding it. Disabled icons use the theme's disabled text
colour; `role` picks another token (e.g. "accent" for a starred entry, "error_fg" for a
failure) where the meaning is also carried by a word or a tooltip, never by colour alone.

Names are what the icon means in Qwen Studio, not what it depicts: widgets ask for
`icon("run")`, and the drawing behind a meaning can change here alone. `QIcon.name()`
answers the meaning. `status_icon(status, reason=…)` is an edit status's icon in that
status's colour (ui/theme/status.py: a budget skip is not a done one), beside its word.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import OrderedDict
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt, qVersion
from PySide6.QtGui import QColor, QIcon, QIconEngine, QImage, QPainter, QPixmap

from qwen_studio.core import marshal_file
from qwen_studio.core.editing.status import EditStatus
from qwen_studio.resources import resource_path
from qwen_studio.ui import theme
from qwen_studio.ui.theme.status import status_colour, status_icon_name

if TYPE_CHECKING:
    from PySide6.QtSvg import QSvgRenderer

# meaning -> (Lucide file name, filled)
ICONS: dict[str, tuple[str, bool]] = {
    # editing
    "run": ("play", False),
    "cancel": ("square", True),  # a filled stop mark: an outline read as a check box
    "close": ("x", False),
    "retry": ("rotate-cw", False),
    "pause": ("pause", False),
    "resume": ("play", False),
    "settings": ("settings", False),
    "more": ("ellipsis", False),
    "check": ("check", False),  # a check box's mark (the theme's style sheet)
    "add": ("plus", False),
    "remove": ("minus", False),
    "delete": ("trash-2", False),
    "prompt-library": ("library-big", False),
    "snippet": ("bookmark", False),
    "seed": ("dices", False),
    "spend": ("wallet", False),
    # results
    "save": ("save", False),
    "export": ("file-output", False),
    "copy": ("copy", False),
    "use-as-input": ("corner-up-left", False),
    "show-in-folder": ("folder-open", False),
    "drag": ("grip-vertical", False),
    "download": ("download", False),
    "image": ("image", False),
    "grid": ("layout-grid", False),
    "versions": ("git-branch", False),
    "pick": ("flag", True),
    "reject": ("flag-off", False),
    # compare view
    "fit": ("maximize", False),
    "actual-size": ("scan", False),
    "side-by-side": ("columns-2", False),
    "wipe": ("split", False),
    "flip": ("flip-horizontal-2", False),
    "changes": ("activity", False),
    "layers": ("layers", False),
    "show": ("eye", False),
    "hide": ("eye-off", False),
    # mask tools
    "brush": ("brush", False),
    "eraser": ("eraser", False),
    "rectangle": ("square-dashed", False),
    "lasso": ("lasso", False),
    "invert": ("contrast", False),
    "undo": ("undo-2", False),
    "redo": ("redo-2", False),
    # panels and navigation
    "panels": ("panels-left-right", False),
    "left-panel": ("panel-left", False),
    "right-panel": ("panel-right", False),
    "float": ("picture-in-picture-2", False),  # a dock out of the window, or back
    "expand": ("chevron-right", False),
    "collapse": ("chevron-down", False),
    "step-up": ("chevron-up", False),
    "step-down": ("chevron-down", False),
    "search": ("search", False),
    "history": ("history", False),
    # statuses and notices (each also has a word beside it)
    "star": ("star", False),
    "starred": ("star", True),
    "queued": ("clock", False),
    "running": ("loader-circle", False),
    "done": ("circle-check", False),
    "failed": ("circle-x", False),
    "cancelled": ("ban", False),
    "skipped": ("skip-forward", False),
    "interrupted": ("circle-alert", False),
    "over-budget": ("wallet", False),  # skipped for its budget: not done, needs you
    "error": ("circle-x", False),
    "warning": ("triangle-alert", False),
    "info": ("info", False),
}
_PIXMAPS: OrderedDict[tuple[str, str, int, int], QPixmap] = OrderedDict()
_PIXMAPS_KEPT = 256  # rendered icons kept (list rows repaint the same few all the time)


@cache
def _svg_text(file_name: str) -> str:
    return resource_path(f"icons/ui/{file_name}.svg").read_text(encoding="utf-8")


@cache
def _icon_folder() -> str:
    return str(resource_path("icons/ui/play.svg").parent)


@lru_cache(maxsize=256)
def _renderer(name: str, hex_colour: str) -> QSvgRenderer:
    # PySide's QtSvg module is loaded by the first icon not kept as pixels (~0.7 ms that a
    # start whose icons are all kept need not pay before its first frame).
    from PySide6.QtSvg import QSvgRenderer

    return QSvgRenderer(QByteArray(_svg_source(name, hex_colour).encode("utf-8")))


# The pixels of the icons a start draws, kept next to Python's bytecode (as dataclass_code
# and toml_cache keep theirs): the first frame's ~8 icons cost ~3 ms to parse and render
# from SVG (and the first QSvgRenderer builds PySide's QXmlStreamReader type and enums),
# ~0.1 ms to read back. Keyed by icon, colour, size and the SVG file's size and times (its
# change time too: an upgrade that keeps the files' modification times writes new files),
# under Qt's version: a changed icon, colour or Qt renders afresh. Written after the first
# frame (save_pixels).
_PIXELS_KEPT = 64
_PixelsKey = tuple[str, bool, str, int, int, int, int, int]
_pixels: dict[_PixelsKey, bytes] | None = None
_pixels_new = 0


def _pixels_file() -> str:
    from qwen_studio.core.dataclass_code import cache_file

    return str(cache_file().with_name(f"icon-pixels.{sys.implementation.cache_tag}.marshal"))


def _pixels_header() -> bytes:
    return f"qwen-studio icons, Qt {qVersion()}\n".encode()


def _stored_pixels() -> dict[_PixelsKey, bytes]:
    global _pixels
    if _pixels is None:
        # None (none yet, another Qt, damaged: core/marshal_file.py): render afresh.
        entries = marshal_file.read(_pixels_file(), _pixels_header())
        _pixels = entries if isinstance(entries, dict) else {}
    return _pixels


def save_pixels() -> bool:
    """Write the icons rendered since the file was read (atomically; never when Python
    writes no bytecode). Returns True if written; an unwritable folder is no error."""
    global _pixels_new
    if not _pixels_new or _pixels is None or sys.dont_write_bytecode:
        return False
    kept = dict(list(_pixels.items())[-_PIXELS_KEPT:])
    if not marshal_file.write(_pixels_file(), _pixels_header(), lambda: kept):
        return False
    _pixels_new = 0
    return True


def _svg_source(name: str, hex_colour: str) -> str:
    file_name, filled = ICONS[name]
    svg = _svg_text(file_name).replace("currentColor", hex_colour)
    if filled:
        svg = svg.replace('fill="none"', f'fill="{hex_colour}"', 1)
    return svg


def _rendered(name: str, hex_colour: str, width: int, height: int) -> QPixmap:
    """The icon of `name` in `hex_colour` at width x height device pixels, kept."""
    global _pixels_new
    key = (name, hex_colour, width, height)
    pixmap = _PIXMAPS.get(key)
    if pixmap is not None:
        _PIXMAPS.move_to_end(key)
        return pixmap
    fmt = QImage.Format.Format_ARGB32_Premultiplied
    file_name, filled = ICONS[name]
    # The SVG file's size and time say whether it changed (reading it would cost as much
    # as the pixels save); None: not kept.
    stored_key: _PixelsKey | None = None
    with contextlib.suppress(OSError):
        st = os.stat(os.path.join(_icon_folder(), f"{file_name}.svg"))
        stored_key = (file_name, filled, hex_colour, width, height, st.st_size,
                      st.st_mtime_ns, st.st_ctime_ns)
    data = _stored_pixels().get(stored_key) if stored_key is not None else None
    if isinstance(data, bytes) and len(data) == width * height * 4:
        image = QImage(data, width, height, width * 4, fmt).copy()  # own its pixels
    else:
        image = QImage(width, height, fmt)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(width, height)
        _renderer(name, hex_colour).render(
            painter, QRectF((width - side) / 2, (height - side) / 2, side, side))
        painter.end()
        if stored_key is not None and image.bytesPerLine() == width * 4:
            _stored_pixels()[stored_key] = bytes(image.constBits())
            _pixels_new += 1
    pixmap = _PIXMAPS[key] = QPixmap.fromImage(image)  # a copy: `data` may go
    if len(_PIXMAPS) > _PIXMAPS_KEPT:
        _PIXMAPS.popitem(last=False)
    return pixmap


class _ThemedSvgEngine(QIconEngine):
    """Renders one meaning's SVG in the theme colour of the moment, at the asked size."""

    def __init__(self, name: str, role: str) -> None:
        super().__init__()
        self._name = name
        self._role = role

    def _colour(self, mode: QIcon.Mode) -> str:
        if mode == QIcon.Mode.Disabled:
            return theme.colour("disabled_text").name()
        if self._role.startswith("#"):  # a fixed colour (on a surface of its own)
            return self._role
        return theme.colour(self._role).name()

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        side = min(rect.width(), rect.height())
        square = QRectF(rect.x() + (rect.width() - side) / 2,
                        rect.y() + (rect.height() - side) / 2, side, side)
        _renderer(self._name, self._colour(mode)).render(painter, square)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        # A copy: the caller may set its device pixel ratio.
        return QPixmap(_rendered(self._name, self._colour(mode), size.width(), size.height()))

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,
                     scale: float) -> QPixmap:
        # Drawn at device pixels, so a 2x screen gets a sharp icon, not an upscaled one.
        pixmap = self.pixmap(size * scale, mode, state)
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        return _ThemedSvgEngine(self._name, self._role)

    def key(self) -> str:
        return "qwen-studio-themed-svg"

    def iconName(self) -> str:
        return self._name  # QIcon.name(): the meaning, e.g. "done"


class _StatusSvgEngine(_ThemedSvgEngine):
    """A status's icon in the status's own colour (of `scheme`, else the running theme)."""

    def __init__(self, status: EditStatus, scheme: str | None, largest: int | None,
                 reason: str | None = None) -> None:
        super().__init__(status_icon_name(status, reason) or status.value, "text")
        self._status, self._scheme, self._largest = status, scheme, largest
        self._reason = reason

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        # Item views size the decoration by this: a status beside a word stays word-sized
        # in a view whose icon size is a thumbnail's.
        if self._largest is None:
            return size
        return QSize(min(size.width(), self._largest), min(size.height(), self._largest))

    def _colour(self, mode: QIcon.Mode) -> str:
        if mode == QIcon.Mode.Disabled:
            return super()._colour(mode)
        if mode == QIcon.Mode.Selected:  # green on the blue selection would not read
            scheme = self._scheme if self._scheme in ("dark", "light") else None
            return theme.tokens(scheme or theme.current_scheme())["row_selected_text"]
        return status_colour(self._status, self._scheme, self._reason)

    def clone(self) -> QIconEngine:
        return _StatusSvgEngine(self._status, self._scheme, self._largest, self._reason)


def icon(name: str, role: str = "text") -> QIcon:
    """The icon for a meaning in ICONS, drawn in theme token `role` (default: text), or in
    a fixed "#rrggbb" where it sits on a surface that does not follow the theme."""
    if name not in ICONS:
        raise KeyError(f"no icon for {name!r}; add it to ICONS")
    return QIcon(_ThemedSvgEngine(name, role))


def status_icon(status: EditStatus | str, scheme: str | None = None,
                largest: int | None = None, reason: str | None = None) -> QIcon:
    """The icon of an edit status with reason code `reason` (status_look: its meaning's name
    is the status value, or the look's own, e.g. "over-budget"), drawn in the status colour
    of `scheme` ("dark"/"light"), else of the theme running at paint time, at most `largest`
    px in an item view. A status this version does not know (a newer library's): a null
    icon, the word only."""
    try:
        known = EditStatus(status)
    except ValueError:
        return QIcon()
    return QIcon(_StatusSvgEngine(known, scheme, largest, reason))


def draw_icon(painter: QPainter, rect: QRect, name: str, colour: QColor | str) -> None:
    """Paint the icon of `name` centred in `rect` (a square of its shorter side) in `colour`,
    for delegates that paint rows themselves: rendered once per size and colour, then a
    pixmap blit (sharp on high-DPI screens)."""
    if name not in ICONS:
        raise KeyError(f"no icon for {name!r}; add it to ICONS")
    side = min(rect.width(), rect.height())
    if side <= 0:
        return
    device = painter.device()
    dpr = device.devicePixelRatioF() if device is not None else 1.0
    hex_colour = colour.name() if isinstance(colour, QColor) else colour
    px = max(1, round(side * dpr))
    pixmap = _rendered(name, hex_colour, px, px)
    target = QRectF(rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2,
                    side, side)
    painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))


def svg_file(name: str, hex_colour: str, stroke: float | None = None) -> str:
    """The icon as an SVG file in `hex_colour` (and line width `stroke` in the icons'
    24-unit grid, else theirs), for a style sheet's url() (which cannot colour
    currentColor): written once per look under the temp folder, path returned with forward
    slashes."""
    import tempfile
    from pathlib import Path

    file_name, filled = ICONS[name]
    folder = Path(tempfile.gettempdir()) / "qwen-studio-icons"
    width = f"-w{stroke:g}" if stroke is not None else ""
    target = folder / (f"{file_name}-{hex_colour.lstrip('#')}{'-f' if filled else ''}"
                       f"{width}.svg")
    if not target.is_file():
        svg = _svg_text(file_name).replace("currentColor", hex_colour)
        if filled:
            svg = svg.replace('fill="none"', f'fill="{hex_colour}"', 1)
        if stroke is not None:
            svg = svg.replace('stroke-width="2"', f'stroke-width="{stroke:g}"', 1)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{id(svg)}.tmp")
        tmp.write_text(svg, encoding="utf-8")
        tmp.replace(target)  # atomic: a second window never reads half a file
    return target.as_posix()
