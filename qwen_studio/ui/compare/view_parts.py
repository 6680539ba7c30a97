"""The compare view's parts that no first frame shows, built when first wanted (and by the
window right after its first paint, so the first photo finds them ready): the region
mask's tools (issue #15; shown while a "before" photo is, the mask is drawn on it), the
results strip (shown for more than one result) and the Changes mode.

Their modules and the Qt classes they name (QToolBar, QSlider, QListWidget, QRegion,
QPainterPathStroker...) cost ~7 ms of CPU before the first frame (benchmarks/startup.py
--phases); tests/e2e/test_app_launch.py checks none is built for it.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QVBoxLayout, QWidget

if TYPE_CHECKING:
    from qwen_studio.ui.compare.changes_mode import ChangesMode
    from qwen_studio.ui.compare.image_canvas import ImageCanvas
    from qwen_studio.ui.compare.region_tools import RegionTools
    from qwen_studio.ui.compare.result_strip import ResultStrip
    from qwen_studio.ui.editor.state import DrawnMask


class ViewParts:
    """Builds and holds the parts; `*_built` is None until a part exists."""

    def __init__(self, view: QWidget, canvas: ImageCanvas, layout: QVBoxLayout,
                 mask_slot: QWidget, *,
                 strip_selected: Callable[[int], None], changes_changed: Callable[[], None]
                 ) -> None:
        self._view, self._canvas, self._layout = view, canvas, layout
        self._mask_slot = mask_slot  # the row kept for the mask bar under the toolbar
        self._strip_selected, self._changes_changed = strip_selected, changes_changed
        self.region_built: RegionTools | None = None
        self.strip_built: ResultStrip | None = None
        self.changes_built: ChangesMode | None = None
        self._before_source: str | None = None  # the "before" photo's path, if one shows

    def build_all(self) -> None:
        _ = self.region, self.strip, self.changes

    @property
    def region(self) -> RegionTools:
        if self.region_built is None:
            from qwen_studio.ui.compare.region_tools import RegionTools

            region = self.region_built = RegionTools(self._canvas, self._view)
            region.before_source = self._before_source
            slot = self._mask_slot
            slot_layout = slot.layout()
            assert slot_layout is not None
            slot_layout.addWidget(region.bar)
            # The row was sized from the font before the bar existed; now it is the bar's.
            slot.setFixedHeight(max(slot.minimumHeight(), region.bar.sizeHint().height()))
            region.bar.setVisible(self._before_source is not None)
            # Reading order: built last, it would come last in the window's Tab chain.
            tools = region.toolbar
            for a, b in pairwise((self._canvas, tools.size_slider, tools.hardness_slider,
                                  region.feather_spin)):
                QWidget.setTabOrder(a, b)
        return self.region_built

    def show_before(self, shown: bool, source: str | None) -> None:
        """A "before" image is shown (from `source`, a photo's path) or none is."""
        self._before_source = source if shown else None
        if shown or self.region_built is not None:
            self.region.before_source = self._before_source
            self.region.bar.setVisible(shown)

    def drawn_mask(self, photo: Path) -> DrawnMask | None:
        """The editor's MaskSource: the region drawn on `photo`, or None (none drawn)."""
        region = self.region_built
        return region.drawn_mask(photo) if region is not None else None

    def clear_region(self) -> None:
        """A new input starts without a region."""
        if self.region_built is not None:
            self.region_built.clear_for_new_input()

    @property
    def strip(self) -> ResultStrip:
        if self.strip_built is None:
            from qwen_studio.ui.compare.result_strip import ResultStrip

            strip = self.strip_built = ResultStrip(self._view)
            strip.hide()
            strip.resultSelected.connect(self._strip_selected)
            strip.installEventFilter(self._view)  # Space flips there too
            self._layout.addWidget(strip)
            QWidget.setTabOrder(self._canvas, strip)
        return self.strip_built

    @property
    def changes(self) -> ChangesMode:
        if self.changes_built is None:
            from qwen_studio.ui.compare.changes_mode import ChangesMode

            self.changes_built = ChangesMode(self._canvas, self._view)
            self.changes_built.changed.connect(self._changes_changed)
        return self.changes_built
