"""The before/after compare view: the canvas where a designer judges an edit.

Modes (ui/compare/modes.py): side by side (two panes, zoom and pan in sync), wipe (a
draggable divider, before on the left), flip (after; hold Space or the mouse to see before)
and changes (changed pixels over the original, ui/compare/changes_mode.py). The region mask
is drawn on the "before" image (ui/compare/region_tools.py). Holding Space shows the
before image full-frame in every mode.

Contract with the main window:

* Images arrive decoded (QImage), from the thread pool; this widget never touches files.
* Colour: if a QImage carries a valid ``colorSpace()`` that is not sRGB, the *caller*
  converts it to sRGB (``QImage.convertToColorSpace``) before handing it over; this widget
  only draws pixels as they are.
* Result actions are signals; the main window does the I/O (save, copy, reveal, reuse).
* Shortcuts Ctrl+S, Ctrl+Shift+C, Ctrl+0, Ctrl+1 and Ctrl+=/Ctrl+- are window-wide
  QActions owned here (``save_action`` etc.); put those same actions in menus rather than
  defining the keys again, or Qt reports them as ambiguous and neither fires.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QMimeData, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QImage, QKeyEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from qwen_studio.ui.compare.compare_status import sync_status
from qwen_studio.ui.compare.compare_toolbar import CompareToolbar
from qwen_studio.ui.compare.image_canvas import EMPTY_TEXT, ImageCanvas
from qwen_studio.ui.compare.modes import MODE_KEYS, MODES
from qwen_studio.ui.compare.running import RunningPlaceholder
from qwen_studio.ui.compare.toolbar_parts import drag_result
from qwen_studio.ui.compare.view_parts import ViewParts
from qwen_studio.ui.image_loading import release_later

MASK_BAR_PADDING = 16  # the mask bar's height over its buttons' text (their padding)

if TYPE_CHECKING:  # built after the first frame (ui/compare/view_parts.py)
    from qwen_studio.ui.compare.changes_mode import ChangesMode
    from qwen_studio.ui.compare.region_tools import RegionTools
    from qwen_studio.ui.compare.result_strip import ResultStrip


class CompareView(QWidget):
    """Before/after canvas with a slim toolbar and, for several results, a thumbnail strip."""

    modeChanged = Signal(str)
    zoomChanged = Signal(float)
    resultSelected = Signal(int)
    saveRequested = Signal()
    copyRequested = Signal()
    useAsInputRequested = Signal()
    revealRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.setAccessibleName(self.tr("Before and after comparison"))
        self.setAccessibleDescription(
            self.tr("Keys: 1 side by side, 2 wipe, 3 flip, 4 changes; hold Space to see "
            "before; Ctrl+0 fit; Ctrl+1 100 %; arrow keys pan (in wipe mode they move the "
            "divider)."))
        self._mode = "side"
        self._before: QImage | None = None
        self._results: list[QImage] = []
        self._paths: list[Path] | None = None
        self._index = -1
        self._result_path: Path | None = None

        self.canvas = ImageCanvas(self)
        self.running = RunningPlaceholder(self.canvas, self._sync_status, self)
        self.canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.canvas.customContextMenuRequested.connect(self._show_context_menu)
        self.canvas.zoomChanged.connect(self.zoomChanged)
        self.canvas.viewChanged.connect(self._sync_status)
        self.canvas.dragOutRequested.connect(self.start_drag)
        self.setFocusProxy(self.canvas)
        toolbar = self.toolbar = CompareToolbar(self)  # builds the actions too
        # The actions and widgets the window (its menus) and tests reach through the view.
        self.fit_action, self.actual_action = toolbar.fit_action, toolbar.actual_action
        self.save_action, self.copy_action = toolbar.save_action, toolbar.copy_action
        self.use_action, self.reveal_action = toolbar.use_action, toolbar.reveal_action
        self.mode_buttons = toolbar.mode_buttons
        self.fit_button, self.actual_button = toolbar.fit_button, toolbar.actual_button
        self.zoom_label, self.sizes_label = toolbar.zoom_label, toolbar.sizes_label
        self.save_button, self.copy_button = toolbar.save_button, toolbar.copy_button
        self.use_button, self.reveal_button = toolbar.use_button, toolbar.reveal_button
        self.drag_button, self.more_button = toolbar.drag_button, toolbar.more_button

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(toolbar)
        # The mask bar's row, kept from the first frame on although the bar is built after
        # it and shows only with a "before" photo: the canvas never jumps by a row when the
        # first photo arrives or the last one goes (ui/compare/view_parts.py fills it).
        self.mask_slot = QWidget(self)
        self.mask_slot.setObjectName("maskBarSlot")
        brush = QCoreApplication.translate("MaskToolBar", "Brush")  # CJK text stands taller
        self.mask_slot.setFixedHeight(self.fontMetrics().boundingRect(brush).height()
                                      + MASK_BAR_PADDING)
        QVBoxLayout(self.mask_slot).setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mask_slot)
        layout.addWidget(self.canvas, 1)
        # The region mask's tools (issue #15), the results strip and the Changes mode:
        # built when first wanted (`region`, `strip`, `changes`).
        self.parts = ViewParts(self, self.canvas, layout, self.mask_slot,
                               strip_selected=self._on_strip_selected,
                               changes_changed=self._sync_status)
        self._sync_actions()
        self._sync_status()

    # ----- parts built when first wanted (ui/compare/view_parts.py) ---------------------

    def build_hidden_parts(self) -> None:
        """The window calls it after the first paint: the first photo finds them built."""
        self.parts.build_all()

    @property
    def region(self) -> RegionTools:
        """The region mask's layer, controller and tool bar (`toolbar`)."""
        return self.parts.region

    @property
    def changes(self) -> ChangesMode:
        return self.parts.changes

    @property
    def strip(self) -> ResultStrip:
        """The results' thumbnails under the canvas (shown for more than one result)."""
        return self.parts.strip

    def overflow_actions(self) -> list[QAction]:
        return self.toolbar.overflow.actions()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.isVisible():
            self.toolbar.overflow.fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.toolbar.overflow.fit()

    # ----- images ------------------------------------------------------------------------

    def set_before(self, image: QImage | None, source: str | None = None) -> None:
        """`source`: the photo's path (the mask tools draw on it for that photo's edit)."""
        dead: list[object] = [self._before]  # freed in the pool, see release_later
        self._before = image if image is not None and not image.isNull() else None
        self.parts.show_before(self._before is not None, source)
        self._refresh_images()
        release_later(dead)

    def set_after(self, image: QImage | None) -> None:
        """One result (or none). Clears the result path: call set_result_path afterwards."""
        self.set_results([image] if image is not None and not image.isNull() else [])

    def set_results(self, images: list[QImage], paths: list[Path] | None = None) -> None:
        """All results of an edit; the first is shown. A strip appears for more than one."""
        dead: list[object] = [self._results]  # freed in the pool, see release_later
        self._results = [img for img in images if img is not None and not img.isNull()]
        self._paths = list(paths) if paths is not None else None
        self._index = 0 if self._results else -1
        self._result_path = self._path_for(self._index)
        if len(self._results) > 1 or self.parts.strip_built is not None:
            self.strip.set_images(self._results if len(self._results) > 1 else [])
            self.strip.setVisible(len(self._results) > 1)
        self._refresh_images()
        release_later(dead)

    def current_result_index(self) -> int:
        return self._index

    def set_current_result(self, index: int) -> None:
        if 0 <= index < len(self._results) and index != self._index:
            if len(self._results) > 1:
                self.strip.select(index)  # emits via _on_strip_selected
            else:
                self._select(index)

    def result_count(self) -> int:
        return len(self._results)

    def _path_for(self, index: int) -> Path | None:
        if self._paths is None or not 0 <= index < len(self._paths):
            return None
        return self._paths[index]

    def _on_strip_selected(self, index: int) -> None:
        if index != self._index:
            self._select(index)

    def _select(self, index: int) -> None:
        self._index = index
        self._result_path = self._path_for(index)
        self._refresh_images()
        self.resultSelected.emit(index)

    def after_image(self) -> QImage | None:
        return self._results[self._index] if self._index >= 0 else None

    def before_image(self) -> QImage | None:
        return self._before

    def _refresh_images(self) -> None:
        self.canvas.set_images(self._before, self.after_image())
        if self._mode == "changes" or self.parts.changes_built is not None:
            self.changes.update(self._mode == "changes", self._before, self.after_image())
        self._sync_actions()
        self._sync_status()

    def set_result_path(self, path: Path | None) -> None:
        """Where the current result is saved; enables dragging it out as a file."""
        self._result_path = path
        if self._paths is not None and 0 <= self._index < len(self._paths) and path is not None:
            self._paths[self._index] = path
        self._sync_actions()

    def result_path(self) -> Path | None:
        return self._result_path

    # ----- modes, zoom, busy -------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown compare mode {mode!r}; expected one of {MODES}")
        self.toolbar.mode_actions[mode].setChecked(True)
        if mode == self._mode:
            return
        self._mode = mode
        self.canvas.set_mode(mode)
        if mode == "changes" or self.parts.changes_built is not None:
            self.changes.update(mode == "changes", self._before, self.after_image())
        self.modeChanged.emit(mode)

    def mode(self) -> str:
        return self._mode

    def set_wipe_position(self, fraction: float) -> None:
        self.canvas.set_wipe(fraction)

    def wipe_position(self) -> float:
        return self.canvas.wipe()

    def fit(self) -> None:
        self.canvas.fit()

    def actual_size(self) -> None:
        self.canvas.zoom_to(1.0)

    def zoom(self) -> float:
        return self.canvas.zoom()

    def set_zoom(self, factor: float) -> None:
        self.canvas.zoom_to(factor)

    def is_fit(self) -> bool:
        return self.canvas.is_fit()

    def show_running(self, started_at: float | None, *, more: int = 0,
                     clock: Callable[[], float] = time.monotonic) -> None:
        """The one placeholder while an edit runs (see RunningPlaceholder)."""
        self.running.show(started_at, more=more, clock=clock)

    def set_busy(self, text: str | None) -> None:
        """Free text on the busy pill; None clears it (also show_running's)."""
        if text is None:
            self.running.stop()
        self.canvas.set_busy(text)
        self._sync_status()

    def busy_text(self) -> str | None:
        return self.canvas.busy_text()

    def is_empty(self) -> bool:
        return self._before is None and not self._results

    def placeholder_text(self) -> str:
        """The shortcut hint shown on the empty canvas, or "" when images are shown."""
        return self.canvas.tr(EMPTY_TEXT) if self.is_empty() else ""

    def visible_labels(self) -> list[str]:
        """The corner labels currently drawn, e.g. ["Before", "After"]."""
        return self.canvas.visible_labels()

    def showing_before(self) -> bool:
        return self.canvas.showing_before()

    # ----- status & actions --------------------------------------------------------------

    def _sync_actions(self) -> None:
        has_after = self.after_image() is not None
        can_drag = self.canvas.drag_out_enabled = has_after and self._result_path is not None
        self.toolbar.show_result_state(has_after, can_drag)

    def _sync_status(self) -> None:
        sync_status(self)

    def _show_context_menu(self, pos: QPoint) -> None:
        menu = self.toolbar.context_menu(self)
        menu.exec(self.canvas.mapToGlobal(pos))
        menu.deleteLater()

    # ----- drag out ----------------------------------------------------------------------

    def result_mime_data(self) -> QMimeData | None:
        """The current result as a file URL plus the image itself, or None if not saved."""
        after = self.after_image()
        if after is None or self._result_path is None:
            return None
        from PySide6.QtCore import QUrl  # realised when used (~0.6 ms before the frame)

        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(self._result_path))])
        mime.setImageData(after)
        return mime

    def start_drag(self) -> None:
        mime = self.result_mime_data()
        after = self.after_image()
        if mime is None or after is None:
            return
        drag_result(self, mime, after)

    # ----- keyboard ----------------------------------------------------------------------

    def _handle_space(self, event: QKeyEvent, pressed: bool) -> bool:
        plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        if event.key() != Qt.Key.Key_Space or not plain:
            return False
        if not event.isAutoRepeat():
            self.canvas.set_hold_before(pressed)
        event.accept()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._handle_space(event, True):
            return
        key = Qt.Key(event.key())
        plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        if plain and event.text() in MODE_KEYS:
            self.set_mode(MODE_KEYS[event.text()])
            return
        arrows = {Qt.Key.Key_Left: (1, 0), Qt.Key.Key_Right: (-1, 0),
                  Qt.Key.Key_Up: (0, 1), Qt.Key.Key_Down: (0, -1)}
        if key in arrows and not self.is_empty():
            dx, dy = arrows[key]
            fine = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            wiping = self.canvas.visible_labels() == ["Before", "After"] and self._mode == "wipe"
            if wiping and dx:
                step = 0.01 if fine else 0.05
                self.canvas.set_wipe(self.canvas.wipe() - dx * step)
            else:
                step = 10 if fine else 60
                self.canvas.pan_by(dx * step, dy * step)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if self._handle_space(event, False):
            return
        super().keyReleaseEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Space in the strip flips too (instead of the list's own selection toggle).
        if watched is self.parts.strip_built and isinstance(event, QKeyEvent):
            if event.type() == QEvent.Type.KeyPress and self._handle_space(event, True):
                return True
            if event.type() == QEvent.Type.KeyRelease and self._handle_space(event, False):
                return True
        return super().eventFilter(watched, event)


__all__ = ["EMPTY_TEXT", "MODES", "CompareView"]
